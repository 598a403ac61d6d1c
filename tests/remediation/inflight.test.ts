// Remediation's record of unfinished handler starts: the rules (a start counts, any outcome clears it, a late
// outcome of an abandoned start leaves a newer one alone, poison at POISON_AFTER_STARTS), and against a real
// nats-server that a long wait for Moogsoft — many deliveries, each ending in nak(delay) — is never poison.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { setConfig } from '../helpers/mutt-config.ts';
import { makeAlert } from '../forwarder/alert-fixture.ts';
import { startFakeMoog, type FakeMoog } from '../../bench/fake-moog.ts';
import { loadEnv } from '../../protocol/env.ts';
import { encode } from '../../protocol/codec.ts';
import { Alert } from '../../protocol/messages.ts';
import { Bucket, Durable, StreamName } from '../../protocol/streams.ts';
import { subjects } from '../../protocol/subjects.ts';
import { startProcess, type RunningProcess } from '../../actors/runtime/process.ts';
import { createLogger } from '../../actors/runtime/logger.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { deadLetter } from '../../actors/runtime/dead-letter.ts';
import { listEntries } from '../../actors/remediation/replay.ts';
import { InflightLedger, POISON_AFTER_STARTS, recordOutcome, recordStart } from '../../actors/remediation/inflight.ts';
import remediation from '../../actors/remediation/actor.ts';

const t = suite('remediation in-flight record');
let nats: TestNats;
let nc: NatsConnection;
let moog: FakeMoog;
let proc: RunningProcess | undefined;

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  await provision(nc, loadEnv({ NATS_URL: nats.url }));
  moog = await startFakeMoog({});
  await setConfig(nc, { remediation_interval_seconds: 1, remediation_batch_size: 100, remediation_max_replays: 3 });
});

t.after(async () => {
  await proc?.stop();
  await moog.close();
  await nc.close();
  await nats.stop();
});

t('a start counts until its outcome; a late outcome of an older start keeps the newer one; poison at the ceiling', () => {
  let s = recordStart({}, 7, 1, 1000).state;
  assert.is(s[7].n, 1);
  s = recordOutcome(s, 7, 1).state;
  assert.equal(s, {}, 'an outcome clears it');
  for (let d = 1; d <= POISON_AFTER_STARTS; d++) {
    const r = recordStart(s, 7, d, 1000 + d);
    assert.equal(r.result, { unfinished: d - 1, poison: false });
    s = r.state;
  }
  assert.is(recordOutcome(s, 7, 1).result, false, 'the abandoned first start settling late leaves the latest');
  const poisoned = recordStart(s, 7, POISON_AFTER_STARTS + 1, 2000);
  assert.equal(poisoned.result, { unfinished: POISON_AFTER_STARTS, poison: true });
  assert.is(poisoned.state, s, 'nothing written for a poison delivery');
  assert.equal(
    recordStart({ 9: { n: 2, delivery: 2, at: 0 } }, 7, 1, 25 * 3600_000).state,
    { 7: { n: 1, delivery: 1, at: 25 * 3600_000 } },
    'entries untouched for a day dropped',
  );
});

t('Moogsoft unhealthy for many deliveries: the dead letter waits, is never poison, and is replayed once healthy', async () => {
  moog.control({ status: 503 });
  const js = jetstream(nc);
  const id = 'waiting-1';
  await deadLetter(js, {
    stage: 'forwarder',
    reason: 'retries_exhausted',
    attempts: 3,
    firstError: 'HTTP 503',
    lastError: 'HTTP 503',
    firstSeenAt: Date.now() - 5000,
    originalSubject: subjects.alert('NETO'),
    originalStream: StreamName.alerts,
    originalSeq: 1,
    originalPayload: encode(Alert, makeAlert({ id, eventId: id, event: { id } })),
  });
  const jsm = await jetstreamManager(nc);
  const seq = (await jsm.streams.info(StreamName.dlq)).state.last_seq;
  const env = loadEnv({ NATS_URL: nats.url, MUTT_HTTP_PORT: '0', MOOG_WEBHOOK_URL: moog.url, MUTT_ACK_WAIT_MS: '5000' });
  proc = await startProcess({ env, name: 'rem-wait', actors: [remediation], log: createLogger('silent') });
  await waitFor(() => proc!.health.ready(), 5000, 'remediation ready');
  const deliveries = 2 * POISON_AFTER_STARTS + 1;
  await waitFor(
    async () =>
      ((await jsm.consumers.info(StreamName.dlq, Durable.remediation).catch(() => null))?.delivered.consumer_seq ?? 0) >= deliveries,
    30_000,
    `${deliveries} deliveries`,
  );
  assert.equal(await listEntries(jsm, { stage: 'quarantine' }), [], 'not quarantined');
  assert.is((await listEntries(jsm, { stage: 'forwarder' })).length, 1, 'still waiting in the DLQ');
  const ledger = new InflightLedger(await new Kvm(nc).open(Bucket.state));
  await waitFor(async () => (await ledger.unfinished(seq)) === 0, 5000, 'no unfinished start recorded between waits');
  moog.control({ status: 200 });
  await waitFor(async () => (await jsm.streams.info(StreamName.alerts)).state.messages === 1, 20_000, 'replayed once healthy');
  assert.equal(await listEntries(jsm, { stage: 'quarantine' }), []);
});

t.run();
