// A throwaway nats-server per suite: free port, own store directory, stopped (and its directory removed) at the end.
// NATS_URL in the environment selects an external server instead (then stop() only drops MUTT's streams/buckets);
// MUTT_TEST_CONTAINERS=1 selects a testcontainers-managed nats:2.10 container where a Docker engine exists.
// Which nats-server binary: MUTT_NATS_SERVER when set, else the one `mutt up` would pick (findNatsServer: PATH, then
// the sbin directories), so tests and the shipped process run the same server (.ci/run sets it per run).
//   const nats = await startNats(); ...; await nats.stop()

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { findNatsServer } from '../../bin/embedded-nats.ts';

/** The nats-server binary every test helper spawns (see the header); 'nats-server' when none is found, so the
 *  spawn error says what is missing. */
export function natsServerBinary(): string {
  return findNatsServer() ?? 'nats-server';
}

export interface TestNats {
  url: string;
  port: number;
  storeDir: string;
  /** Stop the server (SIGKILL when hard), keeping its store so restart() finds the same data. */
  kill(hard?: boolean): Promise<void>;
  /** Start again on the same port and store (after kill). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface NatsOptions {
  /** Extra server arguments, e.g. ['-c', confPath]. */
  args?: string[];
  port?: number;
}

export async function startNats(opts: NatsOptions = {}): Promise<TestNats> {
  if (process.env.MUTT_TEST_CONTAINERS === '1') return startContainer();
  if (process.env.NATS_URL && !opts.args) return external(process.env.NATS_URL);
  const storeDir = await mkdtemp(join(tmpdir(), 'mutt-nats-'));
  let port = opts.port ?? 0;
  let child: ChildProcess | undefined;

  const launch = async () => {
    const portsDir = await mkdtemp(join(tmpdir(), 'mutt-ports-'));
    const args = ['-js', '-a', '127.0.0.1', '-p', String(port || -1), '-sd', storeDir, '--ports_file_dir', portsDir, ...(opts.args ?? [])];
    child = spawn(natsServerBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d.toString()));
    const spawnError = new Promise<never>((_, reject) =>
      child!.once('error', (e) =>
        reject(new Error(`cannot start ${natsServerBinary()} (apt-get install nats-server, or set MUTT_NATS_SERVER): ${e.message}`)),
      ),
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`nats-server exited ${child.exitCode}: ${stderr.slice(-500)}`);
      const files = await readdir(portsDir).catch(() => []);
      const file = files.find((f) => f.endsWith('.ports'));
      if (file) {
        const info = JSON.parse(await readFile(join(portsDir, file), 'utf8')) as { nats: string[] };
        port = Number(new URL(info.nats[0]).port);
        break;
      }
      if (Date.now() > deadline) throw new Error(`nats-server did not start: ${stderr.slice(-500)}`);
      await Promise.race([new Promise((r) => setTimeout(r, 10)), spawnError]);
    }
    await rm(portsDir, { recursive: true, force: true });
    await waitReady(`nats://127.0.0.1:${port}`);
  };

  const kill = async (hard = false) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(hard ? 'SIGKILL' : 'SIGINT');
    await exited;
  };

  await launch();
  return {
    get url() {
      return `nats://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    storeDir,
    kill,
    restart: launch,
    stop: async () => {
      await kill(false);
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const nc = await connect({ servers: url, timeout: 1000 });
      await nc.close();
      return;
    } catch (err) {
      // A server that requires credentials answers, and refuses us: it is up.
      if (/authorization/i.test(String((err as Error).message))) return;
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

async function external(url: string): Promise<TestNats> {
  const u = new URL(url.split(',')[0]);
  const unsupported = async () => {
    throw new Error('kill/restart need a spawned nats-server (unset NATS_URL)');
  };
  return {
    url,
    port: Number(u.port || 4222),
    storeDir: '',
    kill: unsupported,
    restart: unsupported,
    stop: async () => {},
  };
}

async function startContainer(): Promise<TestNats> {
  // Imported by name at run time so the package stays optional (no types needed, nothing loaded otherwise).
  const name = 'testcontainers';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let tc: any;
  try {
    tc = await import(name);
  } catch {
    throw new Error('MUTT_TEST_CONTAINERS=1 needs `npm i -D testcontainers@11` (12.x crashes on Node 20)');
  }
  let container: { getHost(): string; getMappedPort(p: number): number; stop(): Promise<unknown> };
  try {
    container = await new tc.GenericContainer('nats:2.10').withCommand(['-js']).withExposedPorts(4222).start();
  } catch (err) {
    throw new Error(`MUTT_TEST_CONTAINERS=1 but no container runtime works here: ${(err as Error).message}`, { cause: err });
  }
  const url = `nats://${container.getHost()}:${container.getMappedPort(4222)}`;
  const unsupported = async () => {
    throw new Error('kill/restart are not supported with MUTT_TEST_CONTAINERS');
  };
  return {
    url,
    port: container.getMappedPort(4222),
    storeDir: '',
    kill: unsupported,
    restart: unsupported,
    stop: async () => {
      await container.stop();
    },
  };
}
