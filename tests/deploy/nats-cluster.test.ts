// deploy/nats/node-{1,2,3}.conf: three real nats-servers on loopback (ports moved to free ones) form a
// JetStream cluster with MUTT's users; admin provisions MUTT's streams with 3 replicas, a least-privilege user
// stores events, and the cluster keeps taking them with a node down. The template for real hosts parses.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type StreamInfo } from '@nats-io/jetstream';
import { loadEnv } from '../../protocol/env.ts';
import { StreamName } from '../../protocol/streams.ts';
import { inboxPrefixFor } from '../../actors/runtime/connect.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { freeTcpPort, makeCerts, repoPath, requireBinary, run, tempDir, waitFor } from './helpers.ts';
import { generatePasswords, passwordVar, ROLES } from './nats-server.ts';
import { placesReplicas } from '../helpers/nats-cluster.ts';

const t = suite('deploy/nats three-node cluster');
const dir = tempDir('nats-cluster');
const passwords = generatePasswords();
const env = { ...process.env, ...Object.fromEntries(ROLES.map((r) => [passwordVar(r), passwords[r]])) };
const nodes: { name: string; client: number; child?: ChildProcess; out: string }[] = [];
let admin: NatsConnection | undefined;

t.before(async () => {
  const natsServer = requireBinary('nats-server', 'nats-server');
  copyFileSync(repoPath('deploy/nats/accounts.conf'), join(dir, 'accounts.conf'));
  // The shipped ports (clients 4222-4224, routes 6222-6224, monitoring 8222-8224) become free ones.
  const ports = new Map<number, number>();
  for (const p of [4222, 4223, 4224, 6222, 6223, 6224, 8222, 8223, 8224]) ports.set(p, await freeTcpPort());
  for (const i of [1, 2, 3]) {
    let conf = readFileSync(repoPath(`deploy/nats/node-${i}.conf`), 'utf8');
    conf = conf.replace(/127\.0\.0\.1:(\d{4})\b/g, (_m, p: string) => `127.0.0.1:${ports.get(Number(p)) ?? p}`);
    conf = conf.replace(/^http_port: (\d+)$/m, (_m, p: string) => `http_port: ${ports.get(Number(p))}`);
    conf = conf.replace(/store_dir: "[^"]*"/, `store_dir: "${join(dir, `store-${i}`)}"`);
    const path = join(dir, `node-${i}.conf`);
    writeFileSync(path, conf);
    const node = { name: `mutt-nats-${i}`, client: ports.get(4221 + i)!, out: '' as string, child: undefined as ChildProcess | undefined };
    node.child = spawn(natsServer, ['-c', path], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    node.child.stdout!.on('data', (d) => (node.out += d.toString()));
    node.child.stderr!.on('data', (d) => (node.out += d.toString()));
    nodes.push(node);
  }
  const servers = nodes.map((n) => `nats://127.0.0.1:${n.client}`);
  await waitFor(async () => {
    for (const n of nodes) if (n.child!.exitCode !== null) throw new Error(`${n.name} exited: ${n.out.slice(-1500)}`);
    try {
      admin ??= await connect({ servers, user: 'admin', pass: passwords.admin, timeout: 1000 });
      return await placesReplicas(await jetstreamManager(admin, { timeout: 1000 }), nodes.length);
    } catch {
      return false;
    }
  }, 20_000, 'the JetStream cluster to place a stream on all three nodes');
});

t.after(async () => {
  await admin?.close();
  for (const n of nodes) {
    if (n.child && n.child.exitCode === null && !n.child.signalCode) {
      const exited = new Promise((r) => n.child!.once('exit', r));
      n.child.kill('SIGINT');
      await exited;
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

t('admin provisions MUTT with 3 replicas; a least-privilege user stores events; one node down changes nothing', async () => {
  await provision(admin!, loadEnv({ MUTT_REPLICAS: '3' }));
  const jsm = await jetstreamManager(admin!);
  const info = await jsm.streams.info(StreamName.events);
  assert.is(info.config.num_replicas, 3);
  assert.is((info.cluster?.replicas ?? []).length, 2, 'a leader and two replicas');

  const servers = nodes.map((n) => `nats://127.0.0.1:${n.client}`);
  const syslog = await connect({ servers, user: 'syslog', pass: passwords.syslog, timeout: 2000, inboxPrefix: inboxPrefixFor('syslog') });
  try {
    const js = jetstream(syslog, { timeout: 5000 });
    const first = await js.publish('mutt.events.syslog.core-sw1', new TextEncoder().encode('{"probe":1}'), { msgID: 'cluster-probe-1' });
    assert.is(first.stream, StreamName.events);

    // Stop a follower of MUTT_EVENTS (never its leader: that only costs a longer election, see ENV_FACTS).
    const leader = (await jsm.streams.info(StreamName.events)).cluster?.leader;
    const victim = nodes.find((n) => n.name !== leader && !syslog.info?.server_name?.includes(n.name))!;
    victim.child!.kill('SIGKILL');
    await new Promise((r) => victim.child!.once('exit', r));
    await waitFor(
      () => js.publish('mutt.events.syslog.core-sw1', new TextEncoder().encode('{"probe":2}'), { msgID: 'cluster-probe-2' }).then(() => true, () => false),
      15_000, 'a publish with one node down');
    // The admin connection may have been on the stopped node: its request waits for the reconnect, so ask again.
    let after: StreamInfo | undefined;
    await waitFor(() => jsm.streams.info(StreamName.events).then((i) => { after = i; return true; }, () => false), 15_000, 'stream info with one node down');
    assert.ok(after!.state.messages >= 2, `both events stored (${after!.state.messages})`);
  } finally {
    await syslog.close();
  }
});

t('cluster-node.conf.template parses once its placeholders are filled in', async () => {
  const natsServer = requireBinary('nats-server', 'nats-server');
  const certs = await makeCerts(dir);
  const conf = readFileSync(repoPath('deploy/nats/cluster-node.conf.template'), 'utf8')
    .replace(/@NODE_NAME@/g, 'mutt-nats-1').replace(/@NODE_1@/g, 'nats-1.example.com')
    .replace(/@NODE_2@/g, 'nats-2.example.com').replace(/@NODE_3@/g, 'nats-3.example.com')
    .replaceAll('/etc/nats/tls/server.pem', certs.cert).replaceAll('/etc/nats/tls/server-key.pem', certs.key)
    .replaceAll('/etc/nats/tls/ca.pem', certs.ca).replace('/var/lib/nats', join(dir, 'template-store'));
  assert.not.match(conf, /@[A-Z_0-9]+@/, 'every placeholder filled');
  writeFileSync(join(dir, 'template.conf'), conf);
  const r = await run(natsServer, ['-c', join(dir, 'template.conf'), '-t'], { env });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /is valid/);
});

t.run();
