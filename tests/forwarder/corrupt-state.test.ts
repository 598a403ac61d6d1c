// Garbage in the forwarder's shared state (KV mutt_state: breaker, AIMD rate, rate limiter) must not stop a
// forwarder: `mutt run forwarder` starts on it, keeps delivering when it is written again while running, logs
// one error per bad value and counts it in mutt_forwarder_state_unreadable_total. (Before the fix the breaker's
// garbage made setup crash-loop, and the AIMD timer's JSON.parse was an unhandled rejection that ended the process.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { setConfig } from '../helpers/mutt-config.ts';
import { spawnNode, type Spawned } from '../helpers/processes.ts';
import { makeAlert } from './alert-fixture.ts';
import { startFakeMoog, type FakeMoog } from '../../bench/fake-moog.ts';
import { loadEnv } from '../../protocol/env.ts';
import { encode } from '../../protocol/codec.ts';
import { Alert } from '../../protocol/messages.ts';
import { Bucket } from '../../protocol/streams.ts';
import { subjects } from '../../protocol/subjects.ts';
import { provision } from '../../actors/runtime/provision.ts';

const t = suite('forwarder on corrupt shared state');
const API_KEY = 'moog-secret-key';
const KEYS = ['forwarder.breaker', 'forwarder.aimd', 'forwarder.rate'];
let nats: TestNats;
let nc: NatsConnection;
let js: JetStreamClient;
let state: KV;
let moog: FakeMoog;
let fwd: Spawned | undefined;

const delivered = (prefix: string) => moog.events(0, 1_000_000).filter((e) => e.key?.startsWith(prefix)).length;

async function publishAlerts(prefix: string, n: number) {
  for (let i = 0; i < n; i++) {
    const id = `${prefix}-${i}`;
    await js.publish(subjects.alert('NETO'), encode(Alert, makeAlert({ id, eventId: id, event: { id, receivedAt: Date.now() } })), {
      msgID: id,
    });
  }
}

async function writeGarbage(): Promise<void> {
  await state.put('forwarder.breaker', 'not json {');
  await state.put('forwarder.aimd', '\u0000\u00ff binary');
  await state.put('forwarder.rate', '{"v":1,"tat":');
}

async function unreadableCount(url: string, key: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^mutt_forwarder_state_unreadable_total\\{[^}]*key="${key.replace('.', '\\.')}"[^}]*\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  await provision(nc, loadEnv({ NATS_URL: nats.url }));
  state = await new Kvm(nc).open(Bucket.state);
  moog = await startFakeMoog({ apiKey: API_KEY, auth: 'bearer' });
  // Adaptive mode on, so the AIMD state is read every second.
  await setConfig(nc, { moog_rate_adaptive: true, moog_rate_limit: 100_000, moog_backoff_base_ms: 50, moog_backoff_max_ms: 200 });
});

t.after(async () => {
  await fwd?.kill('SIGKILL');
  await moog.close();
  await nc.close();
  await nats.stop();
});

t('garbage in every state key: the forwarder starts, delivers, and keeps delivering when it is written again', async () => {
  await writeGarbage();
  fwd = spawnNode('bin/mutt.js', ['run', 'forwarder'], {
    NATS_URL: nats.url,
    MOOG_WEBHOOK_URL: moog.url,
    MOOG_API_KEY: API_KEY,
    LOG_LEVEL: 'info',
  });
  const line = await fwd.waitForOutput(/HTTP listening on [^"]*:(\d+)/, 30_000);
  const url = `http://127.0.0.1:${/:(\d+)$/.exec(line)![1]}`;
  await publishAlerts('first', 20);
  await waitFor(() => delivered('first-') === 20, 20_000, `20 alerts delivered on corrupt state\n${fwd.output().slice(-2000)}`);
  // The AIMD timer has read its garbage too (once a second), and the process lives on.
  await waitFor(
    async () => (await unreadableCount(url, 'forwarder.aimd')) >= 1 && (await unreadableCount(url, 'forwarder.breaker')) >= 1,
    10_000,
    'the bad values counted',
  );
  assert.is(fwd.child.exitCode, null, 'the forwarder is still running');

  // Written again while it runs: the breaker's watch and the AIMD timer read the garbage.
  await writeGarbage();
  await waitFor(
    async () => (await unreadableCount(url, 'forwarder.aimd')) >= 2 && (await unreadableCount(url, 'forwarder.breaker')) >= 2,
    10_000,
    'the second bad values counted',
  );
  await publishAlerts('second', 20);
  await waitFor(() => delivered('second-') === 20, 20_000, `20 more delivered after the second write\n${fwd.output().slice(-2000)}`);
  assert.is(fwd.child.exitCode, null, 'the forwarder is still running');
  assert.not.match(fwd.output(), /actor crashed/);

  // One logged error per bad value (a revision), though the AIMD value is read every second.
  const errors = fwd
    .output()
    .split('\n')
    .filter((l) => l.includes('unreadable shared state'));
  for (const key of ['forwarder.breaker', 'forwarder.aimd']) {
    const lines = errors.filter((l) => l.includes(`"key":"${key}"`));
    assert.is(new Set(lines.map((l) => JSON.parse(l).revision)).size, lines.length, `${key}: one line per revision`);
    assert.is(lines.length, await unreadableCount(url, key), `${key}: the metric counts what was logged`);
  }
  for (const key of KEYS) assert.ok((await state.get(key)) !== null, key);
});

t.run();
