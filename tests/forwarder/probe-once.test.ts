// Once Moogsoft has accepted the half-open probe, a breaker-state write that fails must not fail the delivery:
// the alert is acked and reaches Moogsoft exactly once. The write is made to fail for real: while the probe
// waits for Moogsoft's answer, the mutt_state bucket's stream is given a message size cap below the breaker
// state's size, so the server refuses the forwarder's compare-and-set. (Before the fix the handler threw, the alert was
// redelivered, and once the probe's lease ran out it was sent a second time.)
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

const t = suite('half-open probe is sent once');
const API_KEY = 'moog-secret-key';
const STATE_STREAM = 'KV_mutt_state';
let nats: TestNats;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let moog: FakeMoog;
let fwd: Spawned | undefined;

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

/** Caps the size of one message in mutt_state: the breaker's JSON (~300 B) is refused, the rate limiter's (~30 B) is not. */
async function capStateMessages(maxMsgSize: number): Promise<void> {
  const info = await jsm.streams.info(STATE_STREAM);
  await jsm.streams.update(STATE_STREAM, { ...info.config, max_msg_size: maxMsgSize });
}

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  await provision(nc, loadEnv({ NATS_URL: nats.url }));
  moog = await startFakeMoog({ apiKey: API_KEY, auth: 'bearer' });
  // Two failures open the breaker; it half-opens after a second; the probe lease is moog_timeout_ms + 5 s.
  await setConfig(nc, {
    breaker_min_requests: 2,
    breaker_failure_rate: 0.5,
    breaker_open_seconds: 1,
    breaker_window_seconds: 30,
    moog_backoff_base_ms: 50,
    moog_backoff_max_ms: 100,
    moog_timeout_ms: 3000,
    moog_rate_limit: 100_000,
  });
});

t.after(async () => {
  await fwd?.kill('SIGKILL');
  await moog.close();
  await nc.close();
  await nats.stop();
});

t('probe accepted, breaker write refused by the server: the alert reaches Moogsoft exactly once', async () => {
  fwd = spawnNode('bin/mutt.js', ['run', 'forwarder'], {
    NATS_URL: nats.url,
    MOOG_WEBHOOK_URL: moog.url,
    MOOG_API_KEY: API_KEY,
    LOG_LEVEL: 'info',
  });
  const line = await fwd.waitForOutput(/HTTP listening on [^"]*:(\d+)/, 30_000);
  const url = `http://127.0.0.1:${/:(\d+)$/.exec(line)![1]}`;

  moog.control({ status: 503 });
  await js.publish(
    subjects.alert('NETO'),
    encode(Alert, makeAlert({ id: 'probe-1', eventId: 'probe-1', event: { id: 'probe-1', receivedAt: Date.now() } })),
    { msgID: 'probe-1' },
  );
  await waitFor(async () => (await metric(url, 'mutt_forwarder_breaker_state')) === 2, 10_000, 'breaker open after two 503s');

  // The next request is the half-open probe: Moogsoft accepts it, slowly, and meanwhile the bucket fills.
  const before = moog.stats().requests;
  moog.control({ status: 200, latencyMs: 1000 });
  await waitFor(() => moog.stats().requests > before, 10_000, 'the probe reached Moogsoft');
  await capStateMessages(100);
  await waitFor(() => moog.stats().accepted === 1, 5000, 'the probe accepted');

  // The handler has finished either way: acked (the alert left MUTT_ALERTS) or failed (to be retried).
  const failedBefore = await metric(url, 'mutt_forwarder_failed_total');
  await waitFor(
    async () =>
      (await jsm.streams.info(StreamName.alerts)).state.messages === 0 || (await metric(url, 'mutt_forwarder_failed_total')) > failedBefore,
    10_000,
    'the probe handled',
  );
  // The bucket takes writes again: a redelivered alert would now get through the breaker (after its lease).
  await capStateMessages(-1);
  await waitFor(async () => (await jsm.streams.info(StreamName.alerts)).state.messages === 0, 20_000, 'MUTT_ALERTS empty');
  // (Work-queue retention: the alert leaves the stream only when acked, so a retried one is sent again first.)
  const s = moog.stats();
  assert.is(s.received, 1, `Moogsoft received the alert ${s.received} times (duplicates ${s.duplicates})`);
  assert.is(s.duplicates, 0);
  assert.ok((await metric(url, 'mutt_forwarder_state_write_failures_total')) >= 1, 'the refused write is counted');
  assert.match(fwd.output(), /shared breaker\/rate state not written/);
});

t.run();
