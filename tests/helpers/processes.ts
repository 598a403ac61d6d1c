// Spawn MUTT processes (or fixtures) for multi-process and crash tests, and kill them.
//   const p = spawnNode('bin/mutt.js', ['run', 'alerter'], { NATS_URL }); await p.waitForLog(/listening/); p.kill('SIGKILL')

import { spawn, type ChildProcess } from 'node:child_process';

export interface Spawned {
  child: ChildProcess;
  output(): string;
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnOptions {
  /** Working directory (default: this one). */
  cwd?: string;
  /** Node flags before the script (e.g. a heap cap). */
  nodeArgs?: string[];
}

export function spawnNode(script: string, args: string[], env: Record<string, string>, opts: SpawnOptions = {}): Spawned {
  // bin/mutt.js registers tsx itself. Registering it twice transforms every module twice, and the coverage of
  // such a process (other byte offsets under the same file URL) corrupts c8's merge: covered lines vanished.
  const loader = script.endsWith('.js') ? [] : ['--import', 'tsx'];
  // Starter rules off unless a test asks for them (tests/quickstart): most suites reason about an empty rule set.
  const merged: Record<string, string | undefined> = {
    ...process.env,
    LOG_LEVEL: 'info',
    MUTT_HTTP_PORT: '0',
    MUTT_SYSLOG_PORT: '0',
    MUTT_TRAP_PORT: '0',
    MUTT_STARTER_RULES: 'off',
    ...env,
  };
  // An empty value removes the variable (a test of what happens without it).
  for (const [k, v] of Object.entries(merged)) if (v === '') delete merged[k];
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...loader, script, ...args], {
    cwd: opts.cwd,
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: { re: RegExp; resolve: (s: string) => void }[] = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      const m = w.re.exec(out);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m[0]);
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  return {
    child,
    output: () => out,
    waitForOutput(re, timeoutMs = 15_000) {
      const m = re.exec(out);
      if (m) return Promise.resolve(m[0]);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${re} in output:\n${out.slice(-2000)}`)), timeoutMs);
        waiters.push({
          re,
          resolve: (s) => {
            clearTimeout(t);
            resolve(s);
          },
        });
        // A process that dies first fails the wait at once, with what it said.
        void exited.then(({ code, signal }) => {
          clearTimeout(t);
          reject(new Error(`process exited (${code ?? signal}) before ${re}:\n${out.slice(-3000)}`));
        });
      });
    },
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
