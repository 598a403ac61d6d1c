import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { loadEnv } from '../../protocol/env.ts';
import { Bucket } from '../../protocol/streams.ts';
import { addToCounter, hourKey, minuteKey, openIngestCounters, type IngestCounters } from '../../gateway/ingest/counters.ts';

let nats: TestNats;
let nc: NatsConnection;
const open: IngestCounters[] = [];

test.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
  await provision(nc, loadEnv({})); // file storage: the bucket must survive a server restart
});

test.after(async () => {
  for (const c of open) await c.close().catch(() => undefined);
  await nc?.close();
  await nats?.stop();
});

async function reset() {
  const kvm = new Kvm(nc);
  await (await kvm.open(Bucket.counters)).destroy();
  await kvm.create(Bucket.counters, { history: 1, ttl: 26 * 3600 * 1000 });
}

async function counters(now: () => number, flushIntervalMs = 60_000) {
  const c = await openIngestCounters(nc, { now, flushIntervalMs, timeoutMs: 500 });
  open.push(c);
  return c;
}

const T = Date.UTC(2025, 10, 12, 9, 30, 20); // 09:30:20 UTC
const M = Math.floor(T / 60_000);
const H = Math.floor(T / 3_600_000);

test('keys are per UTC minute and hour', () => {
  assert.is(minuteKey(M), 'ingest.1m.202511120930');
  assert.is(hourKey(H), 'ingest.1h.2025111209');
});

test('add is local until flushed; then readable per minute and hour', async () => {
  await reset();
  const c = await counters(() => T);
  c.add(3);
  c.add(2, T - 60_000);
  c.add(0);
  c.add(-4);
  assert.is(c.pending(), 5);
  assert.equal(
    (await c.series(M - 1, M)).map((m) => m.count),
    [0, 0],
    'nothing in KV before the flush',
  );
  await c.flush();
  assert.is(c.pending(), 0);
  assert.equal(await c.series(M - 2, M), [
    { minute: M - 2, count: 0 },
    { minute: M - 1, count: 2 },
    { minute: M, count: 3 },
  ]);
  assert.equal(await c.hourly(H - 1, H), [
    { hour: H - 1, count: 0 },
    { hour: H, count: 5 },
  ]);
});

test('the timer flushes by itself', async () => {
  await reset();
  const c = await counters(() => T, 50);
  c.add(7);
  const deadline = Date.now() + 3000;
  while ((await c.series(M, M))[0].count !== 7) {
    if (Date.now() > deadline) throw new Error('not flushed by the timer');
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.is(c.pending(), 0);
});

test('two replicas adding concurrently lose nothing (compare-and-set)', async () => {
  await reset();
  const a = await counters(() => T);
  const b = await counters(() => T);
  const rounds = 20;
  const work: Promise<void>[] = [];
  for (let i = 0; i < rounds; i++) {
    a.add(1);
    b.add(2);
    work.push(a.flush(), b.flush());
  }
  await Promise.all(work);
  await a.flush();
  await b.flush();
  assert.is((await a.series(M, M))[0].count, rounds * 3);
  assert.is((await b.hourly(H, H))[0].count, rounds * 3);
  const kv = await new Kvm(nc).open(Bucket.counters);
  const parallel = await Promise.all(Array.from({ length: 10 }, () => addToCounter(kv, 'ingest.1m.test', 1)));
  assert.equal(
    [...parallel].sort((x, y) => x - y),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
});

test('summary: last complete minute, 15 min and 1 h means (empty minutes count 0), 24 h chart', async () => {
  await reset();
  const c = await counters(() => T);
  c.add(30, T - 60_000); // 09:29
  c.add(15, T - 10 * 60_000); // 09:20
  c.add(60, T - 30 * 60_000); // 09:00
  c.add(4); // 09:30, this minute
  c.add(120, T - 3_600_000); // 08:30
  await c.flush();
  const s = await c.summary();
  assert.equal(s.summary, { current_rate_1m: 30, this_minute: 4, avg_rate_15m: 3, avg_rate_1h: 3.75 });
  assert.is(s.chart_24h.labels.length, 24);
  assert.is(s.chart_24h.labels[23], '09:00');
  assert.is(s.chart_24h.labels[22], '08:00');
  assert.is(s.chart_24h.labels[0], '10:00');
  assert.is(s.chart_24h.data[22], 2); // 120 events in 08:00-08:59 -> 2 per minute
  assert.is(s.chart_24h.data[23], 3.52); // 109 events in the 31 minutes of 09:00-09:30 so far
  assert.is(s.chart_24h.data[0], 0);
});

test('a tally that cannot be flushed is kept and written once NATS is back', async () => {
  await reset();
  let now = T;
  const c = await counters(() => now);
  c.add(5);
  await nats.kill();
  const flushed = c.flush();
  await flushed;
  assert.is(c.pending(), 5, 'kept after a failed flush');
  await nats.restart();
  const deadline = Date.now() + 10_000;
  for (;;) {
    await c.flush();
    if (c.pending() === 0) break;
    if (Date.now() > deadline) throw new Error('never flushed after restart');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.is((await c.series(M, M))[0].count, 5);
  now = T + 27 * 3_600_000;
  c.add(1, T); // a minute older than the bucket keeps: dropped if it cannot be written
  await nats.kill();
  await c.flush();
  assert.is(c.pending(), 0, 'aged-out tally dropped');
  await nats.restart();
});

test.run();
