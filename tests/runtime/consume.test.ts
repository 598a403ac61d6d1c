// The actor runtime against a real nats-server: ack, retry after the scheduled delay, DLQ with reason and
// attempts, bad payloads dead-lettered without blocking, consumer recreation, gate pause, readiness.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { sampleEvent, testActor } from '../helpers/test-actor.ts';
import { loadEnv } from '../../protocol/env.ts';
import { encode, decode } from '../../protocol/codec.ts';
import { DlqEntry, IngestEvent } from '../../protocol/messages.ts';
import { subjects } from '../../protocol/subjects.ts';
import { StreamName } from '../../protocol/streams.ts';
import { startProcess, type RunningProcess } from '../../actors/runtime/process.ts';
import { createLogger } from '../../actors/runtime/logger.ts';

const t = suite('runtime consume loop');
let nats: TestNats;
let nc: NatsConnection;
let js: JetStreamClient;
let proc: RunningProcess;
const seen = new Map<string, { what: string; attempt: number; at: number }[]>();
let gateClosed: { promise: Promise<void>; open: () => void } | undefined;

function record(subject: string, data: Uint8Array) {
  const [, what, id] = subject.split('.');
  const { attempt } = JSON.parse(Buffer.from(data).toString());
  const list = seen.get(id) ?? [];
  list.push({ what, attempt, at: Date.now() });
  seen.set(id, list);
}

async function publishEvent(id: string, message: string) {
  await js.publish(subjects.event('syslog', 'test.host'), encode(IngestEvent, sampleEvent(id, message)), { msgID: id });
}

async function dlqEntries(): Promise<{ subject: string; entry: DlqEntry }[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(StreamName.dlq);
  const out = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(StreamName.dlq, { seq }).catch(() => null);
    if (!m) continue;
    const d = decode(DlqEntry, m.data);
    if (d.ok) out.push({ subject: m.subject, entry: d.value });
  }
  return out;
}

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  nc.subscribe('test.>', { callback: (_e, m) => record(m.subject, m.data) });
  const env = loadEnv({ NATS_URL: nats.url, MUTT_HTTP_PORT: '0', MUTT_ACK_WAIT_MS: '2000', LOG_LEVEL: 'silent' });
  proc = await startProcess({
    env,
    name: 'test',
    log: createLogger('silent'),
    actors: [testActor({ backoffMs: [300, 300], gate: () => gateClosed?.promise })],
  });
  await waitFor(() => proc.health.ready(), 5000, 'process ready');
});

t.after(async () => {
  await proc.stop();
  await nc.close();
  await nats.stop();
});

t('a handler that succeeds acks: the work-queue stream is empty afterwards', async () => {
  await publishEvent('ok-1', 'ok');
  await waitFor(() => seen.get('ok-1')?.some((s) => s.what === 'done') ?? false, 5000, 'ok-1 done');
  const jsm = await jetstreamManager(nc);
  await waitFor(async () => (await jsm.streams.info(StreamName.events)).state.messages === 0, 5000, 'events stream drained');
  assert.is(seen.get('ok-1')!.length, 1);
});

t('a retryable failure is redelivered after the scheduled delay and then succeeds', async () => {
  const sent = Date.now();
  await publishEvent('retry-1', 'fail-once');
  await waitFor(() => seen.get('retry-1')?.some((s) => s.what === 'done') ?? false, 5000, 'retry-1 done');
  const done = seen.get('retry-1')!.find((s) => s.what === 'done')!;
  assert.is(done.attempt, 2);
  // backoff 300 ms ± 20 % jitter: the second attempt cannot come before 240 ms.
  assert.ok(done.at - sent >= 240, `redelivered after ${done.at - sent} ms`);
});

t('a handler that always fails lands in MUTT_DLQ with reason and attempts after the schedule', async () => {
  await publishEvent('fail-1', 'always-fail');
  await waitFor(
    async () => (await dlqEntries()).some((d) => d.entry.originalSubject.endsWith('test_host') && d.entry.lastError.includes('attempt 3')),
    8000,
    'dead letter',
  );
  const d = (await dlqEntries()).find((x) => x.entry.lastError.includes('attempt 3'))!;
  assert.is(d.subject, 'mutt.dlq.tester.retries_exhausted');
  assert.is(d.entry.reason, 'retries_exhausted');
  assert.is(d.entry.attempts, 3);
  assert.match(d.entry.firstError, /attempt 1 failed/);
  assert.is(d.entry.correlationId, undefined);
  const original = decode(IngestEvent, d.entry.originalPayload);
  assert.ok(original.ok && original.value.id === 'fail-1', 'original payload kept');
});

t('a permanent error is dead-lettered at once with status and excerpt', async () => {
  await publishEvent('perm-1', 'permanent');
  await waitFor(async () => (await dlqEntries()).some((d) => d.entry.reason === 'rejected'), 5000, 'rejected dead letter');
  const d = (await dlqEntries()).find((x) => x.entry.reason === 'rejected')!;
  assert.is(d.entry.attempts, 1);
  assert.is(d.entry.status, 400);
  assert.is(d.entry.excerpt, 'bad');
});

t('undecodable and schema-invalid payloads are dead-lettered without blocking the messages behind them', async () => {
  await js.publish(subjects.event('syslog', 'junk'), new Uint8Array([0xc1, 0xff, 0x00]));
  await js.publish(subjects.event('syslog', 'junk'), encode(DlqEntry.partial(), {}));
  await js.publish(subjects.event('syslog', 'junk'), Buffer.from('{"kind":"syslog","host":"x"}'), { headers: undefined });
  await publishEvent('after-junk', 'ok');
  await waitFor(() => seen.get('after-junk')?.some((s) => s.what === 'done') ?? false, 5000, 'message behind junk handled');
  await waitFor(
    async () => (await dlqEntries()).filter((d) => d.entry.originalSubject === 'mutt.events.syslog.junk').length === 3,
    5000,
    'three junk dead letters',
  );
  const reasons = (await dlqEntries())
    .filter((d) => d.entry.originalSubject === 'mutt.events.syslog.junk')
    .map((d) => d.entry.reason)
    .sort();
  assert.equal(reasons, ['schema_invalid', 'schema_invalid', 'undecodable']);
});

t('a handler running three times the ack wait keeps its message: done once, never redelivered', async () => {
  // MUTT_ACK_WAIT_MS is 2,000 here: without the runtime's working() the server would redeliver at 2 s and 4 s.
  await publishEvent('slow-1', 'sleep:6000');
  await waitFor(() => seen.get('slow-1')?.some((s) => s.what === 'done') ?? false, 15_000, 'slow handler done');
  await new Promise((r) => setTimeout(r, 2500));
  const starts = (seen.get('slow-1') ?? []).filter((s) => s.what === 'started');
  assert.equal(
    starts.map((s) => s.attempt),
    [1],
    'started once, on the first delivery',
  );
});

t('a deleted consumer is recreated and consumption resumes', async () => {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.delete(StreamName.events, 'tester');
  await publishEvent('after-delete', 'ok');
  await waitFor(() => seen.get('after-delete')?.some((s) => s.what === 'done') ?? false, 15_000, 'handled after consumer deletion');
  assert.ok(await jsm.consumers.info(StreamName.events, 'tester'));
});

t('a closed gate pauses pulling without spending attempts', async () => {
  let open!: () => void;
  gateClosed = { promise: new Promise<void>((r) => (open = r)), open: () => open() };
  await publishEvent('gated-1', 'ok');
  await new Promise((r) => setTimeout(r, 2500)); // longer than ack-wait (2 s)
  assert.not.ok(seen.get('gated-1'), 'not handled while the gate is closed');
  const g = gateClosed;
  gateClosed = undefined;
  g.open();
  await waitFor(() => seen.get('gated-1')?.some((s) => s.what === 'done') ?? false, 5000, 'handled after gate opens');
  assert.is(seen.get('gated-1')![0].attempt, 1, 'first attempt: pausing spent none');
});

t('/readyz turns unready when NATS goes away and ready again after it returns', async () => {
  const url = `http://127.0.0.1:${proc.httpPort}`;
  assert.is((await fetch(`${url}/readyz`)).status, 200);
  assert.is((await fetch(`${url}/healthz`)).status, 200);
  await nats.kill();
  await waitFor(async () => (await fetch(`${url}/readyz`)).status === 503, 10_000, 'unready');
  const body = (await (await fetch(`${url}/readyz`)).json()) as { components: Record<string, { ready: boolean }> };
  assert.is(body.components.nats.ready, false);
  assert.is((await fetch(`${url}/healthz`)).status, 200, 'still alive');
  await nats.restart();
  await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, 20_000, 'ready again');
  await publishEvent('after-restart', 'ok');
  await waitFor(() => seen.get('after-restart')?.some((s) => s.what === 'done') ?? false, 15_000, 'handled after NATS restart');
});

t('/metrics exposes per-actor counters', async () => {
  const text = await (await fetch(`http://127.0.0.1:${proc.httpPort}/metrics`)).text();
  assert.match(text, /mutt_tester_processed_total\{instance="[^"]+"\} \d+/);
  assert.match(text, /mutt_tester_dead_lettered_total\{reason="retries_exhausted"/);
  assert.match(text, /mutt_tester_handler_duration_seconds_bucket/);
});

t.run();
