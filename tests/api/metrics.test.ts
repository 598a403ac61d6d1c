import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Kvm } from '@nats-io/kv';
import { AckPolicy } from '@nats-io/jetstream';
import { deadLetter } from '../../actors/runtime/dead-letter.ts';
import { initialBreaker, recordResults } from '../../actors/forwarder/breaker.ts';
import { encode } from '../../protocol/codec.ts';
import { IngestEvent } from '../../protocol/messages.ts';
import { Bucket, StreamName } from '../../protocol/streams.ts';
import { subjects } from '../../protocol/subjects.ts';
import { ActorHealthTable } from '../../gateway/services/health-table.ts';
import { sampleEvent } from '../helpers/test-actor.ts';
import { waitFor } from '../helpers/wait.ts';
import { apiFixture, KEYS, type ApiFixture } from './fixture.ts';
import { BREAKER_KEY } from '../../protocol/state-keys.ts';

const t = suite('metrics, actors and SLO API');
let f: ApiFixture;

function heartbeat(process: string, instance: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    instance,
    process,
    pid: 42,
    version: '3.0.0',
    actors: [process],
    ready: true,
    components: { nats: { ready: true, since: Date.now() } },
    startedAt: Date.now() - 1000,
    at: Date.now(),
    ...extra,
  });
}

t.before(async () => {
  f = await apiFixture();
});
t.after(async () => {
  await f?.close();
});

t('health table: latest heartbeat per instance, stale after the limit, forgotten later, bad ones counted', async () => {
  let now = 1_000_000;
  const table = ActorHealthTable.start(f.nc, { staleAfterMs: 15_000, forgetAfterMs: 60_000, now: () => now });
  try {
    f.nc.publish(subjects.heartbeat('alerter', 'n1'), heartbeat('alerter', 'n1', { metrics: { mutt_alerter_processed_total: 5 } }));
    f.nc.publish(subjects.heartbeat('alerter', 'n2'), heartbeat('alerter', 'n2', { ready: false }));
    f.nc.publish(subjects.heartbeat('forwarder', 'n1'), heartbeat('forwarder', 'n1'));
    f.nc.publish(subjects.heartbeat('junk', 'x'), 'not json');
    f.nc.publish(subjects.heartbeat('junk', 'y'), JSON.stringify({ process: 'junk' }));
    await waitFor(() => table.processes().length === 3 && table.malformed === 2, 2000, 'heartbeats');
    assert.equal(table.actors(), { alerter: { instances: 2, ready: 1, stale: 0 }, forwarder: { instances: 1, ready: 1, stale: 0 } });
    assert.equal(
      table.remoteMetrics('n2').map((r) => r.instance),
      ['alerter/n1'],
    );
    now += 16_000;
    f.nc.publish(subjects.heartbeat('forwarder', 'n1'), heartbeat('forwarder', 'n1'));
    await waitFor(() => table.processes().filter((p) => !p.stale).length === 1, 2000, 'fresh heartbeat');
    assert.equal(table.actors().alerter, { instances: 2, ready: 0, stale: 2 });
    assert.equal(table.remoteMetrics(), [], 'stale processes do not feed SLOs');
    now += 50_000;
    assert.equal(
      table.processes().map((p) => p.heartbeat.process),
      ['forwarder'],
    );
  } finally {
    table.stop();
  }
});

t('GET /api/v2/metrics: ingest rates, streams, consumer lag, DLQ by reason, breaker, actors', async () => {
  f.counters.add(7);
  await f.counters.flush();
  for (let i = 0; i < 3; i++) await f.js.publish(subjects.event('syslog', 'h1'), encode(IngestEvent, sampleEvent(`m${i}`, 'x')));
  await f.jsm.consumers.add(StreamName.events, { durable_name: 'alerter', ack_policy: AckPolicy.Explicit });
  await deadLetter(f.js, {
    stage: 'forwarder',
    reason: 'rejected',
    attempts: 1,
    firstError: 'HTTP 400',
    lastError: 'HTTP 400',
    firstSeenAt: Date.now(),
    originalSubject: 'mutt.alerts.x',
    originalStream: StreamName.alerts,
    originalPayload: new Uint8Array([1]),
  });
  await deadLetter(f.js, {
    stage: 'alerter',
    reason: 'schema_invalid',
    attempts: 1,
    firstError: 'bad',
    lastError: 'bad',
    firstSeenAt: Date.now(),
    originalSubject: 'mutt.events.x',
    originalStream: StreamName.events,
    originalPayload: new Uint8Array([2]),
  });
  const state = await new Kvm(f.nc).open(Bucket.state);
  const cfg = { failureRate: 0.5, minRequests: 2, windowSeconds: 30, openSeconds: 30 };
  const open = recordResults(initialBreaker(Date.now() - 5000), { ok: 0, fail: 5 }, Date.now(), cfg);
  await state.put(BREAKER_KEY, JSON.stringify(open));
  f.nc.publish(subjects.heartbeat('remediation', 'w1'), heartbeat('remediation', 'w1'));
  await waitFor(() => f.services.health.processes().some((p) => p.heartbeat.instance === 'w1'), 2000, 'heartbeat seen');

  const r = await f.call('GET', '/api/v2/metrics', { key: KEYS.read });
  assert.is(r.status, 200, r.text);
  assert.is(r.body.summary.this_minute, 7);
  assert.is(r.body.chart_24h.labels.length, 24);
  const events = r.body.streams.find((s: { stream: string }) => s.stream === StreamName.events);
  assert.is(events.messages, 3);
  assert.is(events.fill_ratio, 3 / 1_000_000);
  const alerter = r.body.consumers.find((c: { stage: string }) => c.stage === 'alerter');
  assert.equal([alerter.exists, alerter.num_pending], [true, 3]);
  const forwarder = r.body.consumers.find((c: { stage: string }) => c.stage === 'forwarder');
  assert.is(forwarder.exists, false);
  assert.equal(r.body.dlq.by_reason, { rejected: 1, schema_invalid: 1 });
  assert.equal(r.body.dlq.by_stage, { alerter: 1, forwarder: 1 });
  assert.is(r.body.dlq.total, 2);
  assert.equal([r.body.breaker.status, r.body.breaker.code, r.body.breaker.known], ['open', 2, true]);
  assert.is(r.body.breaker.last_transition.reason, 'failure_rate');
  assert.match(r.body.breaker.last_transition.at, /Z$/);
  assert.equal(r.body.actors.remediation, { instances: 1, ready: 1, stale: 0 });
  assert.ok(r.body.processes.some((p: { instance: string }) => p.instance === 'w1'));
  assert.match(r.body.at, /Z$/);

  await state.put(BREAKER_KEY, JSON.stringify({ garbage: true }));
  const unknown = await f.call('GET', '/api/v2/metrics');
  assert.equal([unknown.body.breaker.status, unknown.body.breaker.known, unknown.body.breaker.since], ['closed', false, null]);
  await state.put(BREAKER_KEY, 'not json');
  assert.is((await f.call('GET', '/api/v2/metrics')).body.breaker.known, false);
});

t('GET /api/v2/actors lists processes with ISO times', async () => {
  const r = await f.call('GET', '/api/v2/actors');
  assert.is(r.status, 200);
  const p = r.body.processes.find((x: { instance: string }) => x.instance === 'w1');
  assert.match(p.last_seen, /Z$/);
  assert.match(p.started_at, /Z$/);
  assert.is(p.components.nats.ready, true);
  assert.is(p.stale, false);
});

t('GET /api/v2/slo: every SLO with target and windows; ?windows adds windows; bad windows are 400', async () => {
  const r = await f.call('GET', '/api/v2/slo?windows=2,48', { key: KEYS.read });
  assert.is(r.status, 200, r.text);
  assert.equal(
    r.body.slos.map((s: { name: string }) => s.name),
    ['ingest_availability', 'forwarder_success', 'alerter_success', 'end_to_end_latency'],
  );
  assert.equal(
    r.body.slos[0].windows.map((w: { hours: number }) => w.hours),
    [1, 2, 6, 24, 48],
  );
  assert.is(r.body.window_hours, 24);
  assert.match(r.body.timestamp, /Z$/);
  for (const q of ['windows=abc', 'windows=0', 'windows=1000', 'windows=1,,2'])
    assert.is((await f.call('GET', `/api/v2/slo?${q}`)).status, 400, q);

  await f.call('PUT', '/api/v2/config/slo_window_hours', { body: { value: 12 } });
  await waitFor(() => f.ctx.config.get().slo_window_hours === 12, 1000, 'config view');
  assert.is((await f.call('GET', '/api/v2/slo')).body.window_hours, 12);
});

t.run();
