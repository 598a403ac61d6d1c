// What the dashboard shows, as plain text cells: built once from the metrics snapshot and the SLO report, then
// rendered by the page (JSX) and sent as JSON over SSE every 2 s — so the first paint and every update show
// the same thing, and the browser script only copies text into the page (textContent, never HTML).
//   const view = dashboardView(await metrics.snapshot(), await slo.report())

import type { MetricsSnapshot } from '../../services/metrics.ts';
import type { SloReport } from '../../services/slo.ts';
import { chartGeometry, formatRate, type ChartGeometry } from './chart.ts';
import { ago, count, decimal, percent, utc } from '../format.ts';

export interface Cell {
  text: string;
  /** A badge class (ok | warn | bad | info | muted) or 'num'. */
  cls?: string;
  /** A UI-relative link (always '/ui/…'). */
  href?: string;
  /** colspan (empty-state rows). */
  span?: number;
}

export interface Stat {
  text: string;
  cls?: string;
}

export const TABLES = ['stages', 'streams', 'dlq', 'slo', 'processes', 'actors'] as const;
export type TableName = (typeof TABLES)[number];

export const TABLE_COLUMNS: Record<TableName, { label: string; num?: boolean }[]> = {
  stages: [
    { label: 'Stage' },
    { label: 'Stream' },
    { label: 'Depth', num: true },
    { label: 'Lag (pending)', num: true },
    { label: 'In progress', num: true },
    { label: 'Redelivered', num: true },
    { label: 'Waiting pulls', num: true },
  ],
  streams: [
    { label: 'Stream' },
    { label: 'Messages', num: true },
    { label: 'Cap', num: true },
    { label: 'Full' },
    { label: 'Consumers', num: true },
  ],
  dlq: [{ label: 'Stage' }, { label: 'Reason' }, { label: 'Entries', num: true }],
  slo: [
    { label: 'SLO' },
    { label: 'Status' },
    { label: 'Actual', num: true },
    { label: 'Target', num: true },
    { label: 'Burn rate', num: true },
    { label: 'Budget left', num: true },
    { label: 'Detail' },
  ],
  processes: [
    { label: 'Process' },
    { label: 'Instance' },
    { label: 'Actors' },
    { label: 'State' },
    { label: 'Version' },
    { label: 'Last heartbeat' },
  ],
  actors: [
    { label: 'Actor' },
    { label: 'Instances', num: true },
    { label: 'Ready', num: true },
    { label: 'Stale', num: true },
    { label: 'State' },
  ],
};

export interface DashboardView {
  at: number;
  updated: string;
  stats: Record<string, Stat>;
  tables: Record<TableName, Cell[][]>;
  chart: ChartGeometry;
  /** Rules that are active now (null when they could not be read): at 0 no event can alert, and the page says so. */
  activeRules: number | null;
  /** Parts that could not be read this time (the rest is still shown). */
  errors: string[];
}

const empty = (table: TableName, text: string): Cell[][] => [[{ text, span: TABLE_COLUMNS[table].length }]];
const num = (text: string): Cell => ({ text, cls: 'num' });

export const SLO_CLASS: Record<string, string> = { ok: 'ok', breaching: 'warn', warning: 'warn', critical: 'bad', no_data: 'muted' };
export const BREAKER_CLASS: Record<string, string> = { closed: 'ok', half_open: 'warn', open: 'bad' };

export function emptyIngest(): MetricsSnapshot['ingest'] {
  const labels = Array.from({ length: 24 }, (_, i) => `${String(i).padStart(2, '0')}:00`);
  return {
    summary: { current_rate_1m: 0, this_minute: 0, avg_rate_15m: 0, avg_rate_1h: 0 },
    chart_24h: { labels, data: labels.map(() => 0) },
  };
}

export function dashboardView(
  m: MetricsSnapshot | null,
  slo: SloReport | null,
  errors: string[] = [],
  now = Date.now(),
  activeRules: number | null = null,
): DashboardView {
  const ingest = m?.ingest ?? emptyIngest();
  const s = ingest.summary;
  const stats: Record<string, Stat> = {
    'ingest.this_minute': { text: count(s.this_minute) },
    'ingest.rate_1m': { text: formatRate(s.current_rate_1m) },
    'ingest.avg_15m': { text: formatRate(s.avg_rate_15m) },
    'ingest.avg_1h': { text: formatRate(s.avg_rate_1h) },
    'dlq.total': { text: m ? count(m.dlq.total) : '—', cls: m && m.dlq.total > 0 ? 'warn' : 'ok' },
    'breaker.status': m ? { text: m.breaker.status.replace('_', '-'), cls: BREAKER_CLASS[m.breaker.status] } : { text: '—' },
    'breaker.detail': m
      ? {
          text: `${count(m.breaker.failures)} failed of ${count(m.breaker.requests)} in the window (${percent(m.breaker.failureRatio, 1)})${m.breaker.known ? '' : ' · no forwarder has reported yet'}`,
        }
      : { text: '' },
    'backlog.total': { text: m ? count(m.consumers.reduce((a, c) => a + c.num_pending + c.num_ack_pending, 0)) : '—' },
  };

  const tables = {} as Record<TableName, Cell[][]>;
  if (m) {
    const depth = new Map(m.streams.map((st) => [st.stream, st.messages]));
    tables.stages = m.consumers.map((c) => [
      { text: c.stage },
      { text: c.stream },
      num(count(depth.get(c.stream))),
      c.exists ? { text: count(c.num_pending), cls: c.num_pending > 0 ? 'num warn' : 'num' } : { text: 'no consumer', cls: 'muted' },
      num(count(c.num_ack_pending)),
      num(count(c.num_redelivered)),
      num(count(c.num_waiting)),
    ]);
    tables.streams = m.streams.map((st) => [
      { text: st.stream },
      num(count(st.messages)),
      num(st.max_msgs > 0 ? count(st.max_msgs) : 'none'),
      st.fill_ratio === null
        ? { text: '—', cls: 'muted' }
        : { text: percent(st.fill_ratio, 1), cls: st.fill_ratio >= 0.9 ? 'bad' : st.fill_ratio >= 0.5 ? 'warn' : 'ok' },
      num(count(st.consumers)),
    ]);
    tables.dlq = m.dlq.entries.length
      ? m.dlq.entries.map((e) => [
          { text: e.stage },
          { text: e.reason, cls: e.reason === 'rejected' || e.reason === 'poison' ? 'bad' : 'warn' },
          { text: count(e.count), cls: 'num', href: `/ui/dlq?stage=${encodeURIComponent(e.stage)}&reason=${encodeURIComponent(e.reason)}` },
        ])
      : empty('dlq', 'No dead letters');
    tables.processes = m.processes.length
      ? m.processes.map((p) => [
          { text: p.heartbeat.process },
          { text: p.heartbeat.instance },
          { text: p.heartbeat.actors.join(', ') || '—' },
          p.stale ? { text: 'stale', cls: 'bad' } : p.heartbeat.ready ? { text: 'ready', cls: 'ok' } : { text: 'not ready', cls: 'warn' },
          { text: p.heartbeat.version ?? '—' },
          { text: ago(p.lastSeen, now) },
        ])
      : empty('processes', 'No heartbeats yet (processes announce themselves every 5 s)');
    const actors = Object.entries(m.actors).sort(([a], [b]) => a.localeCompare(b));
    tables.actors = actors.length
      ? actors.map(([name, a]) => [
          { text: name },
          num(count(a.instances)),
          num(count(a.ready)),
          num(count(a.stale)),
          a.ready === 0
            ? { text: 'down', cls: 'bad' }
            : a.ready < a.instances
              ? { text: 'degraded', cls: 'warn' }
              : { text: 'up', cls: 'ok' },
        ])
      : empty('actors', 'No actors heard from');
  } else {
    for (const t of ['stages', 'streams', 'dlq', 'processes', 'actors'] as const) tables[t] = empty(t, 'Unavailable');
  }
  tables.slo = slo
    ? slo.slos.map((r) => [
        { text: r.name },
        { text: r.status.replace('_', ' '), cls: SLO_CLASS[r.status] ?? 'muted' },
        num(percent(r.actual, 3)),
        num(percent(r.target, 2)),
        num(r.burn_rate === null ? '—' : `${decimal(r.burn_rate, 2)}×`),
        num(percent(r.error_budget_remaining, 1)),
        { text: r.message },
      ])
    : empty('slo', 'Unavailable');

  return { at: now, updated: utc(now), stats, tables, chart: chartGeometry(ingest.chart_24h), activeRules, errors };
}
