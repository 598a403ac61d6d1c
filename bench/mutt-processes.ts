// MUTT as the benchmark runs it: real `node bin/mutt.js up | gateway | run <actor>` processes, each on a free
// HTTP port read from its "HTTP listening on ...:PORT" log line (and, where the syslog listener runs, its free
// port from "syslog listening on udp/tcp PORT"), ready when /readyz answers 200. Output is kept (last lines) for
// the error message when a process dies; SIGSTOP / SIGCONT pause a process for the ingest-only phases.
//   const p = await spawnMutt('alerter', 'alerter-1', env); ...; await p.stop()

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export type Role = 'up' | 'gateway' | 'alerter' | 'forwarder' | 'syslog';

export interface MuttProcess {
  name: string;
  role: Role;
  pid: number;
  httpPort: number;
  /** UDP and TCP port of the syslog listener ('up' and 'syslog'), null where none runs. */
  syslogPort: number | null;
  child: ChildProcess;
  /** The last lines it printed. */
  tail(): string;
  /** True once it exited (for whatever reason). */
  exited(): boolean;
  pause(): void;
  resume(): void;
  /** SIGTERM (drain and exit), SIGKILL after the grace. */
  stop(graceMs?: number): Promise<void>;
}

export class MuttProcessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MuttProcessError';
  }
}

const ARGS: Record<Role, string[]> = {
  up: ['up'],
  gateway: ['gateway'],
  alerter: ['run', 'alerter'],
  forwarder: ['run', 'forwarder'],
  syslog: ['run', 'syslog'],
};
export const HEAP_CAP = '--max-old-space-size=128';
const LISTENING = /HTTP listening on [^"]*:(\d+)/;
// Logged by actors/syslog/actor.ts once the listener is bound; /readyz alone may answer before it is.
const SYSLOG_LISTENING = /syslog listening on udp\/tcp (\d+)/;
const WITH_SYSLOG: ReadonlySet<Role> = new Set(['up', 'syslog']);

export interface SpawnOptions {
  /** V8 CPU profiles are written into <profileDir>/<name>/ when the process exits. */
  profileDir?: string;
  startTimeoutMs?: number;
}

export async function spawnMutt(
  role: Role,
  name: string,
  root: string,
  env: Record<string, string>,
  opts: SpawnOptions = {},
): Promise<MuttProcess> {
  // One directory per process: tsx runs a module-loader thread, and every thread writes its own profile.
  // The heap cap every shipped launcher sets (npm start, Dockerfile, systemd units): measure what operators run.
  const nodeFlags = [HEAP_CAP, ...(opts.profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(opts.profileDir, name)] : [])];
  const childEnv: Record<string, string> = { ...(process.env as Record<string, string>), ...env, MUTT_INSTANCE: name };
  // A coverage run (c8 around the smoke test) must not make every MUTT process write coverage for the benchmark.
  delete childEnv.NODE_V8_COVERAGE;
  // Tuning experiments (e.g. BENCH_NODE_OPTIONS=--max-semi-space-size=4) apply to MUTT, not to the driver.
  if (process.env.BENCH_NODE_OPTIONS) childEnv.NODE_OPTIONS = `${childEnv.NODE_OPTIONS ?? ''} ${process.env.BENCH_NODE_OPTIONS}`.trim();
  const child = spawn(process.execPath, [...nodeFlags, join(root, 'bin/mutt.js'), ...ARGS[role]], {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  // The log lines that announce a port, and the ports found so far.
  const wanted = [
    { what: 'HTTP listening', re: LISTENING },
    ...(WITH_SYSLOG.has(role) ? [{ what: 'syslog listening', re: SYSLOG_LISTENING }] : []),
  ];
  const found = new Map<string, number>();
  let onFound: (() => void) | null = null;
  const onData = (d: Buffer) => {
    const text = partial + d.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line.length > 2000 ? line.slice(0, 2000) + '…' : line);
      if (lines.length > 60) lines.shift();
      for (const w of wanted) {
        if (found.has(w.what)) continue;
        const m = w.re.exec(line);
        if (m) {
          found.set(w.what, Number(m[1]));
          onFound?.();
        }
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let exitedFlag = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exitedFlag = true;
      resolve();
    }),
  );
  const tail = () => [...lines, partial].filter(Boolean).slice(-25).join('\n');

  const timeoutMs = opts.startTimeoutMs ?? 90_000;
  await new Promise<void>((resolve, reject) => {
    const missing = () =>
      wanted
        .filter((w) => !found.has(w.what))
        .map((w) => `"${w.what}"`)
        .join(' and ');
    const timer = setTimeout(
      () => reject(new MuttProcessError(`${name}: no ${missing()} line within ${timeoutMs} ms:\n${tail()}`)),
      timeoutMs,
    );
    onFound = () => {
      if (found.size < wanted.length) return;
      clearTimeout(timer);
      resolve();
    };
    onFound();
    void exited.then(() => {
      clearTimeout(timer);
      reject(new MuttProcessError(`${name} exited during start-up (code ${child.exitCode}):\n${tail()}`));
    });
  });
  const httpPort = found.get('HTTP listening')!;
  const syslogPort = found.get('syslog listening') ?? null;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitedFlag) throw new MuttProcessError(`${name} exited during start-up:\n${tail()}`);
    const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ready) break;
    if (Date.now() > deadline) throw new MuttProcessError(`${name} not ready within ${timeoutMs} ms:\n${tail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    name,
    role,
    pid: child.pid!,
    httpPort,
    syslogPort,
    child,
    tail,
    exited: () => exitedFlag,
    pause: () => {
      if (!exitedFlag) child.kill('SIGSTOP');
    },
    resume: () => {
      if (!exitedFlag) child.kill('SIGCONT');
    },
    async stop(graceMs = 20_000) {
      if (exitedFlag) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Starts several processes at once (start-up is mostly tsx compiling: in parallel it overlaps). */
export async function spawnAll(
  specs: { role: Role; name: string }[],
  root: string,
  env: Record<string, string>,
  opts: SpawnOptions = {},
): Promise<MuttProcess[]> {
  const settled = await Promise.allSettled(specs.map((s) => spawnMutt(s.role, s.name, root, env, opts)));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.stop(2000)] : [])));
    throw (failed as PromiseRejectedResult).reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<MuttProcess>).value);
}
