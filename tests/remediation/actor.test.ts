// The remediation actor against a real nats-server and the fake Moogsoft: transient forwarder dead letters are
// replayed once Moogsoft is healthy (and not before), permanent ones and those replayed too often are
// quarantined, the switch turns it off, and two replicas never replay one entry twice.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { setConfig } from '../helpers/mutt-config.ts';
import { makeAlert } from '../forwarder/alert-fixture.ts';
import { startFakeMoog, type FakeMoog } from '../../bench/fake-moog.ts';
import { loadEnv } from '../../protocol/env.ts';
import { encode } from '../../protocol/codec.ts';
import { Alert, type DlqReason } from '../../protocol/messages.ts';
import { Durable, StreamName } from '../../protocol/streams.ts';
import { subjects } from '../../protocol/subjects.ts';
import { startProcess, type RunningProcess } from '../../actors/runtime/process.ts';
import { createLogger } from '../../actors/runtime/logger.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { deadLetter } from '../../actors/runtime/dead-letter.ts';
import { listEntries, purgeEntries } from '../../actors/remediation/replay.ts';
import remediation from '../../actors/remediation/actor.ts';

const t = suite('remediation actor');
let nats: TestNats;
let nc: NatsConnection;
let js: JetStreamClient;
let moog: FakeMoog;
const procs: RunningProcess[] = [];
let seq = 1000;

async function addDeadLetter(id: string, stage: string, reason: DlqReason, replays = 0) {
  const alert = makeAlert({ id, eventId: id, event: { id } });
  await deadLetter(js, {
    stage,
    reason,
    attempts: 3,
    firstError: 'HTTP 503',
    lastError: 'HTTP 503',
    firstSeenAt: Date.now() - 5000,
    originalSubject: subjects.alert('NETO'),
    originalStream: StreamName.alerts,
    originalSeq: seq++,
    originalPayload: encode(Alert, alert),
    replays,
  });
}

/** A metric summed over the running remediation processes. */
async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  let total = 0;
  for (const p of procs) {
    const m = p.registry.getSingleMetric(name);
    if (!m) continue;
    for (const v of (await m.get()).values) if (Object.entries(labels).every(([k, want]) => v.labels[k] === want)) total += v.value;
  }
  return total;
}

const alertsStored = async () => (await (await jetstreamManager(nc)).streams.info(StreamName.alerts)).state.messages;
const entries = async (stage?: string) => listEntries(await jetstreamManager(nc), { stage, limit: 1000 });

async function startRemediation(name: string) {
  const env = loadEnv({ NATS_URL: nats.url, MUTT_HTTP_PORT: '0', MOOG_WEBHOOK_URL: moog.url, MUTT_ACK_WAIT_MS: '5000' });
  const p = await startProcess({ env, name, actors: [remediation], log: createLogger('silent') });
  procs.push(p);
  await waitFor(() => p.health.ready(), 5000, 'remediation ready');
}

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  await provision(nc, loadEnv({ NATS_URL: nats.url }));
  moog = await startFakeMoog({});
  await setConfig(nc, { remediation_interval_seconds: 1, remediation_batch_size: 100, remediation_max_replays: 2 });
});

t.after(async () => {
  for (const p of procs) await p.stop();
  await moog.close();
  await nc.close();
  await nats.stop();
});

t('listing reads many dead letters in batches: stage filter, page after a sequence, time filter, purge', async () => {
  for (let i = 0; i < 150; i++) await addDeadLetter(`list-${i}`, i % 3 === 0 ? 'listtest-a' : 'listtest-b', 'rejected');
  const jsm = await jetstreamManager(nc);
  const a = await listEntries(jsm, { stage: 'listtest-a', limit: 1000 });
  assert.equal(
    a.map((e) => e.subject),
    Array(50).fill('mutt.dlq.listtest-a.rejected'),
  );
  assert.ok(
    a.every((e) => e.entry.reason === 'rejected' && e.time > 0 && e.entry.originalPayload.length > 0),
    'entries decoded, with stored time',
  );
  const firstPage = await listEntries(jsm, { stage: 'listtest-b', limit: 70 });
  const secondPage = await listEntries(jsm, { stage: 'listtest-b', limit: 70, afterSeq: firstPage[firstPage.length - 1].seq });
  assert.equal([firstPage.length, secondPage.length], [70, 30]);
  const seqs = [...firstPage, ...secondPage].map((e) => e.seq);
  assert.equal(
    seqs,
    [...seqs].sort((x, y) => x - y),
    'oldest first',
  );
  assert.is(new Set(seqs).size, 100, 'pages do not overlap');
  assert.equal(await listEntries(jsm, { stage: 'listtest-b', since: Date.now() + 60_000 }), []);
  assert.is(await purgeEntries(jsm, { stage: 'listtest-a' }), 50);
  assert.is(await purgeEntries(jsm, { stage: 'listtest-b' }), 100);
  assert.equal(await listEntries(jsm, { stage: 'listtest-b' }), []);
  assert.equal((await jsm.consumers.list(StreamName.dlq).next()).length, 0, 'no reader consumer left behind');
});

t('while Moogsoft is down nothing is replayed; once healthy, transient entries go back to MUTT_ALERTS', async () => {
  moog.control({ status: 503 });
  for (let i = 0; i < 5; i++) await addDeadLetter(`t-${i}`, 'forwarder', 'retries_exhausted');
  await startRemediation('rem-a');
  // Each of the five was looked at and held back for the unhealthy dependency (a retry, reason 'dependency').
  await waitFor(
    async () => (await metric('mutt_remediation_failed_total', { reason: 'dependency' })) >= 5,
    15_000,
    'the five held back for Moogsoft',
  );
  assert.is(await alertsStored(), 0, 'nothing replayed into an unhealthy Moogsoft');
  assert.is((await entries('forwarder')).length, 5);
  moog.control({ status: 200 });
  await waitFor(async () => (await alertsStored()) === 5, 15_000, 'five replayed');
  assert.is((await entries('forwarder')).length, 0, 'replayed entries left the DLQ');
});

t('permanent reasons and entries replayed too often are quarantined', async () => {
  await addDeadLetter('p-1', 'alerter', 'schema_invalid');
  await addDeadLetter('p-2', 'forwarder', 'retries_exhausted', 2);
  await waitFor(async () => (await entries('quarantine')).length === 2, 10_000, 'two quarantined');
  const q = await entries('quarantine');
  assert.equal(q.map((e) => e.subject).sort(), ['mutt.dlq.quarantine.max_replays', 'mutt.dlq.quarantine.schema_invalid']);
  assert.ok(q.every((e) => e.entry.stage === 'quarantine'));
});

t('two replicas replay each entry exactly once; remediation_enabled=false stops replays', async () => {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.purge(StreamName.alerts);
  await startRemediation('rem-b');
  for (let i = 0; i < 20; i++) await addDeadLetter(`d-${i}`, 'forwarder', 'expired');
  await waitFor(async () => (await entries('forwarder')).length === 0, 15_000, 'all replayed');
  // Neither replica still holds a delivery that could replay a second copy.
  await waitFor(
    async () => (await (await jetstreamManager(nc)).consumers.info(StreamName.dlq, Durable.remediation)).num_ack_pending === 0,
    10_000,
    'no delivery in progress',
  );
  assert.is(await alertsStored(), 20, 'each entry stored once in MUTT_ALERTS');

  await setConfig(nc, { remediation_enabled: false });
  await waitFor(() => procs.every((p) => p.config.get().remediation_enabled === false), 5000, 'every replica sees remediation disabled');
  await addDeadLetter('off-1', 'forwarder', 'retries_exhausted');
  // Delivered to a replica and held at its closed gate, not replayed.
  await waitFor(async () => (await metric('mutt_remediation_held_messages')) >= 1, 10_000, 'the dead letter held at the closed gate');
  assert.is((await entries('forwarder')).length, 1, 'kept while disabled');
  assert.is(await alertsStored(), 20, 'nothing replayed while disabled');
  await setConfig(nc, { remediation_enabled: true });
  await waitFor(async () => (await entries('forwarder')).length === 0, 10_000, 'replayed once re-enabled');
});

t.run();
