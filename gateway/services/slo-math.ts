// SLO arithmetic on plain numbers: ratio, burn rate, error budget left, status, and quantiles from cumulative
// histogram buckets (histogram_quantile's linear interpolation). No I/O.
//   burnRate(0.998, 0.999) === 2         budgetRemaining(0.998, 0.999) === -1
//   quantileFromBuckets(0.99, [[0.5, 90], [1, 100], [Infinity, 100]]) ≈ 0.95

import { parseSeriesKey } from './counter-samples.ts';
import type { SeriesSelector } from './slo-definitions.ts';

export type SloStatus = 'ok' | 'breaching' | 'warning' | 'critical' | 'no_data';

/** Fraction of the error budget spent per unit of time: 1 spends it exactly over the SLO period. */
export function burnRate(actual: number, objective: number): number {
  const budget = 1 - objective;
  if (budget <= 0) return actual < 1 ? Infinity : 0;
  return (1 - actual) / budget;
}

/** 1 = untouched, 0 = spent, negative = overspent. */
export function budgetRemaining(actual: number, objective: number): number {
  const budget = 1 - objective;
  if (budget <= 0) return actual >= 1 ? 1 : -Infinity;
  return 1 - (1 - actual) / budget;
}

/**
 * critical when the short-window burn reaches its threshold, warning for the medium window, breaching when the
 * main window is under the objective, else ok; no_data when the main window saw no events.
 */
export function sloStatus(o: {
  actual: number | null;
  objective: number;
  burnCritical: number | null;
  burnWarning: number | null;
  critical: number;
  warning: number;
}): SloStatus {
  if (o.actual === null) return 'no_data';
  if (o.burnCritical !== null && o.burnCritical >= o.critical) return 'critical';
  if (o.burnWarning !== null && o.burnWarning >= o.warning) return 'warning';
  if (o.actual < o.objective) return 'breaching';
  return 'ok';
}

/** True when a series key (`name{labels}`) is one of the selected series. */
export function selects(sel: SeriesSelector, key: string): boolean {
  const { name, labels } = parseSeriesKey(key);
  if (name !== sel.metric) return false;
  for (const [label, allowed] of Object.entries(sel.labels ?? {})) if (!allowed.includes(labels[label] ?? '')) return false;
  return true;
}

/** Sum of the values whose series (key after the 'source|' prefix) any selector selects. */
export function sumSelected(values: Map<string, number>, selectors: SeriesSelector[]): number {
  let sum = 0;
  for (const [key, v] of values) {
    const series = key.slice(key.indexOf('|') + 1);
    if (selectors.some((s) => selects(s, series))) sum += v;
  }
  return sum;
}

/** Cumulative bucket counts of one histogram, summed over sources and other labels: [[le, count], …] ascending. */
export function histogramBuckets(values: Map<string, number>, histogram: string): [number, number][] {
  const byLe = new Map<number, number>();
  for (const [key, v] of values) {
    const { name, labels } = parseSeriesKey(key.slice(key.indexOf('|') + 1));
    if (name !== `${histogram}_bucket` || labels.le === undefined) continue;
    const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
    byLe.set(le, (byLe.get(le) ?? 0) + v);
  }
  return [...byLe].sort((a, b) => a[0] - b[0]);
}

/** Prometheus histogram_quantile: linear interpolation inside the bucket; null without observations. */
export function quantileFromBuckets(q: number, buckets: [number, number][]): number | null {
  if (buckets.length === 0) return null;
  const total = buckets[buckets.length - 1][1];
  if (!(total > 0)) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      if (count === prevCount) return le;
      return prevLe + (le - prevLe) * ((rank - prevCount) / (count - prevCount));
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}
