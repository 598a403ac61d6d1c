// What a soak reports, computed from its samples: RSS per process (first, after warm-up, last, max, and the
// slope after warm-up by least squares, in MB per hour), the bounded-map gauges every MUTT process exposes on
// /metrics (`mutt_<actor>_first_errors_tracked`, `mutt_<actor>_held_messages`: first, last, max), and whether
// every alert sent arrived at the fake Moogsoft.
//   const rss = rssFigures(samples, 'alerter-1', warmupSeconds)   // { firstMb, afterWarmupMb, lastMb, maxMb, slopeMbPerHour }
//   const gauges = boundedMapGauges(metricsText)                   // { 'mutt_alerter_held_messages': 0, ... }

export interface RssSample {
  /** Seconds since the soak's load began. */
  t: number;
  rssMb: Record<string, number>;
}

export interface RssFigures {
  name: string;
  firstMb: number;
  afterWarmupMb: number;
  lastMb: number;
  maxMb: number;
  /** Least-squares slope of RSS over the samples from the end of warm-up on; NaN with fewer than two. */
  slopeMbPerHour: number;
}

export interface GaugeFigures {
  process: string;
  gauge: string;
  first: number;
  last: number;
  max: number;
}

export interface DeliveryFigures {
  /** Alerts the workload's events should produce (forwarded events sent). */
  sent: number;
  /** Distinct alerts the fake Moogsoft accepted (its de-duplication by alert id). */
  distinctAtMoog: number;
  /** Copies of an alert it had already accepted. */
  duplicatesAtMoog: number;
  /** Sent alerts whose event id never arrived at the fake. */
  lost: number;
  /** Event POSTs the fake answered with a 5xx (each retried by the forwarder). */
  failedRequests: number;
  /** Dead letters stored during the soak. */
  deadLetters: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Warm-up of a soak of `seconds`: a sixth of it, at least 30 s and at most 5 minutes. */
export function warmupSeconds(seconds: number): number {
  return Math.min(300, Math.max(30, Math.round(seconds / 6)));
}

/** Least-squares slope of y over x; NaN with fewer than two distinct x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const ps = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (ps.length < 2) return Number.NaN;
  const mx = ps.reduce((a, p) => a + p.x, 0) / ps.length;
  const my = ps.reduce((a, p) => a + p.y, 0) / ps.length;
  let num = 0;
  let den = 0;
  for (const p of ps) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

export function rssFigures(samples: readonly RssSample[], name: string, warmup: number): RssFigures {
  const xs = samples.map((s) => ({ t: s.t, mb: s.rssMb[name] })).filter((s) => Number.isFinite(s.mb));
  if (xs.length === 0)
    return { name, firstMb: Number.NaN, afterWarmupMb: Number.NaN, lastMb: Number.NaN, maxMb: Number.NaN, slopeMbPerHour: Number.NaN };
  const after = xs.filter((s) => s.t >= warmup);
  return {
    name,
    firstMb: xs[0].mb,
    afterWarmupMb: after.length ? after[0].mb : Number.NaN,
    lastMb: xs[xs.length - 1].mb,
    maxMb: Math.max(...xs.map((s) => s.mb)),
    slopeMbPerHour: round1(slope(after.map((s) => ({ x: s.t / 3600, y: s.mb })))),
  };
}

const GAUGE_LINE = /^(mutt_[a-z0-9_]+_(?:first_errors_tracked|held_messages))(\{[^}]*\})?\s+(\S+)\s*$/gm;

/**
 * The bounded-map gauges in a Prometheus text exposition, by name with any labels but `instance` (every series of
 * a process carries its own: the report names the process beside the gauge).
 */
export function boundedMapGauges(metricsText: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metricsText.matchAll(GAUGE_LINE)) {
    const labels = (m[2] ?? '')
      .slice(1, -1)
      .split(',')
      .filter((l) => l !== '' && !l.startsWith('instance='));
    out[m[1] + (labels.length ? `{${labels.join(',')}}` : '')] = Number(m[3]);
  }
  return out;
}

/** Per process and gauge: the first, last and largest value over the scrapes (each a process → gauges map). */
export function gaugeFigures(scrapes: readonly Record<string, Record<string, number>>[]): GaugeFigures[] {
  const out = new Map<string, GaugeFigures>();
  for (const scrape of scrapes) {
    for (const [process, gauges] of Object.entries(scrape)) {
      for (const [gauge, v] of Object.entries(gauges)) {
        const key = `${process}\0${gauge}`;
        const f = out.get(key);
        if (!f) out.set(key, { process, gauge, first: v, last: v, max: v });
        else {
          f.last = v;
          f.max = Math.max(f.max, v);
        }
      }
    }
  }
  return [...out.values()];
}
