// Quantiles of a Prometheus histogram read from a process's /metrics text, the way PromQL's histogram_quantile()
// computes them: cumulative buckets summed over the series that match, differenced between two scrapes (so only
// the observations in between count), and the quantile interpolated linearly inside the bucket it falls in.
//   const before = readHistogram(text0, 'mutt_forwarder_request_duration_seconds', { outcome: 'delivered' });
//   const after = readHistogram(text1, ...); histogramQuantile(0.99, diffHistogram(after, before)) -> seconds

/** Cumulative buckets in ascending `le` order, the last one +Inf. */
export type Histogram = { le: number; count: number }[];

/** One sample line: `name{a="x",b="y"} 12` (labels optional, a timestamp after the value ignored). */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseLe(v: string): number {
  return v === '+Inf' ? Number.POSITIVE_INFINITY : Number(v);
}

/**
 * The `<name>_bucket` series of `text` whose labels include every pair of `match`, summed per `le` (several
 * series — other label values, several processes' texts joined — add up as PromQL's sum by (le) does).
 */
export function readHistogram(text: string, name: string, match: Record<string, string> = {}): Histogram {
  const byLe = new Map<number, number>();
  const metric = `${name}_bucket`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const m = SAMPLE.exec(line);
    if (!m || m[1] !== metric) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = l[2];
    if (labels.le === undefined || Object.entries(match).some(([k, v]) => labels[k] !== v)) continue;
    const le = parseLe(labels.le);
    const value = Number(m[3]);
    if (Number.isNaN(le) || !Number.isFinite(value)) continue;
    byLe.set(le, (byLe.get(le) ?? 0) + value);
  }
  return [...byLe].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
}

/** after − before, bucket by bucket (a bucket missing before counts as 0: the series appeared in between). */
export function diffHistogram(after: Histogram, before: Histogram): Histogram {
  const prior = new Map(before.map((b) => [b.le, b.count]));
  return after.map((b) => ({ le: b.le, count: b.count - (prior.get(b.le) ?? 0) }));
}

/** Observations in the histogram (its +Inf bucket). */
export function histogramCount(h: Histogram): number {
  return h.length && h[h.length - 1].le === Number.POSITIVE_INFINITY ? h[h.length - 1].count : 0;
}

/**
 * The q-quantile (0 ≤ q ≤ 1), linear within the bucket holding rank q × count; the first bucket starts at 0.
 * A rank in the +Inf bucket answers the highest finite bound, as PromQL does. NaN when there is nothing to rank.
 */
export function histogramQuantile(q: number, h: Histogram): number {
  const total = histogramCount(h);
  if (!(total > 0) || !(q >= 0 && q <= 1)) return Number.NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const b of h) {
    if (b.count >= rank && b.count > below) {
      if (b.le === Number.POSITIVE_INFINITY) return lower;
      return lower + ((b.le - lower) * (rank - below)) / (b.count - below);
    }
    lower = b.le;
    below = b.count;
  }
  return lower;
}
