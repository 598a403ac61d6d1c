// Counter and histogram values of a registry as flat `name{labels}` → number maps: what a process puts in its
// heartbeat so the gateway can compute SLOs over every process, not just its own.
//   await collectSeries(registry, new Set(['mutt_forwarder_deliveries_total']))

import type { Registry } from 'prom-client';

/** `name{k="v",…}` with labels sorted; the form heartbeats and samples use for one series. */
export function seriesKey(name: string, labels: Record<string, string | number> = {}): string {
  const parts = Object.keys(labels)
    .filter((k) => k !== 'instance')
    .sort()
    .map((k) => `${k}="${String(labels[k])}"`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}

/** Parses a series key back into name and labels. */
export function parseSeriesKey(key: string): { name: string; labels: Record<string, string> } {
  const brace = key.indexOf('{');
  if (brace < 0) return { name: key, labels: {} };
  const labels: Record<string, string> = {};
  for (const m of key.slice(brace + 1, -1).matchAll(/([A-Za-z_][A-Za-z0-9_]*)="([^"]*)"/g)) labels[m[1]] = m[2];
  return { name: key.slice(0, brace), labels };
}

/** Current values of the named counters and histograms (buckets, _sum, _count) in a registry. */
export async function collectSeries(registry: Registry, names: ReadonlySet<string>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const metric of await registry.getMetricsAsJSON()) {
    if (!names.has(metric.name)) continue;
    for (const v of metric.values as { value: number; labels: Record<string, string | number>; metricName?: string }[]) {
      out[seriesKey(v.metricName ?? metric.name, v.labels)] = v.value;
    }
  }
  return out;
}
