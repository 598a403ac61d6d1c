// For poison tests on a shipped process (`bin/mutt.js run <actor>`): a Moogsoft stand-in that SIGKILLs the
// process under test while the request that should crash it is open (as an OOM would: the request never gets
// an answer), and the restart loop a supervisor (systemd) runs around that process.
//   const moog = await startCrashingMoog((body) => body.includes('poison-1'));
//   await restartUntil(moog, ['run', 'forwarder'], env, async () => (await dlqCount()) > 0, { maxStarts: 8, what: 'poison dead-lettered' });

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as assert from 'uvu/assert';
import { spawnNode, type Spawned } from './processes.ts';
import { waitFor } from './wait.ts';

export interface CrashingMoog {
  /** POST target for MOOG_WEBHOOK_URL. */
  url: string;
  /** Requests that killed the process. */
  crashes: number;
  /** The process the next crashing request kills (set by restartUntil and ensureRunning). */
  current?: Spawned;
  close(): Promise<void>;
}

/** `crashOn(body)` true: kill `current` and leave the request open; otherwise `onAnswered(body)` and 200. */
export async function startCrashingMoog(
  crashOn: (body: string) => boolean,
  onAnswered: (body: string) => void = () => undefined,
): Promise<CrashingMoog> {
  const moog: CrashingMoog = { url: '', crashes: 0, close: async () => undefined };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (crashOn(body)) {
        moog.crashes++;
        void moog.current?.kill('SIGKILL');
        return;
      }
      onAnswered(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  moog.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  moog.close = async () => {
    await moog.current?.kill('SIGKILL');
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return moog;
}

/** Starts `mutt <command>` again whenever it died, until `done()`; fails after `maxStarts` starts. */
export async function restartUntil(
  moog: CrashingMoog,
  command: string[],
  env: Record<string, string>,
  done: () => Promise<boolean>,
  opts: { maxStarts: number; what: string },
): Promise<void> {
  for (let starts = 0; !(await done()); starts++) {
    assert.ok(starts < opts.maxStarts, `still looping after ${starts} restarts (${moog.crashes} crashes)`);
    const p = spawnNode('bin/mutt.js', command, env);
    moog.current = p;
    const outcome = await Promise.race([
      p.exited.then(() => 'died' as const),
      waitFor(done, 30_000, opts.what).then(() => 'done' as const),
    ]);
    if (outcome === 'done') return;
  }
}

/** The process that reached the outcome may itself have been killed by an earlier delivery's request: keep one running. */
export function ensureRunning(moog: CrashingMoog, command: string[], env: Record<string, string>): void {
  const p = moog.current;
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) moog.current = spawnNode('bin/mutt.js', command, env);
}
