// The in-memory KV mirror every actor reads rules, hosts and config from, against a real nats-server: when its
// watch ends or goes quiet (server restarted, the watch's consumer deleted, the bucket deleted and recreated), a
// later write still reaches the mirror, values the bucket no longer holds leave it, and the changed keys are
// reported; while the bucket is gone the process is not ready and says which bucket.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { loadEnv } from '../../protocol/env.ts';
import { Bucket } from '../../protocol/streams.ts';
import { provision, provisionBuckets } from '../../actors/runtime/provision.ts';
import { KvMirror, decodeJson, encodeJson } from '../../actors/runtime/kv-mirror.ts';
import { createLogger } from '../../actors/runtime/logger.ts';
import { startProcess } from '../../actors/runtime/process.ts';

const t = suite('runtime kv mirror');
let nats: TestNats;
let nc: NatsConnection;
let kv: KV;
let mirror: KvMirror;
const changes: string[][] = [];
const log = createLogger('silent');
const env = () => loadEnv({ NATS_URL: nats.url, MUTT_HTTP_PORT: '0' });

/** A write as soon as the server takes it (the test's own connection may still be reconnecting). */
async function put(key: string, value: unknown): Promise<void> {
  let last: unknown;
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    try {
      await kv.put(key, encodeJson(value));
      return;
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw last;
}

async function freshMirror(): Promise<void> {
  mirror?.stop();
  mirror = await KvMirror.open(kv, Bucket.rules, log);
  changes.length = 0;
  mirror.onChange((keys) => changes.push(keys));
}

const valueOf = (key: string) => {
  const e = mirror.get(key);
  return e ? decodeJson(e.value) : undefined;
};

async function watchConsumers(stream: string): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const names: string[] = [];
  for await (const c of jsm.consumers.list(stream)) names.push(c.name);
  return names;
}

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  await provision(nc, env());
  kv = await new Kvm(nc).open(Bucket.rules);
  await kv.put('r1', encodeJson({ v: 1 }));
});

t.after(async () => {
  mirror?.stop();
  await nc.close();
  await nats.stop();
});

t('a write after the nats-server restarted reaches the mirror', async () => {
  await freshMirror();
  await nats.kill();
  await nats.restart();
  await put('r1', { v: 2 });
  await waitFor(() => (valueOf('r1') as { v: number } | undefined)?.v === 2, 8000, 'r1 = 2 in the mirror after the restart');
});

t('a write after the watch consumer was deleted reaches the mirror', async () => {
  await freshMirror();
  const jsm = await jetstreamManager(nc);
  const before = await watchConsumers('KV_mutt_rules');
  assert.ok(before.length >= 1, 'the mirror watches through a consumer');
  for (const name of before) await jsm.consumers.delete('KV_mutt_rules', name);
  await put('r2', { v: 1 });
  // The client library alone notices a deleted watch only after two missed 5 s heartbeats, then resumes.
  await waitFor(() => valueOf('r2') !== undefined, 8000, 'r2 in the mirror after the consumer was deleted');
});

t('bucket deleted and recreated: the mirror holds what the new bucket holds, and says which keys changed', async () => {
  await freshMirror();
  for (let i = 3; i < 8; i++) await put(`r${i}`, { v: 1 });
  await waitFor(() => valueOf('r7') !== undefined, 5000, 'r7 mirrored');
  const jsm = await jetstreamManager(nc);
  changes.length = 0;
  await jsm.streams.delete('KV_mutt_rules');
  await provisionBuckets(nc, env());
  await put('fresh', { v: 9 });
  await waitFor(() => valueOf('fresh') !== undefined, 8000, 'a key of the recreated bucket in the mirror');
  await waitFor(() => mirror.get('r1') === undefined && mirror.get('r7') === undefined, 8000, 'keys of the deleted bucket gone');
  assert.equal(
    mirror.entries().map((e) => e.key),
    ['fresh'],
  );
  // Listeners hear of changes in batches a few milliseconds after the mirror holds them.
  const reported = () => new Set(changes.flat());
  await waitFor(() => ['fresh', 'r1', 'r2', 'r7'].every((key) => reported().has(key)), 5000, 'the changes reported to the listeners');
});

t('while the config bucket is gone the process is not ready and names it; once it is back, ready again', async () => {
  const proc = await startProcess({ env: env(), name: 'mirror-test', actors: [], log });
  try {
    const url = `http://127.0.0.1:${proc.httpPort}/readyz`;
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete('KV_mutt_config');
    await waitFor(async () => (await fetch(url)).status === 503, 10_000, '/readyz 503 while mutt_config is gone');
    const body = (await (await fetch(url)).json()) as { components: Record<string, { ready: boolean; detail?: string }> };
    const component = Object.entries(body.components).find(([name]) => name.includes('mutt_config'));
    assert.ok(component, `a component names mutt_config: ${JSON.stringify(body.components)}`);
    assert.is(component![1].ready, false);
    await provisionBuckets(nc, env());
    await waitFor(async () => (await fetch(url)).status === 200, 10_000, '/readyz 200 once mutt_config is back');
    const kvc = await new Kvm(nc).open(Bucket.config);
    await kvc.put('unhandled_threshold', JSON.stringify(42));
    await waitFor(() => proc.config.get().unhandled_threshold === 42, 8000, 'a config write after the bucket came back applies');
  } finally {
    await proc.stop();
  }
});

t.run();
