// A dead letter whose handling kills the remediation process every time must stop looping. Remediation waits with
// nak(delay) while Moogsoft is unhealthy, so the delivery count cannot tell a crash from a wait; its record of
// starts without an outcome (actors/remediation/inflight.ts, kept in mutt_state) can: after POISON_AFTER_STARTS
// of them the next delivery quarantines the entry as 'poison' — and a later dead letter is replayed. Runs the
// shipped `bin/mutt.js run remediation`; the "crash" is the process being SIGKILLed while its Moogsoft health
// check (a GET of MOOG_WEBHOOK_URL, made for that forwarder dead letter) is open, as an OOM would.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { setConfig } from '../helpers/mutt-config.ts';
import { ensureRunning, restartUntil, startCrashingMoog, type CrashingMoog } from '../helpers/crash-loop.ts';
import { makeAlert } from '../forwarder/alert-fixture.ts';
import { loadEnv } from '../../protocol/env.ts';
import { encode } from '../../protocol/codec.ts';
import { Alert } from '../../protocol/messages.ts';
import { Bucket, StreamName } from '../../protocol/streams.ts';
import { subjects } from '../../protocol/subjects.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { deadLetter } from '../../actors/runtime/dead-letter.ts';
import { listEntries } from '../../actors/remediation/replay.ts';
import { InflightLedger, POISON_AFTER_STARTS } from '../../actors/remediation/inflight.ts';

const t = suite('remediation poison: a dead letter that crashes the process ends in quarantine');
let nats: TestNats;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let moog: CrashingMoog;
let crashing = true;
let seq = 5000;

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  await provision(nc, loadEnv({ NATS_URL: nats.url }));
  await setConfig(nc, { remediation_interval_seconds: 1, remediation_batch_size: 100, remediation_max_replays: 3 });
  moog = await startCrashingMoog(() => crashing);
});

t.after(async () => {
  await moog.close();
  await nc.close();
  await nats.stop();
});

async function addDeadLetter(id: string) {
  const alert = makeAlert({ id, eventId: id, event: { id } });
  await deadLetter(js, {
    stage: 'forwarder',
    reason: 'retries_exhausted',
    attempts: 3,
    firstError: 'HTTP 503',
    lastError: 'HTTP 503',
    firstSeenAt: Date.now() - 5000,
    originalSubject: subjects.alert('NETO'),
    originalStream: StreamName.alerts,
    originalSeq: seq++,
    originalPayload: encode(Alert, alert),
  });
}

t('killed on every delivery, then quarantined as poison; a later dead letter is replayed', async () => {
  await addDeadLetter('poison-1');
  const poisonSeq = (await jsm.streams.info(StreamName.dlq)).state.last_seq;
  const env = { NATS_URL: nats.url, MOOG_WEBHOOK_URL: moog.url, MUTT_ACK_WAIT_MS: '4000', LOG_LEVEL: 'info' };
  const quarantined = async () => (await listEntries(jsm, { stage: 'quarantine' })).length;
  // Restart remediation whenever it died, as systemd would, until the dead letter is quarantined.
  await restartUntil(moog, ['run', 'remediation'], env, async () => (await quarantined()) > 0, {
    maxStarts: POISON_AFTER_STARTS + 6,
    what: 'poison quarantined',
  });
  assert.is(moog.crashes, POISON_AFTER_STARTS, 'one crash per recorded start, then quarantined without handling it again');
  const [q] = await listEntries(jsm, { stage: 'quarantine' });
  assert.is(q.subject, 'mutt.dlq.quarantine.poison');
  assert.is(q.entry.reason, 'poison');
  assert.match(q.entry.lastError, /^\[forwarder\] /, 'keeps where it came from');
  assert.equal(await listEntries(jsm, { stage: 'forwarder' }), [], 'left the DLQ');
  const ledger = new InflightLedger(await new Kvm(nc).open(Bucket.state));
  assert.is(await ledger.unfinished(poisonSeq), 0, 'its in-flight record removed');

  // Moogsoft answers again: a normal dead letter goes back to MUTT_ALERTS.
  crashing = false;
  ensureRunning(moog, ['run', 'remediation'], env);
  await addDeadLetter('ok-1');
  await waitFor(async () => (await jsm.streams.info(StreamName.alerts)).state.messages === 1, 20_000, 'the later dead letter replayed');
  assert.equal(await listEntries(jsm, { stage: 'forwarder' }), [], 'replayed entry left the DLQ');
  assert.is(await quarantined(), 1, 'only the poison one quarantined');
});

t.run();
