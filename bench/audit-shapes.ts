// The query shapes bench/audit-query.ts times: every filter the event audit page offers (host, rule, decision,
// forwarded, time range, cursor, order), the dead-letter listing's filters, and the web UI's audit page. Each
// shape gives the path of its i-th request; parameters rotate over hosts and rules with records, so a run does
// not time one cached answer. Every request asks for a 50-row page.
//   for (const s of auditShapes(filled)) await fetch(base + s.path(0))

import type { Filled } from './audit-fill.ts';

export interface Shape {
  name: string;
  group: 'events' | 'dlq' | 'ui';
  path(i: number): string;
}

const LIMIT = 50;
const iso = (t: number) => new Date(t).toISOString();
const q = (params: Record<string, string | number | undefined>) =>
  Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length];

/** Keys ordered by count, most first. */
const byCount = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);

export function auditShapes(f: Filled, opts: { cursors: { eventsMid: number; dlqMid: number } }): Shape[] {
  const hosts = byCount(f.hosts).slice(0, 50);
  const rules = byCount(f.rules).filter((r) => !r.startsWith('_'));
  const common = rules.slice(0, 20);
  // Rules with fewer records than a page: the page has to look through the whole stream for them.
  const rare = rules.filter((r) => (f.rules.get(r) ?? 0) < LIMIT).slice(0, 20);
  const span = f.audit.lastAt - f.audit.firstAt;
  const at = (share: number) => Math.round(f.audit.firstAt + share * span);
  const dlqSpan = f.dlq.lastAt - f.dlq.firstAt;
  const ev = (params: Record<string, string | number | undefined>) => `/api/v2/audit/events?${q({ limit: LIMIT, ...params })}`;
  const dlq = (params: Record<string, string | number | undefined>) => `/api/v2/dlq?${q({ limit: LIMIT, ...params })}`;
  const shapes: Shape[] = [
    { name: 'newest first, no filter', group: 'events', path: () => ev({}) },
    { name: 'oldest first, no filter', group: 'events', path: () => ev({ order: 'asc' }) },
    { name: 'cursor mid-stream, no filter', group: 'events', path: (i) => ev({ cursor: opts.cursors.eventsMid - i * 97 }) },
    { name: 'host', group: 'events', path: (i) => ev({ host: pick(hosts, i) }) },
    { name: 'rule (common)', group: 'events', path: (i) => ev({ rule: pick(common, i) }) },
    ...(rare.length
      ? [{ name: `rule (< ${LIMIT} records)`, group: 'events' as const, path: (i: number) => ev({ rule: pick(rare, i) }) }]
      : []),
    { name: 'host + rule', group: 'events', path: (i) => ev({ host: pick(hosts, i), rule: pick(common, i) }) },
  ];
  for (const d of byCount(f.decisions))
    shapes.push({ name: `decision=${d} (${share(f.decisions.get(d) ?? 0, f.records)})`, group: 'events', path: () => ev({ decision: d }) });
  shapes.push(
    { name: 'decision=ticket_only + host', group: 'events', path: (i) => ev({ decision: 'ticket_only', host: pick(hosts, i) }) },
    { name: 'forwarded=false', group: 'events', path: () => ev({ forwarded: 'false' }) },
    {
      name: 'from–to (10 % of the span, mid)',
      group: 'events',
      path: (i) => ev({ from: iso(at(0.45 + (i % 5) * 0.01)), to: iso(at(0.55 + (i % 5) * 0.01)) }),
    },
    { name: 'from (last 10 %)', group: 'events', path: () => ev({ from: iso(at(0.9)) }) },
    { name: 'to (first half)', group: 'events', path: () => ev({ to: iso(at(0.5)) }) },
    { name: 'from–to + host', group: 'events', path: (i) => ev({ host: pick(hosts, i), from: iso(at(0.25)), to: iso(at(0.75)) }) },
    { name: 'first page', group: 'dlq', path: () => dlq({}) },
    { name: 'stage=forwarder', group: 'dlq', path: () => dlq({ stage: 'forwarder' }) },
    { name: 'stage=alerter reason=schema_invalid', group: 'dlq', path: () => dlq({ stage: 'alerter', reason: 'schema_invalid' }) },
    { name: 'since (last 10 %)', group: 'dlq', path: () => dlq({ since: iso(Math.round(f.dlq.firstAt + 0.9 * dlqSpan)) }) },
    { name: 'cursor mid-stream', group: 'dlq', path: (i) => dlq({ cursor: opts.cursors.dlqMid + i * 31 }) },
    { name: '/ui/audit/events, no filter', group: 'ui', path: () => `/ui/audit/events?limit=${LIMIT}` },
    {
      name: '/ui/audit/events?host=',
      group: 'ui',
      path: (i) => `/ui/audit/events?limit=${LIMIT}&host=${encodeURIComponent(pick(hosts, i))}`,
    },
  );
  return shapes;
}

function share(n: number, of: number): string {
  const pct = (100 * n) / Math.max(1, of);
  return pct >= 1 ? `${Math.round(pct)} %` : `${pct.toFixed(2)} %`;
}
