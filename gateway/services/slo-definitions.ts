// The SLOs MUTT keeps, as data: what counts as a good and a bad event (Prometheus series the code exposes),
// the objective, and the burn-rate thresholds (multi-window, after the SRE workbook: a 1 h burn of 14.4 spends
// 2 % of a 30-day budget in an hour → critical; a 6 h burn of 6 → warning). deploy/prometheus/slo-rules.yml is
// generated from them (slo-rules.ts, `npm run docs:slo`).
//   SLOS.find((s) => s.name === 'forwarder_success')!.objective === 0.995

/** A set of series: one metric, optionally only some label values. */
export interface SeriesSelector {
  metric: string;
  labels?: Record<string, readonly string[]>;
}

interface SloBase {
  name: string;
  description: string;
  /** Fraction of events that must be good. */
  objective: number;
}

export interface RatioSlo extends SloBase {
  kind: 'ratio';
  good: SeriesSelector[];
  bad: SeriesSelector[];
}

export interface LatencySlo extends SloBase {
  kind: 'latency';
  /** Histogram whose bucket `le = thresholdSeconds` separates good from bad. */
  histogram: string;
  thresholdSeconds: number;
  /** Quantile reported next to the ratio. */
  quantile: number;
}

export type SloDefinition = RatioSlo | LatencySlo;

/** Ingest answers that are the server's fault (HTTP 503/500), as mutt_gateway_events_rejected_total reasons. */
export const SERVER_REJECT_REASONS = ['stream_full', 'unavailable', 'error'] as const;

export const SLOS: readonly SloDefinition[] = [
  {
    name: 'ingest_availability',
    kind: 'ratio',
    description:
      'Events posted to the gateway that were stored, out of those stored or refused for a server-side reason (5xx). Client errors (4xx, 429) do not count.',
    objective: 0.999,
    good: [{ metric: 'mutt_gateway_events_accepted_total' }],
    bad: [{ metric: 'mutt_gateway_events_rejected_total', labels: { reason: SERVER_REJECT_REASONS } }],
  },
  {
    name: 'forwarder_success',
    kind: 'ratio',
    description: 'Alerts delivered to Moogsoft, out of those delivered or dead-lettered by the forwarder.',
    objective: 0.995,
    good: [{ metric: 'mutt_forwarder_deliveries_total', labels: { outcome: ['delivered'] } }],
    bad: [{ metric: 'mutt_forwarder_dead_lettered_total' }],
  },
  {
    name: 'alerter_success',
    kind: 'ratio',
    description:
      'Events the alerter decided (handled or unhandled: an unmatched event is not a failure), out of those decided or dead-lettered.',
    objective: 0.999,
    good: [{ metric: 'mutt_alerter_processed_total' }],
    bad: [{ metric: 'mutt_alerter_dead_lettered_total' }],
  },
  {
    name: 'end_to_end_latency',
    kind: 'latency',
    description: 'Alerts accepted by Moogsoft within 5 s of MUTT receiving their event (p99 reported).',
    objective: 0.99,
    histogram: 'mutt_forwarder_end_to_end_seconds',
    thresholdSeconds: 5,
    quantile: 0.99,
  },
];

/** Burn-rate alerting: the window a threshold is judged over, and the rate that trips it. */
export const BURN_THRESHOLDS = {
  critical: { windowHours: 1, rate: 14.4 },
  warning: { windowHours: 6, rate: 6 },
} as const;

/** Every metric the SLOs read (for sampling). */
export function sloMetricNames(slos: readonly SloDefinition[] = SLOS): Set<string> {
  const names = new Set<string>();
  for (const s of slos) {
    if (s.kind === 'ratio') for (const sel of [...s.good, ...s.bad]) names.add(sel.metric);
    else names.add(s.histogram);
  }
  return names;
}
