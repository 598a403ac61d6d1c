// SLOs computed by MUTT itself, no Prometheus needed: the SLO counters (slo-definitions.ts) are sampled every
// minute from this process's registry and from the `metrics` other processes put in their heartbeats, and
// each SLO is judged over its windows — the main one (dynamic config `slo_window_hours`) and the burn-rate
// windows — with target, actual, error budget remaining, burn rate and a status. Windows reach back only as
// far as this process has sampled (`covered_hours` says how far).
//   const slo = new SloService(registry, healthTable, () => config.get(), { instance }).start()
//   await slo.report()   // { timestamp, window_hours, slos: [{ name, target, actual, burn_rate, status, … }] }

import type { Registry } from 'prom-client';
import type { ConfigValues } from '../../protocol/config-keys.ts';
import { collectSeries, CounterSamples } from './counter-samples.ts';
import type { ActorHealthTable } from './health-table.ts';
import { BURN_THRESHOLDS, SLOS, sloMetricNames, type SloDefinition } from './slo-definitions.ts';
import { budgetRemaining, burnRate, histogramBuckets, quantileFromBuckets, sloStatus, sumSelected, type SloStatus } from './slo-math.ts';

const HOUR_MS = 3_600_000;

export interface SloWindow {
  hours: number;
  /** Hours of this window the samples cover (less right after the gateway started). */
  covered_hours: number;
  good: number;
  total: number;
  actual: number | null;
  burn_rate: number | null;
  error_budget_remaining: number | null;
  /** Latency SLOs: the reported quantile in seconds. */
  quantile_seconds?: number | null;
}

export interface SloResult {
  name: string;
  description: string;
  kind: SloDefinition['kind'];
  target: number;
  threshold_seconds?: number;
  quantile?: number;
  window_hours: number;
  actual: number | null;
  error_budget_remaining: number | null;
  burn_rate: number | null;
  quantile_seconds?: number | null;
  status: SloStatus;
  message: string;
  windows: SloWindow[];
}

export interface SloReport {
  timestamp: number;
  window_hours: number;
  /** When sampling began in this process. */
  sampling_since: number | null;
  /** Burn-rate thresholds used for status. */
  thresholds: typeof BURN_THRESHOLDS;
  slos: SloResult[];
}

export interface SloOptions {
  instance?: string;
  sampleEveryMs?: number;
  now?: () => number;
  slos?: readonly SloDefinition[];
}

const pct = (x: number) => `${(x * 100).toFixed(x > 0.999 && x < 1 ? 3 : 2)}%`;

export class SloService {
  readonly samples = new CounterSamples();
  private readonly names: Set<string>;
  private readonly slos: readonly SloDefinition[];
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly registry: Registry,
    private readonly health: ActorHealthTable | null,
    private readonly config: () => Pick<ConfigValues, 'slo_window_hours'>,
    private readonly opts: SloOptions = {},
  ) {
    this.slos = opts.slos ?? SLOS;
    this.names = sloMetricNames(this.slos);
    this.now = opts.now ?? Date.now;
  }

  start(): this {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.opts.sampleEveryMs ?? 60_000);
    this.timer.unref();
    return this;
  }

  private wanted(series: string): boolean {
    const name = series.slice(0, series.indexOf('{') < 0 ? undefined : series.indexOf('{'));
    return this.names.has(name) || this.names.has(name.replace(/_(bucket|sum|count)$/, ''));
  }

  /** Takes one sample now: this registry plus every live process's heartbeat metrics. */
  async sample(): Promise<void> {
    const values = new Map<string, number>();
    const sources = ['local'];
    for (const [k, v] of Object.entries(await collectSeries(this.registry, this.names))) values.set(`local|${k}`, v);
    for (const r of this.health?.remoteMetrics(this.opts.instance) ?? []) {
      sources.push(r.instance);
      for (const [k, v] of Object.entries(r.metrics)) if (this.wanted(k) && Number.isFinite(v)) values.set(`${r.instance}|${k}`, v);
    }
    this.samples.add(this.now(), values, sources);
  }

  async report(extraWindowsHours: number[] = []): Promise<SloReport> {
    await this.sample();
    const now = this.now();
    const main = this.config().slo_window_hours;
    const hours = [
      ...new Set([BURN_THRESHOLDS.critical.windowHours, BURN_THRESHOLDS.warning.windowHours, main, ...extraWindowsHours]),
    ].sort((a, b) => a - b);
    const increases = new Map(hours.map((h) => [h, this.samples.increase(h * HOUR_MS, now)]));
    return {
      timestamp: now,
      window_hours: main,
      sampling_since: this.samples.oldest,
      thresholds: BURN_THRESHOLDS,
      slos: this.slos.map((slo) => this.judge(slo, hours, increases, main)),
    };
  }

  private judge(
    slo: SloDefinition,
    hours: number[],
    increases: Map<number, ReturnType<CounterSamples['increase']>>,
    main: number,
  ): SloResult {
    const windows = hours.map((h): SloWindow => {
      const inc = increases.get(h)!;
      let good: number;
      let total: number;
      let quantile: number | null | undefined;
      if (slo.kind === 'ratio') {
        good = sumSelected(inc.values, slo.good);
        total = good + sumSelected(inc.values, slo.bad);
      } else {
        const buckets = histogramBuckets(inc.values, slo.histogram);
        good = buckets.find(([le]) => le === slo.thresholdSeconds)?.[1] ?? 0;
        total = buckets.length ? buckets[buckets.length - 1][1] : 0;
        quantile = quantileFromBuckets(slo.quantile, buckets);
      }
      const actual = total > 0 ? good / total : null;
      const w: SloWindow = {
        hours: h,
        covered_hours: Math.round((inc.coveredMs / HOUR_MS) * 1000) / 1000,
        good,
        total,
        actual,
        burn_rate: actual === null ? null : burnRate(actual, slo.objective),
        error_budget_remaining: actual === null ? null : budgetRemaining(actual, slo.objective),
      };
      if (slo.kind === 'latency') w.quantile_seconds = quantile ?? null;
      return w;
    });
    const at = (h: number) => windows.find((w) => w.hours === h)!;
    const m = at(main);
    const status = sloStatus({
      actual: m.actual,
      objective: slo.objective,
      burnCritical: at(BURN_THRESHOLDS.critical.windowHours).burn_rate,
      burnWarning: at(BURN_THRESHOLDS.warning.windowHours).burn_rate,
      critical: BURN_THRESHOLDS.critical.rate,
      warning: BURN_THRESHOLDS.warning.rate,
    });
    const result: SloResult = {
      name: slo.name,
      description: slo.description,
      kind: slo.kind,
      target: slo.objective,
      window_hours: main,
      actual: m.actual,
      error_budget_remaining: m.error_budget_remaining,
      burn_rate: m.burn_rate,
      status,
      message: message(slo, status, m, windows),
      windows,
    };
    if (slo.kind === 'latency') {
      result.threshold_seconds = slo.thresholdSeconds;
      result.quantile = slo.quantile;
      result.quantile_seconds = m.quantile_seconds ?? null;
    }
    return result;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

function message(slo: SloDefinition, status: SloStatus, m: SloWindow, windows: SloWindow[]): string {
  if (status === 'no_data')
    return `no events in the last ${m.hours} h${m.covered_hours < m.hours ? ` (sampled for ${m.covered_hours} h so far)` : ''}`;
  const what = `${pct(m.actual!)} of ${m.total} good over ${m.hours} h (target ${pct(slo.objective)})`;
  const p =
    slo.kind === 'latency' && m.quantile_seconds != null ? `; p${Math.round(slo.quantile * 100)} ${m.quantile_seconds.toFixed(3)} s` : '';
  if (status === 'critical')
    return `${what}${p}; burn rate ${windows.find((w) => w.hours === BURN_THRESHOLDS.critical.windowHours)!.burn_rate!.toFixed(1)}× over ${BURN_THRESHOLDS.critical.windowHours} h`;
  if (status === 'warning')
    return `${what}${p}; burn rate ${windows.find((w) => w.hours === BURN_THRESHOLDS.warning.windowHours)!.burn_rate!.toFixed(1)}× over ${BURN_THRESHOLDS.warning.windowHours} h`;
  return `${what}${p}${status === 'breaching' ? '; below target' : ''}`;
}
