// Windowed increases of cumulative counters without Prometheus: samples of counter values (keyed
// 'source|series', series in Prometheus notation) kept in memory — every sample of the last 6 h, one per hour
// before that, up to 31 days — and `increase(window)`: a value that drops is a restart (count from 0); a series
// that appears in a source already sampled was created since (count from 0); a source seen for the first time
// only sets the baseline (its history is unknown). Coverage is reported: a window cannot reach back before
// this process started sampling.
//   samples.add(Date.now(), values, ['local'])
//   samples.increase(3_600_000, Date.now())   // { values: Map('local|mutt_x_total{a="b"}' → 12), coveredMs }

const HOUR_MS = 3_600_000;

export interface Sample {
  at: number;
  values: Map<string, number>;
  /** Sources present in this sample, even those with no series yet. */
  sources: Set<string>;
}

export interface Increase {
  values: Map<string, number>;
  /** How much of the asked window the samples actually span. */
  coveredMs: number;
}

export { seriesKey, parseSeriesKey, collectSeries } from '../../actors/runtime/metric-series.ts';

const sourceOf = (key: string) => key.slice(0, key.indexOf('|'));

export class CounterSamples {
  private samples: Sample[] = [];

  constructor(private readonly opts: { fineForMs?: number; keepMs?: number; minSpacingMs?: number } = {}) {}

  get size(): number {
    return this.samples.length;
  }

  get oldest(): number | null {
    return this.samples[0]?.at ?? null;
  }

  /** Adds a sample; one taken within minSpacingMs (default 10 s) of the previous replaces it. */
  add(at: number, values: Map<string, number>, sources?: Iterable<string>): void {
    const last = this.samples[this.samples.length - 1];
    if (last && at < last.at) return;
    const sample: Sample = { at, values, sources: new Set(sources ?? [...values.keys()].map(sourceOf)) };
    if (last && this.samples.length > 1 && at - last.at < (this.opts.minSpacingMs ?? 10_000))
      this.samples[this.samples.length - 1] = sample;
    else this.samples.push(sample);
    this.prune(at);
  }

  private prune(now: number): void {
    const fineFrom = now - (this.opts.fineForMs ?? 6 * HOUR_MS);
    const keepFrom = now - (this.opts.keepMs ?? 31 * 24 * HOUR_MS);
    const kept: Sample[] = [];
    let lastHour = -1;
    for (const s of this.samples) {
      if (s.at < keepFrom) continue;
      if (s.at < fineFrom) {
        const hour = Math.floor(s.at / HOUR_MS);
        if (hour === lastHour) continue;
        lastHour = hour;
      }
      kept.push(s);
    }
    this.samples = kept;
  }

  increase(windowMs: number, now: number): Increase {
    const values = new Map<string, number>();
    if (this.samples.length < 2) return { values, coveredMs: 0 };
    const start = now - windowMs;
    let base = 0;
    for (let i = 0; i < this.samples.length; i++) if (this.samples[i].at <= start) base = i;
    for (let i = base + 1; i < this.samples.length; i++) {
      const prev = this.samples[i - 1];
      for (const [key, cur] of this.samples[i].values) {
        const before = prev.values.get(key) ?? (prev.sources.has(sourceOf(key)) ? 0 : undefined);
        if (before === undefined) continue;
        values.set(key, (values.get(key) ?? 0) + (cur >= before ? cur - before : cur));
      }
    }
    const coveredMs = Math.min(windowMs, this.samples[this.samples.length - 1].at - this.samples[base].at);
    return { values, coveredMs };
  }
}
