// An alert that kills the forwarder process every time it is handled must stop looping. JetStream keeps the
// delivery count on the server, so it survives the crash: once an alert has been delivered more often than the
// forwarder's retry budget allows (moog_max_attempts + 2) without an outcome, the next delivery dead-letters it
// with reason 'poison' before it is sent again — and later alerts are delivered. Runs the shipped
// `bin/mutt.js run forwarder`; the "crash" is the process being SIGKILLed while that alert's request is open
// (a Moogsoft endpoint that takes the request and never answers while the process dies — as an OOM would).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { setConfig } from '../helpers/mutt-config.ts';
import { ensureRunning, restartUntil, startCrashingMoog, type CrashingMoog } from '../helpers/crash-loop.ts';
import { makeAlert } from './alert-fixture.ts';
import { loadEnv } from '../../protocol/env.ts';
import { decode, encode } from '../../protocol/codec.ts';
import { Alert, DlqEntry } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { subjects } from '../../protocol/subjects.ts';
import { provision } from '../../actors/runtime/provision.ts';

const t = suite('forwarder poison: an alert that crashes the process ends in the DLQ');
const MAX_ATTEMPTS = 2;
let nats: TestNats;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let moog: CrashingMoog;
const delivered: string[] = [];

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  await provision(nc, loadEnv({ NATS_URL: nats.url }));
  await setConfig(nc, { moog_max_attempts: MAX_ATTEMPTS, moog_backoff_base_ms: 50, moog_backoff_max_ms: 100 });
  moog = await startCrashingMoog(
    (body) => body.includes('poison-1'),
    (body) => {
      const m = /"(ok-\d+)"/.exec(body);
      if (m) delivered.push(m[1]);
    },
  );
});

t.after(async () => {
  await moog.close();
  await nc.close();
  await nats.stop();
});

const publish = (id: string) =>
  js.publish(subjects.alert('NETO'), encode(Alert, makeAlert({ id, eventId: id, event: { id, receivedAt: Date.now() } })), { msgID: id });

t('killed on every delivery, then dead-lettered as poison; later alerts delivered', async () => {
  await publish('poison-1');
  const env = {
    NATS_URL: nats.url,
    MOOG_WEBHOOK_URL: moog.url,
    MOOG_API_KEY: 'moog-secret-key',
    MUTT_ACK_WAIT_MS: '4000',
    LOG_LEVEL: 'info',
  };
  const dlqCount = async () => (await jsm.streams.info(StreamName.dlq)).state.messages;
  // Restart the forwarder whenever it died, as systemd would, until the alert is dead-lettered.
  await restartUntil(moog, ['run', 'forwarder'], env, async () => (await dlqCount()) > 0, {
    maxStarts: MAX_ATTEMPTS + 6,
    what: 'poison dead-lettered',
  });
  const { crashes } = moog;
  // At most one crash per delivery up to the ceiling (a delivery into a dead process's pull request counts too).
  assert.ok(crashes >= 2 && crashes <= MAX_ATTEMPTS + 2, `crashes: ${crashes}`);
  const info = await jsm.streams.info(StreamName.dlq);
  const m = await jsm.streams.getMessage(StreamName.dlq, { seq: info.state.last_seq });
  const d = decode(DlqEntry, m!.data);
  assert.ok(d.ok);
  assert.is(d.value.reason, 'poison');
  assert.is(m!.subject, 'mutt.dlq.forwarder.poison');
  assert.ok(d.value.attempts > MAX_ATTEMPTS + 2, `dead-lettered past the ceiling (attempt ${d.value.attempts})`);

  ensureRunning(moog, ['run', 'forwarder'], env);
  for (let i = 0; i < 3; i++) await publish(`ok-${i}`);
  await waitFor(() => delivered.length >= 3, 15_000, 'later alerts delivered');
  assert.equal([...delivered].sort(), ['ok-0', 'ok-1', 'ok-2']);
  await waitFor(async () => (await jsm.streams.info(StreamName.alerts)).state.messages === 0, 10_000, 'MUTT_ALERTS empty');
});

t.run();
