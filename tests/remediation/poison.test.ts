// A dead letter whose handling kills the remediation process every time must stop looping. Remediation waits with
// nak(delay) while Moogsoft is unhealthy, so the delivery count cannot tell a crash from a wait; its record of
// starts without an outcome (actors/remediation/inflight.ts, kept in mutt_state) can: after POISON_AFTER_STARTS
// of them the next delivery quarantines the entry as 'poison' — and a later dead letter is replayed. Runs the
// shipped `bin/mutt.js run remediation`; the "crash" is the process being SIGKILLed while its Moogsoft health
// check (a GET of MOOG_WEBHOOK_URL, made for that forwarder dead letter) is open, as an OOM would.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { setConfig } from '../helpers/mutt-config.ts';
import { spawnNode, type Spawned } from '../helpers/processes.ts';
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
let moog: Server;
let moogUrl = '';
let current: Spawned | undefined;
let crashing = true;
let crashes = 0;
let seq = 5000;

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  await provision(nc, loadEnv({ NATS_URL: nats.url }));
  await setConfig(nc, { remediation_interval_seconds: 1, remediation_batch_size: 100, remediation_max_replays: 3 });
  moog = createServer((req, res) => {
    if (crashing) {
      crashes++;
      void current?.kill('SIGKILL'); // the request stays open: the process dies handling the dead letter
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
  });
  await new Promise<void>((r) => moog.listen(0, '127.0.0.1', r));
  moogUrl = `http://127.0.0.1:${(moog.address() as AddressInfo).port}/events`;
});

t.after(async () => {
  await current?.kill('SIGKILL');
  moog.closeAllConnections();
  await new Promise((r) => moog.close(r));
  await nc.close();
  await nats.stop();
});

async function addDeadLetter(id: string) {
  const alert = makeAlert({ id, eventId: id, event: { id } });
  await deadLetter(js, {
    stage: 'forwarder', reason: 'retries_exhausted', attempts: 3, firstError: 'HTTP 503', lastError: 'HTTP 503', firstSeenAt: Date.now() - 5000,
    originalSubject: subjects.alert('NETO'), originalStream: StreamName.alerts, originalSeq: seq++, originalPayload: encode(Alert, alert),
  });
}

t('killed on every delivery, then quarantined as poison; a later dead letter is replayed', async () => {
  await addDeadLetter('poison-1');
  const poisonSeq = (await jsm.streams.info(StreamName.dlq)).state.last_seq;
  const env = { NATS_URL: nats.url, MOOG_WEBHOOK_URL: moogUrl, MUTT_ACK_WAIT_MS: '4000', LOG_LEVEL: 'info' };
  const quarantined = async () => (await listEntries(jsm, { stage: 'quarantine' })).length;
  // Restart remediation whenever it died, as systemd would, until the dead letter is quarantined.
  for (let starts = 0; (await quarantined()) === 0; starts++) {
    assert.ok(starts < POISON_AFTER_STARTS + 6, `still looping after ${starts} restarts (${crashes} crashes)`);
    const p = spawnNode('bin/mutt.js', ['run', 'remediation'], env);
    current = p;
    const outcome = await Promise.race([p.exited.then(() => 'died' as const), waitFor(async () => (await quarantined()) > 0, 30_000, 'poison quarantined').then(() => 'quarantined' as const)]);
    if (outcome === 'quarantined') break;
  }
  assert.is(crashes, POISON_AFTER_STARTS, 'one crash per recorded start, then quarantined without handling it again');
  const [q] = await listEntries(jsm, { stage: 'quarantine' });
  assert.is(q.subject, 'mutt.dlq.quarantine.poison');
  assert.is(q.entry.reason, 'poison');
  assert.match(q.entry.lastError, /^\[forwarder\] /, 'keeps where it came from');
  assert.equal(await listEntries(jsm, { stage: 'forwarder' }), [], 'left the DLQ');
  const ledger = new InflightLedger(await new Kvm(nc).open(Bucket.state));
  assert.is(await ledger.unfinished(poisonSeq), 0, 'its in-flight record removed');

  // Moogsoft answers again: a normal dead letter goes back to MUTT_ALERTS.
  crashing = false;
  if (current!.child.exitCode !== null || current!.child.signalCode !== null) current = spawnNode('bin/mutt.js', ['run', 'remediation'], env);
  await addDeadLetter('ok-1');
  await waitFor(async () => (await jsm.streams.info(StreamName.alerts)).state.messages === 1, 20_000, 'the later dead letter replayed');
  assert.equal(await listEntries(jsm, { stage: 'forwarder' }), [], 'replayed entry left the DLQ');
  assert.is(await quarantined(), 1, 'only the poison one quarantined');
});

t.run();
