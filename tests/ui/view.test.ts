// The UI's pure parts, without NATS: the dashboard view built from a metrics snapshot (badges for stale,
// degraded, open, full), chart geometry, time and number formatting, the config form's value reading, the
// config-audit change summary, where a login may send you back to, and how failures map to pages.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HTTPException } from 'hono/http-exception';
import { chartGeometry, niceCeiling, formatRate } from '../../gateway/ui/dashboard/chart.ts';
import { dashboardView } from '../../gateway/ui/dashboard/view.ts';
import { DashboardFeed } from '../../gateway/ui/dashboard/feed.ts';
import {
  ago,
  bytes,
  count,
  datetimeLocal,
  decimal,
  duration,
  parseTime,
  percent,
  prettyJson,
  truncate,
  utc,
  valueText,
} from '../../gateway/ui/format.ts';
import { formValue } from '../../gateway/ui/pages/config.tsx';
import { changeSummary } from '../../gateway/ui/pages/audit.tsx';
import { ruleBody } from '../../gateway/ui/pages/rules.tsx';
import { safeNext } from '../../gateway/ui/session/middleware.ts';
import { describeFailure, isUnavailable } from '../../gateway/ui/errors.tsx';
import { ServiceError } from '../../gateway/services/errors.ts';
import type { MetricsSnapshot } from '../../gateway/services/metrics.ts';
import type { SloReport } from '../../gateway/services/slo.ts';
import type { ManagementServices } from '../../gateway/services/index.ts';

const t = suite('ui pure parts');
const NOW = Date.UTC(2026, 0, 5, 10, 30, 0);

function snapshot(): MetricsSnapshot {
  const hb = (process: string, instance: string, ready: boolean) => ({
    instance,
    process,
    actors: process === 'up' ? ['alerter', 'forwarder'] : [process],
    ready,
    components: {},
    at: NOW,
    version: '3.0.0',
  });
  return {
    ingest: {
      summary: { current_rate_1m: 120, this_minute: 1234, avg_rate_15m: 99.5, avg_rate_1h: 0.25 },
      chart_24h: {
        labels: Array.from({ length: 24 }, (_, i) => `${String(i).padStart(2, '0')}:00`),
        data: Array.from({ length: 24 }, (_, i) => i),
      },
    },
    streams: [
      { stream: 'MUTT_EVENTS', messages: 950, bytes: 1, max_msgs: 1000, fill_ratio: 0.95, first_seq: 1, last_seq: 950, consumers: 1 },
      { stream: 'MUTT_ALERTS', messages: 600, bytes: 1, max_msgs: 1000, fill_ratio: 0.6, first_seq: 1, last_seq: 600, consumers: 1 },
      { stream: 'MUTT_DLQ', messages: 3, bytes: 1, max_msgs: -1, fill_ratio: null, first_seq: 1, last_seq: 3, consumers: 0 },
    ],
    consumers: [
      {
        stage: 'alerter',
        stream: 'MUTT_EVENTS',
        durable: 'alerter',
        exists: true,
        num_pending: 900,
        num_ack_pending: 50,
        num_redelivered: 2,
        num_waiting: 0,
      },
      {
        stage: 'remediation',
        stream: 'MUTT_DLQ',
        durable: 'remediation',
        exists: false,
        num_pending: 0,
        num_ack_pending: 0,
        num_redelivered: 0,
        num_waiting: 0,
      },
    ],
    dlq: {
      total: 3,
      by_reason: { rejected: 1, expired: 2 },
      by_stage: { forwarder: 3 },
      entries: [
        { stage: 'forwarder', reason: 'expired', count: 2 },
        { stage: 'forwarder', reason: 'rejected', count: 1 },
      ],
    },
    breaker: {
      status: 'open',
      code: 2,
      requests: 20,
      failures: 15,
      failureRatio: 0.75,
      msIn: { closed: 0, open: 0, half_open: 0 },
      transitions: { closed_open: 1, open_half_open: 0, half_open_closed: 0, half_open_open: 0, reset: 0 },
      probeExpiries: 0,
      probeOwner: null,
      known: true,
      since: NOW - 1000,
      last: null,
    },
    actors: {
      alerter: { instances: 2, ready: 1, stale: 1 },
      forwarder: { instances: 1, ready: 0, stale: 0 },
      syslog: { instances: 1, ready: 1, stale: 0 },
    },
    processes: [
      { heartbeat: hb('alerter', 'a1', true), lastSeen: NOW - 2000, stale: false },
      { heartbeat: hb('alerter', 'a2', true), lastSeen: NOW - 60_000, stale: true },
      { heartbeat: hb('forwarder', 'f1', false), lastSeen: NOW - 1000, stale: false },
    ],
    at: NOW,
  } as unknown as MetricsSnapshot;
}

const slo: SloReport = {
  timestamp: NOW,
  window_hours: 24,
  sampling_since: NOW - 3_600_000,
  thresholds: { critical: { windowHours: 1, rate: 14.4 }, warning: { windowHours: 6, rate: 6 } },
  slos: [
    {
      name: 'forwarder_success',
      description: '',
      kind: 'ratio',
      target: 0.995,
      window_hours: 24,
      actual: 0.9,
      error_budget_remaining: -19,
      burn_rate: 20,
      status: 'critical',
      message: 'bad',
      windows: [],
    },
    {
      name: 'alerter_success',
      description: '',
      kind: 'ratio',
      target: 0.999,
      window_hours: 24,
      actual: null,
      error_budget_remaining: null,
      burn_rate: null,
      status: 'no_data',
      message: 'none',
      windows: [],
    },
  ],
};

t('dashboard view: rates, badges for full streams, lag, dead letters, open breaker, stale and degraded', () => {
  const v = dashboardView(snapshot(), slo, [], NOW);
  assert.is(v.stats['ingest.this_minute'].text, '1,234');
  assert.is(v.stats['ingest.rate_1m'].text, '120');
  assert.is(v.stats['ingest.avg_15m'].text, '99.5');
  assert.is(v.stats['ingest.avg_1h'].text, '0.25');
  assert.equal(v.stats['breaker.status'], { text: 'open', cls: 'bad' });
  assert.match(v.stats['breaker.detail'].text, /15 failed of 20/);
  assert.equal(v.stats['dlq.total'], { text: '3', cls: 'warn' });
  assert.is(v.stats['backlog.total'].text, '950');
  assert.equal(v.tables.streams[0][3], { text: '95.0%', cls: 'bad' });
  assert.equal(v.tables.streams[1][3], { text: '60.0%', cls: 'warn' });
  assert.equal(v.tables.streams[2][2], { text: 'none', cls: 'num' });
  assert.equal(v.tables.stages[0][3], { text: '900', cls: 'num warn' });
  assert.equal(v.tables.stages[1][3], { text: 'no consumer', cls: 'muted' });
  assert.is(v.tables.dlq[0][2].href, '/ui/dlq?stage=forwarder&reason=expired');
  assert.is(v.tables.dlq[1][1].cls, 'bad');
  assert.equal(
    v.tables.processes.map((r) => r[3].text),
    ['ready', 'stale', 'not ready'],
  );
  assert.is(v.tables.processes[1][5].text, '60 s ago');
  assert.equal(
    v.tables.actors.map((r) => r[4].text),
    ['degraded', 'down', 'up'],
  );
  assert.equal(
    v.tables.slo.map((r) => r[1]),
    [
      { text: 'critical', cls: 'bad' },
      { text: 'no data', cls: 'muted' },
    ],
  );
  assert.is(v.tables.slo[0][4].text, '20×');
  assert.is(v.updated, '2026-01-05 10:30:00');
});

t('dashboard view without data: every table says so, nothing throws', () => {
  const v = dashboardView(null, null, ['metrics unavailable: x'], NOW);
  for (const name of ['stages', 'streams', 'dlq', 'processes', 'actors', 'slo'] as const)
    assert.equal(v.tables[name], [[{ text: 'Unavailable', span: v.tables[name][0][0].span }]]);
  assert.is(v.stats['dlq.total'].text, '—');
  assert.is(v.chart.bars.length, 24);
  assert.equal(v.errors, ['metrics unavailable: x']);
  const empty = dashboardView(
    { ...snapshot(), processes: [], actors: {}, dlq: { total: 0, by_reason: {}, by_stage: {}, entries: [] } },
    slo,
    [],
    NOW,
  );
  assert.match(empty.tables.processes[0][0].text, /No heartbeats/);
  assert.is(empty.tables.dlq[0][0].text, 'No dead letters');
  assert.is(empty.tables.actors[0][0].text, 'No actors heard from');
});

t('dashboard feed: one computation per interval for every viewer; a failing part is reported, not thrown', async () => {
  let now = NOW;
  let snapshots = 0;
  let reports = 0;
  let fail = false;
  const services = {
    metrics: {
      snapshot: async () => {
        snapshots++;
        if (fail) throw new Error('nats down');
        return snapshot();
      },
    },
    slo: {
      report: async () => {
        reports++;
        if (fail) throw new Error('no slo');
        return slo;
      },
    },
    rules: { list: () => [] },
  } as unknown as Pick<ManagementServices, 'metrics' | 'slo' | 'rules'>;
  const feed = new DashboardFeed(services, { maxAgeMs: 1000, sloEveryMs: 5000, now: () => now });
  const [a, b] = await Promise.all([feed.current(), feed.current()]);
  assert.is(a, b);
  assert.is(snapshots, 1);
  now += 500;
  await feed.current();
  assert.is(snapshots, 1, 'cached');
  now += 600;
  await feed.current();
  assert.is(snapshots, 2);
  assert.is(reports, 1, 'SLOs less often');
  fail = true;
  now += 6000;
  const v = await feed.current();
  assert.equal(v.errors, ['metrics unavailable: nats down', 'SLOs unavailable: no slo']);
  assert.is(v.tables.slo[0][0].text, 'forwarder_success', 'the last SLO report is still shown');
});

t('chart: a round axis maximum, 24 bars inside the plot, labels every third hour', () => {
  assert.equal([0, 0.5, 1, 1.5, 3, 7, 12, 90, 101, 2400].map(niceCeiling), [1, 1, 1, 2, 5, 10, 20, 100, 200, 2500]);
  const g = chartGeometry({
    labels: Array.from({ length: 24 }, (_, i) => `${String(i).padStart(2, '0')}:00`),
    data: [...Array.from({ length: 23 }, () => 1), 4],
  });
  assert.is(g.max, 5);
  assert.is(g.bars.length, 24);
  const tallest = g.bars[23];
  assert.ok(tallest.h > g.bars[0].h * 3.9 && tallest.h < g.bars[0].h * 4.1);
  for (const b of g.bars) assert.ok(b.y + b.h <= g.height && b.x >= 0 && b.x + b.w <= g.width);
  assert.equal(
    g.labels.filter((l) => l.text).map((l) => l.text),
    ['00:00', '03:00', '06:00', '09:00', '12:00', '15:00', '18:00', '21:00', '23:00'],
  );
  assert.is(g.bars[23].title, '23:00 UTC: 4 events/min');
  const zero = chartGeometry({ labels: [], data: [NaN, -1] });
  assert.is(zero.max, 1);
  assert.equal(
    zero.bars.map((b) => b.h),
    [0, 0],
  );
  assert.is(formatRate(1234.4), '1,234');
  assert.is(formatRate(0.333), '0.33');
});

t('formatting: UTC times, typed times, counts, sizes, ages, values', () => {
  assert.is(utc(NOW), '2026-01-05 10:30:00');
  assert.is(utc(null), '—');
  assert.is(datetimeLocal(NOW), '2026-01-05T10:30');
  assert.is(datetimeLocal(undefined), '');
  assert.is(parseTime(''), undefined);
  assert.is(parseTime('2026-01-05T10:30'), NOW);
  assert.is(parseTime('2026-01-05 10:30:00 UTC'), NOW);
  assert.is(parseTime('2026-01-05T11:30+01:00'), NOW);
  assert.is(parseTime('2026-01-05'), Date.UTC(2026, 0, 5));
  assert.is(parseTime(String(NOW)), NOW);
  assert.is(parseTime('yesterday'), null);
  assert.is(parseTime('2026-13-45'), null);
  assert.is(count(1234567), '1,234,567');
  assert.is(count(undefined), '—');
  assert.is(decimal(1.23456), '1.23');
  assert.is(decimal(null), '—');
  assert.is(percent(0.12345), '12.35%');
  assert.is(percent(null), '—');
  assert.equal([500, 2048, 5 * 1024 ** 3].map(bytes), ['500 B', '2.0 KiB', '5.0 GiB']);
  assert.equal([5_000, 600_000, 7_200_000, 3 * 86_400_000].map(duration), ['5 s', '10 min', '2.0 h', '3.0 d']);
  assert.is(ago(NOW - 5000, NOW), '5 s ago');
  assert.is(ago(undefined), '—');
  assert.is(valueText('x'), 'x');
  assert.is(valueText([1, 2]), '[1,2]');
  assert.is(valueText(undefined), '');
  assert.match(prettyJson({ b: new Uint8Array(3) }), /<3 bytes>/);
  assert.is(truncate('abcdef', 4), 'abc…');
  assert.is(truncate('abc', 4), 'abc');
});

t('config form values are read as the key expects; rule forms leave blanks to the defaults', () => {
  assert.is(formValue({ schema: { type: 'integer' } }, ' 75 '), '75');
  assert.is(formValue({ schema: { type: 'string' } }, '123'), '123');
  assert.equal(formValue({ schema: { type: 'array' } }, '[1,2]'), [1, 2]);
  assert.is(formValue({ schema: { type: 'array' } }, 'not json'), 'not json');
  const body = ruleBody(
    {
      id: '',
      match_type: '',
      match_string: '',
      trap_oid: '',
      syslog_severity: '',
      priority: '',
      prod_handling: 'ignore',
      dev_handling: 'ignore',
      team_assignment: 'T',
    },
    false,
  );
  assert.equal(body, {
    description: '',
    match_type: 'contains',
    match_string: null,
    trap_oid: null,
    syslog_severity: null,
    prod_handling: 'ignore',
    dev_handling: 'ignore',
    team_assignment: 'T',
    is_active: false,
  });
});

t('config-audit summaries say what changed', () => {
  const base = { at: NOW, actor: 'ops', correlationId: 'c' };
  assert.equal(changeSummary({ ...base, kind: 'config', id: 'k', operation: 'create', newValue: { key: 'k', value: 5 } }), [
    '(default) → 5',
  ]);
  assert.equal(
    changeSummary({
      ...base,
      kind: 'rule',
      id: 'r',
      operation: 'update',
      oldValue: { priority: 1, match_string: 'a', updated_at: 1 },
      newValue: { priority: 2, match_string: 'a', updated_at: 2 },
    }),
    ['priority: 1 → 2'],
  );
  assert.equal(changeSummary({ ...base, kind: 'rule', id: 'r', operation: 'update', oldValue: { a: 1 }, newValue: { a: 1 } }), [
    'no field changed',
  ]);
  assert.equal(changeSummary({ ...base, kind: 'rule', id: 'r', operation: 'create', newValue: {} }), ['created']);
  assert.equal(changeSummary({ ...base, kind: 'team', id: 'h', operation: 'delete', oldValue: {} }), ['deleted']);
  assert.equal(
    changeSummary({
      ...base,
      kind: 'team',
      id: 'import',
      operation: 'import',
      newValue: { mode: 'merge', created: ['a', 'b'], updated: [], deleted: [], unchanged: 0 },
    }),
    ['merge import: 2 added, 0 changed, 0 deleted'],
  );
  assert.equal(changeSummary({ ...base, kind: 'dlq', id: '4', operation: 'purge', newValue: { purged: 1 } }), ['purge: purged 1']);
  assert.equal(changeSummary({ ...base, kind: 'key', id: 'x', operation: 'reset' }), ['reset']);
});

t('after login only UI paths are allowed as the next page', () => {
  assert.is(safeNext('/ui/rules?q=1'), '/ui/rules?q=1');
  assert.is(safeNext('/ui'), '/ui');
  for (const bad of [
    '//evil',
    'https://evil',
    '/uix',
    '/api/v2/rules',
    '/ui\\evil',
    '/ui/..//evil.example',
    '/ui//evil',
    '/ui/x\r\nSet-Cookie: a=b',
    null,
    undefined,
    '',
  ])
    assert.is(safeNext(bad), '/ui/', String(bad));
});

t('failures map to pages: refusals 4xx, NATS trouble 503, bugs 500 without details', () => {
  assert.is(describeFailure(new ServiceError('invalid', 'bad', [{ path: 'x', message: 'y' }])).status, 400);
  assert.is(describeFailure(new ServiceError('not_found', 'gone')).status, 404);
  assert.is(describeFailure(new ServiceError('exists', 'dup')).status, 409);
  assert.match(describeFailure(new ServiceError('revision_mismatch', 'moved')).message, /reload/);
  assert.is(describeFailure(new HTTPException(413, { message: 'big' })).status, 413);
  const timeout = Object.assign(new Error('timeout'), { name: 'TimeoutError' });
  assert.ok(isUnavailable(timeout));
  assert.is(describeFailure(timeout).status, 503);
  const bug = describeFailure(new TypeError('x is undefined'));
  assert.is(bug.status, 500);
  assert.ok(bug.unexpected);
  assert.not.match(bug.message, /undefined/);
});

t.run();
