import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Counter, Histogram, Registry } from 'prom-client';
import { collectSeries, CounterSamples, parseSeriesKey, seriesKey } from '../../gateway/services/counter-samples.ts';
import {
  budgetRemaining,
  burnRate,
  histogramBuckets,
  quantileFromBuckets,
  selects,
  sloStatus,
  sumSelected,
} from '../../gateway/services/slo-math.ts';
import { SloService } from '../../gateway/services/slo.ts';
import { SLOS, sloMetricNames } from '../../gateway/services/slo-definitions.ts';
import type { ActorHealthTable } from '../../gateway/services/health-table.ts';

const t = suite('SLO arithmetic, samples and service');
const H = 3_600_000;

t('burn rate and error budget', () => {
  assert.is(Math.round(burnRate(0.998, 0.999) * 1000) / 1000, 2);
  assert.is(burnRate(1, 0.999), 0);
  assert.is(Math.round(budgetRemaining(0.998, 0.999) * 1000) / 1000, -1);
  assert.is(budgetRemaining(1, 0.999), 1);
  assert.is(burnRate(0.5, 1), Infinity);
  assert.is(burnRate(1, 1), 0);
  assert.is(budgetRemaining(1, 1), 1);
  assert.is(budgetRemaining(0.9, 1), -Infinity);
});

t('status: critical / warning by burn windows, breaching below target, no_data without events', () => {
  const base = { objective: 0.99, critical: 14.4, warning: 6 };
  assert.is(sloStatus({ ...base, actual: null, burnCritical: null, burnWarning: null }), 'no_data');
  assert.is(sloStatus({ ...base, actual: 0.5, burnCritical: 20, burnWarning: 20 }), 'critical');
  assert.is(sloStatus({ ...base, actual: 0.9, burnCritical: 2, burnWarning: 7 }), 'warning');
  assert.is(sloStatus({ ...base, actual: 0.985, burnCritical: null, burnWarning: 1.5 }), 'breaching');
  assert.is(sloStatus({ ...base, actual: 0.995, burnCritical: 0.5, burnWarning: 0.5 }), 'ok');
});

t('quantiles from cumulative buckets (histogram_quantile)', () => {
  assert.is(quantileFromBuckets(0.99, []), null);
  assert.is(
    quantileFromBuckets(0.5, [
      [1, 0],
      [Infinity, 0],
    ]),
    null,
  );
  const b: [number, number][] = [
    [0.5, 90],
    [1, 100],
    [Infinity, 100],
  ];
  assert.is(Math.round(quantileFromBuckets(0.99, b)! * 1000) / 1000, 0.95);
  assert.is(quantileFromBuckets(0.5, b)! < 0.5, true);
  assert.is(
    quantileFromBuckets(0.99, [
      [1, 10],
      [Infinity, 100],
    ]),
    1,
    'beyond the last finite bucket: its bound',
  );
  assert.is(
    quantileFromBuckets(0.5, [
      [1, 0],
      [2, 0],
      [Infinity, 0.0001],
    ]),
    2,
  );
});

t('series keys, selectors and sums', () => {
  const key = seriesKey('mutt_x_total', { reason: 'stream_full', instance: 'i1', input: 'http' });
  assert.is(key, 'mutt_x_total{input="http",reason="stream_full"}');
  assert.equal(parseSeriesKey(key), { name: 'mutt_x_total', labels: { input: 'http', reason: 'stream_full' } });
  assert.equal(parseSeriesKey('plain'), { name: 'plain', labels: {} });
  assert.ok(selects({ metric: 'mutt_x_total', labels: { reason: ['stream_full', 'error'] } }, key));
  assert.not.ok(selects({ metric: 'mutt_x_total', labels: { reason: ['error'] } }, key));
  assert.not.ok(selects({ metric: 'mutt_y_total' }, key));
  const values = new Map([
    [`a|${key}`, 2],
    ['b|mutt_x_total{reason="invalid"}', 5],
    ['a|mutt_h_seconds_bucket{le="1"}', 3],
    ['b|mutt_h_seconds_bucket{le="1"}', 4],
    ['a|mutt_h_seconds_bucket{le="+Inf"}', 9],
  ]);
  assert.is(sumSelected(values, [{ metric: 'mutt_x_total' }]), 7);
  assert.equal(histogramBuckets(values, 'mutt_h_seconds'), [
    [1, 7],
    [Infinity, 9],
  ]);
  assert.ok(sloMetricNames().has('mutt_forwarder_end_to_end_seconds'));
});

t('increase: resets count from zero, new series of a known source count fully, a new source is a baseline', () => {
  const s = new CounterSamples({ minSpacingMs: 0 });
  assert.equal(s.increase(H, 0), { values: new Map(), coveredMs: 0 });
  s.add(0, new Map([['a|x', 10]]), ['a']);
  s.add(
    1000,
    new Map([
      ['a|x', 15],
      ['a|y', 4],
      ['b|x', 100],
    ]),
    ['a', 'b'],
  );
  s.add(
    2000,
    new Map([
      ['a|x', 3],
      ['a|y', 6],
      ['b|x', 101],
    ]),
    ['a', 'b'],
  );
  const inc = s.increase(H, 2000);
  assert.equal(Object.fromEntries(inc.values), { 'a|x': 8, 'a|y': 6, 'b|x': 1 });
  assert.is(inc.coveredMs, 2000);
  const last = s.increase(1000, 2000);
  assert.equal(Object.fromEntries(last.values), { 'a|x': 3, 'a|y': 2, 'b|x': 1 });
  s.add(1500, new Map([['a|x', 999]]));
  assert.is(s.size, 3, 'out-of-order samples are ignored');
});

t('samples close together replace each other; old ones thin out to one per hour, then expire', () => {
  const s = new CounterSamples({ minSpacingMs: 10_000, fineForMs: 2 * H, keepMs: 10 * H });
  s.add(0, new Map([['a|x', 1]]));
  s.add(1000, new Map([['a|x', 2]]));
  s.add(2000, new Map([['a|x', 3]]));
  assert.is(s.size, 2);
  for (let m = 1; m <= 12 * 60; m += 10) s.add(m * 60_000, new Map([['a|x', m]]));
  assert.ok(s.size < 30, `${s.size} samples kept`);
  assert.ok(s.oldest! >= 2 * H, 'older than keepMs dropped');
});

t('collectSeries reads counters and histogram buckets by name', async () => {
  const reg = new Registry();
  reg.setDefaultLabels({ instance: 'x' });
  const c = new Counter({ name: 'mutt_forwarder_deliveries_total', help: 'h', labelNames: ['outcome'], registers: [reg] });
  const h = new Histogram({ name: 'mutt_forwarder_end_to_end_seconds', help: 'h', buckets: [5], registers: [reg] });
  new Counter({ name: 'unrelated_total', help: 'h', registers: [reg] }).inc();
  c.inc({ outcome: 'delivered' }, 3);
  h.observe(2);
  const series = await collectSeries(reg, sloMetricNames());
  assert.is(series['mutt_forwarder_deliveries_total{outcome="delivered"}'], 3);
  assert.is(series['mutt_forwarder_end_to_end_seconds_bucket{le="5"}'], 1);
  assert.is(series['mutt_forwarder_end_to_end_seconds_count'], 1);
  assert.is(series['unrelated_total'], undefined);
});

function fakeHealth(metrics: Record<string, number> | null): ActorHealthTable {
  return { remoteMetrics: () => (metrics ? [{ instance: 'fwd/node2', metrics }] : []) } as unknown as ActorHealthTable;
}

t('the service: ratios, burn rates, status and latency from local counters and heartbeat metrics', async () => {
  let now = 10 * H;
  const reg = new Registry();
  const accepted = new Counter({ name: 'mutt_gateway_events_accepted_total', help: 'h', labelNames: ['input'], registers: [reg] });
  const rejected = new Counter({
    name: 'mutt_gateway_events_rejected_total',
    help: 'h',
    labelNames: ['input', 'reason'],
    registers: [reg],
  });
  const processed = new Counter({ name: 'mutt_alerter_processed_total', help: 'h', registers: [reg] });
  const latency = new Histogram({ name: 'mutt_forwarder_end_to_end_seconds', help: 'h', buckets: [0.5, 1, 5, 10], registers: [reg] });
  const remote: Record<string, number> = {
    'mutt_forwarder_deliveries_total{outcome="delivered"}': 1000,
    'mutt_forwarder_dead_lettered_total{reason="rejected"}': 0,
    unrelated_total: 5,
  };
  const svc = new SloService(reg, fakeHealth(remote), () => ({ slo_window_hours: 24 }), { now: () => now });

  await svc.sample();
  now += 30 * 60_000;
  accepted.inc({ input: 'http' }, 9990);
  rejected.inc({ input: 'http', reason: 'stream_full' }, 10);
  rejected.inc({ input: 'http', reason: 'rate_limited' }, 500);
  processed.inc(500);
  for (let i = 0; i < 99; i++) latency.observe(0.7);
  latency.observe(8);
  remote['mutt_forwarder_deliveries_total{outcome="delivered"}'] = 1980;
  remote['mutt_forwarder_dead_lettered_total{reason="rejected"}'] = 20;

  const r = await svc.report([2]);
  assert.equal(
    r.slos.map((s) => s.name),
    SLOS.map((s) => s.name),
  );
  assert.equal(
    r.slos[0].windows.map((w) => w.hours),
    [1, 2, 6, 24],
  );
  const ingest = r.slos.find((s) => s.name === 'ingest_availability')!;
  assert.is(ingest.actual, 0.999, '429s are not failures, 5xx are');
  assert.is(Math.round(ingest.burn_rate! * 100) / 100, 1);
  assert.is(ingest.status, 'ok');
  assert.is(ingest.windows[0].covered_hours, 0.5);
  const fwd = r.slos.find((s) => s.name === 'forwarder_success')!;
  assert.is(fwd.actual, 0.98, 'heartbeat metrics of another process count');
  assert.is(Math.round(fwd.burn_rate!), 4);
  assert.is(fwd.status, 'breaching', 'below target, burn 4 is under both thresholds');
  assert.match(fwd.message, /below target/);
  const alerter = r.slos.find((s) => s.name === 'alerter_success')!;
  assert.is(alerter.actual, 1);
  assert.is(alerter.status, 'ok');
  const e2e = r.slos.find((s) => s.name === 'end_to_end_latency')!;
  assert.is(e2e.actual, 0.99);
  assert.ok(e2e.quantile_seconds! > 0.5 && e2e.quantile_seconds! <= 1, String(e2e.quantile_seconds));
  assert.is(e2e.threshold_seconds, 5);
  assert.match(e2e.message, /p99/);

  now += 10 * 60_000;
  remote['mutt_forwarder_deliveries_total{outcome="delivered"}'] = 2080;
  remote['mutt_forwarder_dead_lettered_total{reason="rejected"}'] = 520;
  const worse = (await svc.report()).slos.find((s) => s.name === 'forwarder_success')!;
  assert.is(worse.status, 'critical');
  assert.match(worse.message, /burn rate \d+\.\d× over 1 h/);
  assert.is(worse.windows.length, 3);
});

t('without any events every SLO says no_data', async () => {
  const svc = new SloService(new Registry(), null, () => ({ slo_window_hours: 6 }));
  const r = await svc.report();
  assert.ok(r.slos.every((s) => s.status === 'no_data' && s.actual === null && s.burn_rate === null));
  assert.match(r.slos[0].message, /no events in the last 6 h/);
  assert.equal(
    r.slos[0].windows.map((w) => w.hours),
    [1, 6],
  );
  svc.start().stop();
});

t.run();
