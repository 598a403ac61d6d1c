// A 3-node JetStream cluster on loopback for failover tests: each node its own client port, route port and store.
//   const c = await startCluster(); c.urls; await c.kill('n2'); await c.restart('n2'); await c.stop()

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { natsServerBinary } from './nats-server.ts';
import { freeTcpPort as freePort } from './ports.ts';

export interface Cluster {
  names: string[];
  urls: string[];
  url: string;
  kill(name: string): Promise<void>;
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** conf: nats-server configuration text every node also loads (-c), e.g. accounts with a system account. */
export async function startCluster(size = 3, opts: { conf?: string } = {}): Promise<Cluster> {
  const names = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  const clientPorts = await Promise.all(names.map(() => freePort()));
  const routePorts = await Promise.all(names.map(() => freePort()));
  const dirs = await Promise.all(names.map(() => mkdtemp(join(tmpdir(), 'mutt-cluster-'))));
  const confArgs: string[] = [];
  if (opts.conf !== undefined) {
    const file = join(dirs[0], 'extra.conf');
    await writeFile(file, opts.conf);
    confArgs.push('-c', file);
  }
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const children = new Map<string, ChildProcess>();
  const launch = (i: number) => {
    const child = spawn(
      natsServerBinary(),
      [
        '-js',
        '-n',
        names[i],
        '--cluster_name',
        'mutt',
        '-a',
        '127.0.0.1',
        '-p',
        String(clientPorts[i]),
        '--cluster',
        `nats://127.0.0.1:${routePorts[i]}`,
        '--routes',
        routes,
        '-sd',
        dirs[i],
        ...confArgs,
      ],
      { stdio: 'ignore' },
    );
    children.set(names[i], child);
  };
  names.forEach((_, i) => launch(i));
  const urls = clientPorts.map((p) => `nats://127.0.0.1:${p}`);
  // Ready when the cluster can place a stream on every node (a meta leader exists and knows every peer).
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const nc = await connect({ servers: urls, timeout: 1000 });
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const placed = await placesReplicas(await jetstreamManager(nc, { timeout: 1000 }), names.length);
      await nc.close();
      if (placed) break;
      throw new Error(`the cluster cannot place ${names.length} replicas yet`);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const kill = async (name: string) => {
    const c = children.get(name);
    if (!c || c.exitCode !== null || c.signalCode) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  return {
    names,
    urls,
    url: urls.join(','),
    kill,
    restart: async (name) => launch(names.indexOf(name)),
    stop: async () => {
      for (const n of names) await kill(n);
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

/**
 * Whether the cluster can place a stream with `replicas` replicas now: a meta leader answering is not enough
 * while it still counts a peer offline ("no suitable peers for placement"). Creates and deletes a probe stream.
 */
export async function placesReplicas(jsm: JetStreamManager, replicas: number): Promise<boolean> {
  const name = 'CLUSTER_READY_PROBE';
  try {
    await jsm.streams.add({ name, subjects: ['cluster.ready.probe'], num_replicas: replicas, storage: StorageType.Memory });
    await jsm.streams.delete(name);
    return true;
  } catch {
    return false;
  }
}
