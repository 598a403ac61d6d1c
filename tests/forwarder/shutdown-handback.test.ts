// A forwarder stopped (SIGTERM) while handlers wait for the shared breaker (half-open, the probe in flight)
// hands those messages straight back: they are not counted as handler failures nor retried with backoff,
// and a second forwarder delivers every alert exactly once. (Before the fix each waiting handler threw
// Error('stopping'), logged as "retryable failure: will retry" and nak'd with the retry backoff.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { setConfig } from '../helpers/mutt-config.ts';
import { spawnNode, type Spawned } from '../helpers/processes.ts';
import { makeAlert } from './alert-fixture.ts';
import { startFakeMoog, type FakeMoog } from '../../bench/fake-moog.ts';
import { loadEnv } from '../../protocol/env.ts';
import { encode } from '../../protocol/codec.ts';
import { Alert } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { subjects } from '../../protocol/subjects.ts';
import { provision } from '../../actors/runtime/provision.ts';

const t = suite('forwarder shutdown hands waiting messages back');
const API_KEY = 'moog-secret-key';
const N = 10;
let nats: TestNats;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let moog: FakeMoog;
const procs: Spawned[] = [];

const env = () => ({
  NATS_URL: nats.url,
  MOOG_WEBHOOK_URL: moog.url,
  MOOG_API_KEY: API_KEY,
  LOG_LEVEL: 'info',
  MUTT_SHUTDOWN_GRACE_MS: '15000',
});

async function gauge(url: string, name: string): Promise<number> {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(await (await fetch(`${url}/metrics`)).text());
  return m ? Number(m[1]) : Number.NaN;
}

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  await provision(nc, loadEnv({ NATS_URL: nats.url }));
  moog = await startFakeMoog({ apiKey: API_KEY, auth: 'bearer' });
  await setConfig(nc, {
    breaker_min_requests: 2,
    breaker_failure_rate: 0.5,
    breaker_open_seconds: 1,
    breaker_window_seconds: 30,
    moog_backoff_base_ms: 50,
    moog_backoff_max_ms: 100,
    moog_timeout_ms: 30_000,
    moog_rate_limit: 100_000,
  });
});

t.after(async () => {
  for (const p of procs) await p.kill('SIGKILL');
  await moog.close();
  await nc.close();
  await nats.stop();
});

t('SIGTERM while handlers wait for the half-open probe: no handler failure, no backoff, all delivered once', async () => {
  const a = spawnNode('bin/mutt.js', ['run', 'forwarder'], env());
  procs.push(a);
  const url = `http://127.0.0.1:${/:(\d+)$/.exec(await a.waitForOutput(/HTTP listening on [^"]*:(\d+)/, 30_000))![1]}`;
  moog.control({ status: 503 });
  for (let i = 0; i < N; i++) {
    const id = `stop-${i}`;
    await js.publish(subjects.alert('NETO'), encode(Alert, makeAlert({ id, eventId: id, event: { id, receivedAt: Date.now() } })), {
      msgID: id,
    });
  }
  await waitFor(async () => (await gauge(url, 'mutt_forwarder_breaker_state')) === 2, 10_000, 'breaker open');

  // Moogsoft answers the probe slowly: the other fetched alerts wait in the breaker (the probe holds the lease).
  const before = moog.stats().requests;
  moog.control({ status: 200, latencyMs: 3000 });
  await waitFor(() => moog.stats().requests > before, 10_000, 'the probe sent');
  await waitFor(
    async () => (await jsm.consumers.info(StreamName.alerts, 'forwarder')).num_ack_pending >= 3,
    5000,
    'alerts waiting behind the probe',
  );
  const stopAt = a.output().length;
  const exit = await a.kill('SIGTERM');
  assert.is(exit.code, 0, 'clean exit');
  const during = a.output().slice(stopAt);
  assert.not.match(during, /retryable failure/, 'nothing failed while stopping');
  assert.not.match(during, /stopping"|AbortError/, 'no shutdown error reported as a failure');

  moog.control({ latencyMs: 0 });
  const b = spawnNode('bin/mutt.js', ['run', 'forwarder'], env());
  procs.push(b);
  await waitFor(
    async () => (await jsm.streams.info(StreamName.alerts)).state.messages === 0,
    20_000,
    'every alert delivered by the second forwarder',
  );
  const keys = moog
    .events(0, 1_000_000)
    .map((e) => e.key)
    .filter((k) => k?.startsWith('stop-'));
  assert.is(new Set(keys).size, N, 'every alert delivered');
  assert.is(keys.length, N, 'none delivered twice');
});

t.run();
