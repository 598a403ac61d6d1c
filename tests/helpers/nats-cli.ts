// The real nats CLI (github.com/nats-io/natscli) for tests that run the commands the docs give operators and
// producers. MUTT_NATS_CLI names the binary (.ci/run installs a pinned version and exports it); otherwise `nats`
// on PATH. No fallback to a path on one machine: a missing CLI fails the test with the way to get one.
//   const out = await natsCli(['--server', url, 'stream', 'ls']);

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Path of the nats CLI: MUTT_NATS_CLI, else `nats` on PATH; throws naming MUTT_NATS_CLI when neither exists. */
export function natsCliPath(): string {
  const fromEnv = process.env.MUTT_NATS_CLI;
  if (fromEnv) {
    if (!executable(fromEnv)) throw new Error(`MUTT_NATS_CLI=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const file = join(dir, 'nats');
    if (executable(file)) return file;
  }
  throw new Error(
    'no nats CLI: set MUTT_NATS_CLI to its path, or put `nats` on PATH ' +
      '(.ci/run installs it: go install github.com/nats-io/natscli/nats@<version pinned in .ci/run>)',
  );
}

/** `nats --version` of the CLI natsCliPath() finds. */
export function natsCliVersion(): string {
  const r = spawnSync(natsCliPath(), ['--version'], { encoding: 'utf8' });
  return (r.stdout || r.stderr).trim();
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** Run under a pseudo-terminal (util-linux `script`): `nats stream view` pages and refuses to run without one. */
  tty?: boolean;
}

const shellQuote = (a: string) => `'${a.replaceAll("'", `'\\''`)}'`;

function spawnCli(args: string[], opts: CliOptions) {
  const env = { ...process.env, NO_COLOR: '1', ...opts.env };
  if (!opts.tty) return spawn(natsCliPath(), args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  return spawn('script', ['-qec', [natsCliPath(), ...args].map(shellQuote).join(' '), '/dev/null'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Run the nats CLI with args; resolves with exit code and output (never rejects on a non-zero exit). Output from
 *  a pseudo-terminal has its CRs removed. */
export function natsCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, opts);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d.toString()));
    child.stderr.on('data', (d) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: stdout.replaceAll('\r', ''), stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export interface RunningCli {
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** SIGINT (Ctrl-C, as an operator ends `nats kv watch`) and wait for the exit. */
  stop(): Promise<void>;
}

/** Start a long-running CLI command (`kv watch`, `sub`) whose output a test watches while it acts. */
export function startNatsCli(args: string[], opts: CliOptions = {}): RunningCli {
  const child = spawnCli(args, opts);
  let out = '';
  child.stdout.on('data', (d) => (out += d.toString()));
  child.stderr.on('data', (d) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  return {
    output: () => out.replaceAll('\r', ''),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}
