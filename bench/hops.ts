// Splits end-to-end latency into its hops, from what bench/hop-tracer.ts saw on the wire:
//   generator  due time → the event published (the driver's send lag, its nats.js client, the server's routing)
//   alerter    event published → its alert published (server delivery, the alerter, the alert's PubAck wait)
//   forwarder  alert published → the fake Moogsoft received it (delivery, the forwarder, HTTP)
// Each hop's percentiles are over the same events; `worst` is the mean of each hop over the slowest 1 % of
// events end to end, which says where the tail is made.
//   hopStats(due, receivedAt, tracer.events, tracer.alerts)   // { events, hops: [{ hop, p50Ms, p99Ms, maxMs }], worst }

export interface HopFigure {
  hop: 'generator' | 'alerter' | 'forwarder' | 'total';
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Mean of this hop over the 1 % of events slowest end to end. */
  worstMeanMs: number;
}

export interface HopStats {
  /** Events seen at every point (due, published, alerted, received). */
  events: number;
  hops: HopFigure[];
}

const HOPS = ['generator', 'alerter', 'forwarder', 'total'] as const;

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const r1 = (n: number) => Math.round(n * 10) / 10;

export function hopStats(
  due: ReadonlyMap<string, number>,
  receivedAt: ReadonlyMap<string, number>,
  eventSeen: ReadonlyMap<string, number>,
  alertSeen: ReadonlyMap<string, number>,
): HopStats {
  const rows: number[][] = [];
  for (const [id, got] of receivedAt) {
    const d = due.get(id);
    const e = eventSeen.get(id);
    const a = alertSeen.get(id);
    if (d === undefined || e === undefined || a === undefined) continue;
    // The fake stamps whole ms (floor): +0.5 ms centres it, as latencyStats does.
    const received = got + 0.5;
    rows.push([e - d, a - e, received - a, received - d]);
  }
  if (rows.length === 0) return { events: 0, hops: [] };
  const worst = [...rows].sort((x, y) => y[3] - x[3]).slice(0, Math.max(1, Math.ceil(rows.length / 100)));
  const hops = HOPS.map((hop, i): HopFigure => {
    const xs = rows.map((r) => r[i]).sort((x, y) => x - y);
    return {
      hop,
      p50Ms: r1(quantile(xs, 0.5)),
      p90Ms: r1(quantile(xs, 0.9)),
      p99Ms: r1(quantile(xs, 0.99)),
      maxMs: r1(xs[xs.length - 1]),
      worstMeanMs: r1(worst.reduce((s, r) => s + r[i], 0) / worst.length),
    };
  });
  return { events: rows.length, hops };
}

export function formatHops(label: string, s: HopStats): string {
  if (s.events === 0) return `${label}: no event was seen at every hop`;
  const lines = s.hops.map(
    (h) => `  ${h.hop.padEnd(9)} p50 ${h.p50Ms} / p90 ${h.p90Ms} / p99 ${h.p99Ms} / max ${h.maxMs} ms; slowest 1 %: ${h.worstMeanMs} ms`,
  );
  return [`${label} (${s.events} events):`, ...lines].join('\n');
}
