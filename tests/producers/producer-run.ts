// Runs the producer examples of deploy/producers/ as an operator would: the Go one built with the real Go
// toolchain (modules through the Go module proxy, or the cache .ci/run filled), the Python one in the venv
// .ci/run creates, and the documented nats CLI command from docs/PRODUCERS.md, each as a child process.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, run, tempDir, type RunResult } from '../deploy/helpers.ts';
import { natsCliPath } from '../helpers/nats-cli.ts';

export const PYTHON = process.env.MUTT_PRODUCER_PYTHON ?? join(ROOT, '.tools/producers-venv/bin/python');
export const PY_SCRIPT = join(ROOT, 'deploy/producers/python/mutt_produce.py');

/** Where a producer connects and as whom: the examples' own environment variables. */
export interface Conn {
  url: string;
  user?: string;
  pass?: string;
  ca?: string;
  inboxPrefix?: string;
}

/** The process environment without any NATS_* of the caller, plus the examples' variables for conn. */
function producerEnv(conn: Conn): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NATS_')));
  return {
    ...env,
    NATS_URL: conn.url,
    ...(conn.user ? { NATS_USER: conn.user } : {}),
    ...(conn.pass ? { NATS_PASS: conn.pass } : {}),
    ...(conn.ca ? { NATS_TLS_CA: conn.ca } : {}),
    ...(conn.inboxPrefix ? { NATS_INBOX_PREFIX: conn.inboxPrefix } : {}),
  };
}

/** `go build` of deploy/producers/go into a temp dir; returns the binary. */
export async function buildGoProducer(): Promise<string> {
  const out = join(tempDir('producer-go'), 'mutt-produce');
  const r = await run('go', ['build', '-o', out, '.'], {
    cwd: join(ROOT, 'deploy/producers/go'),
    env: { ...process.env, GOFLAGS: '-modcacherw -buildvcs=false' },
    timeoutMs: 300_000,
  });
  if (r.code !== 0) throw new Error(`go build of deploy/producers/go failed (${r.code}):\n${r.stderr}`);
  return out;
}

export type Lang = 'go' | 'python';

export function producerCommand(lang: Lang, goBinary: string, args: string[]): [string, string[]] {
  return lang === 'go' ? [goBinary, args] : [PYTHON, [PY_SCRIPT, ...args]];
}

export function produce(lang: Lang, goBinary: string, conn: Conn, args: string[]): Promise<RunResult> {
  const [cmd, argv] = producerCommand(lang, goBinary, args);
  return run(cmd, argv, { env: producerEnv(conn), timeoutMs: 120_000 });
}

/** A producer running in the background, for the retry cases: its stderr so far, and its end. */
export interface Background {
  stderr(): string;
  done: Promise<RunResult>;
  child: ChildProcess;
}

export function produceInBackground(lang: Lang, goBinary: string, conn: Conn, args: string[]): Background {
  const [cmd, argv] = producerCommand(lang, goBinary, args);
  const child = spawn(cmd, argv, { env: producerEnv(conn), cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d.toString()));
  child.stderr!.on('data', (d) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  const done = new Promise<RunResult>((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
  return { stderr: () => stderr, done, child };
}

/** The fenced block after the `<!-- tested: nats-cli-publish -->` marker in docs/PRODUCERS.md, as written. */
export function documentedCliCommand(): string {
  const doc = readFileSync(join(ROOT, 'docs/PRODUCERS.md'), 'utf8');
  const m = /<!-- tested: nats-cli-publish -->\s*```sh\n([\s\S]*?)```/.exec(doc);
  if (!m) throw new Error('docs/PRODUCERS.md: no ```sh block after <!-- tested: nats-cli-publish -->');
  return m[1]!;
}

/**
 * Runs a shell command with the real nats CLI as `nats` on PATH and the CLI's own environment variables
 * (NATS_URL, NATS_USER, NATS_PASSWORD, NATS_CA). The CLI takes the inbox prefix only as a flag, so with one
 * `--inbox-prefix` is added after each `nats` word.
 */
export function runNatsCli(script: string, conn: Conn): Promise<RunResult> {
  const bin = tempDir('nats-cli');
  mkdirSync(bin, { recursive: true });
  symlinkSync(natsCliPath(), join(bin, 'nats'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NATS_')));
  const cmd = conn.inboxPrefix ? script.replace(/(^|\s)nats /g, `$1nats --inbox-prefix ${conn.inboxPrefix} `) : script;
  return run('bash', ['-euo', 'pipefail', '-c', cmd], {
    env: {
      ...env,
      PATH: `${bin}:${process.env.PATH}`,
      NATS_URL: conn.url,
      ...(conn.user ? { NATS_USER: conn.user } : {}),
      ...(conn.pass ? { NATS_PASSWORD: conn.pass } : {}),
      ...(conn.ca ? { NATS_CA: conn.ca } : {}),
    },
    timeoutMs: 60_000,
  });
}

/**
 * The inbox prefix the role may subscribe to in deploy/nats/accounts.conf: undefined while it is the default
 * `_INBOX.>`, else e.g. `_INBOX_syslog` (per-role inboxes keep one role from reading another's replies).
 */
export function inboxPrefixFor(role: string): string | undefined {
  const conf = readFileSync(join(ROOT, 'deploy/nats/accounts.conf'), 'utf8');
  const block = new RegExp(`^${role.toUpperCase()}_PERMS = \\{([\\s\\S]*?)^\\}`, 'm').exec(conf)?.[1] ?? '';
  const prefix = /subscribe:[\s\S]*?"(_INBOX[^".>]*)\.>"/.exec(block)?.[1];
  return prefix && prefix !== '_INBOX' ? prefix : undefined;
}
