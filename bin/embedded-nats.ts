// `mutt up` on one box: use the NATS at 127.0.0.1:MUTT_NATS_PORT (4222) when one answers, otherwise start
// nats-server (MUTT_NATS_SERVER when set, else found on PATH, or in /usr/local/sbin, /usr/sbin, /sbin, where Debian
// puts it) with JetStream and the
// data directory ./.mutt/nats, and stop it when MUTT stops.
//   const nats = await ensureLocalNats(log, { port: 4222 }); env.NATS_URL = nats.url; ... nats.stop()
//
// The nats-server never outlives the `mutt up` that started it, even one killed with SIGKILL or by the OOM killer:
// it runs under a small sh watchdog whose stdin is a pipe from this process. Nothing is ever written to it; when
// this process ends, however it ends, the kernel closes the pipe, the watchdog reads EOF and stops nats-server
// with SIGINT (a clean JetStream shutdown). The watchdog also exits when nats-server exits, so an early failure is
// seen here. Both run in their own process group: a Ctrl-C in the terminal reaches only `mutt up`, which finishes
// its in-flight work against a still running NATS before it stops the server.

import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { CommandFailed } from './cli/session.ts';

/** Where nats-server is looked for after PATH: a normal user's PATH often lacks the sbin directories. */
export const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

// $1 = nats-server, the rest its arguments. fd 3 keeps the pipe for the reader (an asynchronous list's stdin is
// /dev/null in a non-interactive shell); nats-server itself gets neither the pipe nor a terminal.
const WATCHDOG = [
  'exec 3<&0',
  '"$@" </dev/null 3<&- & pid=$!',
  '{ read -r _ <&3; kill -INT "$pid" 2>/dev/null; } &',
  'reader=$!',
  'wait "$pid"; code=$?',
  'kill "$reader" 2>/dev/null',
  'exit "$code"',
].join('\n');

type PortState = 'nats' | 'other' | 'free';

/** What listens on host:port: a NATS server (it greets with INFO), something else, or nothing. */
export function probePort(host: string, port: number): Promise<PortState> {
  return new Promise((done) => {
    const s = createConnection({ host, port });
    let connected = false;
    s.setTimeout(500);
    s.once('connect', () => (connected = true));
    s.once('data', (d) => {
      s.destroy();
      done(d.toString().startsWith('INFO') ? 'nats' : 'other');
    });
    s.once('error', () => done(connected ? 'other' : 'free'));
    s.once('timeout', () => {
      s.destroy();
      done(connected ? 'other' : 'free');
    });
  });
}

/** The nats-server to run: MUTT_NATS_SERVER when set (a machine with two servers names the one it means), else the
 *  first executable on PATH, else in the sbin directories; null when none. */
export function findNatsServer(pathEnv = process.env.PATH ?? '', chosen = process.env.MUTT_NATS_SERVER): string | null {
  if (chosen) return chosen;
  for (const dir of [...pathEnv.split(delimiter).filter(Boolean), ...SBIN_DIRS]) {
    const file = join(dir, 'nats-server');
    if (isExecutable(file)) return file;
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function busyPort(port: number): CommandFailed {
  return new CommandFailed(
    `port ${port} on 127.0.0.1 is in use by a program that is not a NATS server: ` +
      "set MUTT_NATS_PORT to start MUTT's nats-server on another port, or NATS_URL to use a NATS server elsewhere",
  );
}

function lastLogLine(file: string): string {
  try {
    return (
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .pop()
        ?.replace(/^\[\d+\] \S+ \S+ \[\w+\] /, '') ?? ''
    );
  } catch {
    return '';
  }
}

export interface LocalNats {
  url: string;
  /** The nats-server's pid when this process started it. */
  pid?: number;
  stop(): Promise<void>;
}

export async function ensureLocalNats(log: Logger, opts: { port?: number; dataDir?: string } = {}): Promise<LocalNats> {
  const port = opts.port ?? 4222;
  const url = `nats://127.0.0.1:${port}`;
  const state = await probePort('127.0.0.1', port);
  if (state === 'nats') {
    log.info({ url }, `using the NATS server already listening on 127.0.0.1:${port}`);
    return { url, stop: async () => {} };
  }
  if (state === 'other') throw busyPort(port);
  const binary = findNatsServer();
  if (binary && binary === process.env.MUTT_NATS_SERVER && !isExecutable(binary)) {
    throw new CommandFailed(`MUTT_NATS_SERVER=${binary} is not an executable file: point it at a nats-server binary or unset it`);
  }
  if (!binary) {
    throw new CommandFailed(
      `no NATS server: nothing answers on 127.0.0.1:${port} and nats-server is neither on PATH nor in ${SBIN_DIRS.join(', ')}. ` +
        'Install it (Debian/Ubuntu: sudo apt-get install nats-server) or set NATS_URL=nats://host:4222',
    );
  }
  const dir = resolve(opts.dataDir ?? '.mutt/nats');
  mkdirSync(dir, { recursive: true });
  const logFile = join(dirname(dir), 'nats-server.log');
  const pidFile = join(dirname(dir), 'nats-server.pid');
  writeFileSync(logFile, '');
  const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir, '-l', logFile, '-P', pidFile];
  const child: ChildProcess = spawn('sh', ['-c', WATCHDOG, 'mutt-nats-watchdog', binary, ...args], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const deadline = Date.now() + 10_000;
  while ((await probePort('127.0.0.1', port)) !== 'nats') {
    if (child.exitCode !== null) {
      const why = lastLogLine(logFile);
      if (/address already in use/i.test(why)) throw busyPort(port);
      throw new CommandFailed(`nats-server exited (${child.exitCode}): ${why || `see ${logFile}`}`);
    }
    if (Date.now() > deadline) {
      child.stdin!.end();
      throw new CommandFailed(`nats-server did not start within 10 s (its log: ${logFile})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  let pid: number | undefined;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim()) || undefined;
  } catch {
    /* written a moment after it listens */
  }
  log.info(
    { url, dataDir: dir, log: logFile, natsPid: pid, binary },
    'started embedded nats-server (JetStream); it stops with this process',
  );
  return {
    url,
    pid,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.stdin!.end();
      await exited;
    },
  };
}
