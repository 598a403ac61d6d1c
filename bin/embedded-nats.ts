// `mutt up` on one box: use the NATS at 127.0.0.1:4222 when one answers, otherwise start nats-server from PATH
// with JetStream and the data directory ./.mutt/nats, and stop it when MUTT stops.
//   const nats = await ensureLocalNats(log); env.NATS_URL = nats.url; ... nats.stop()

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { CliError } from './cli-error.ts';

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createConnection({ host, port });
    s.setTimeout(500);
    s.once('data', (d) => { s.destroy(); done(d.toString().startsWith('INFO')); });
    s.once('error', () => done(false));
    s.once('timeout', () => { s.destroy(); done(false); });
  });
}

export async function ensureLocalNats(log: Logger, dataDir = '.mutt/nats'): Promise<{ url: string; stop(): Promise<void> }> {
  const url = 'nats://127.0.0.1:4222';
  if (await answers('127.0.0.1', 4222)) {
    log.info({ url }, 'using the NATS server already listening on 127.0.0.1:4222');
    return { url, stop: async () => {} };
  }
  if (spawnSync('nats-server', ['--version']).error) {
    throw new CliError('no NATS server: nothing answers on 127.0.0.1:4222 and nats-server is not on PATH.\n' +
      '  Install one (Debian/Ubuntu: sudo apt-get install nats-server) or set NATS_URL=nats://host:4222.');
  }
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const child: ChildProcess = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', '4222', '-sd', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d.toString()));
  const deadline = Date.now() + 10_000;
  while (!(await answers('127.0.0.1', 4222))) {
    if (child.exitCode !== null) throw new CliError(`nats-server exited (${child.exitCode}): ${stderr.trim().split('\n').pop()}`);
    if (Date.now() > deadline) throw new CliError('nats-server did not start within 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  log.info({ url, dataDir: dir, pid: child.pid }, 'started embedded nats-server (JetStream)');
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await exited;
    },
  };
}
