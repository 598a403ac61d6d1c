// Prometheus metrics of the trap receiver, named mutt_traps_<what>_<unit>; created once per registry.
//   const m = trapMetrics(registry); m.rejected.inc({ reason: 'community' })

import { Counter, Gauge, type Registry } from 'prom-client';

export interface TrapMetrics {
  received: Counter<'version'>;
  rejected: Counter<'reason'>;
  published: Counter;
  dropped: Counter<'reason'>;
  publishErrors: Counter;
  inFlight: Gauge;
}

const cache = new WeakMap<Registry, TrapMetrics>();

export function trapMetrics(registry: Registry): TrapMetrics {
  const hit = cache.get(registry);
  if (hit) return hit;
  const registers = [registry];
  const m: TrapMetrics = {
    received: new Counter({
      name: 'mutt_traps_received_total',
      help: 'Traps and informs accepted, by version (v1, v2c, inform)',
      labelNames: ['version'],
      registers,
    }),
    rejected: new Counter({
      name: 'mutt_traps_rejected_total',
      help: 'Datagrams refused, by reason (community, auth, malformed, unsupported, other)',
      labelNames: ['reason'],
      registers,
    }),
    published: new Counter({ name: 'mutt_traps_published_total', help: 'Trap events stored in MUTT_EVENTS', registers }),
    dropped: new Counter({
      name: 'mutt_traps_dropped_total',
      help: 'Accepted traps not stored, by reason (backpressure, publish_failed)',
      labelNames: ['reason'],
      registers,
    }),
    publishErrors: new Counter({ name: 'mutt_traps_publish_errors_total', help: 'Failed publish calls', registers }),
    inFlight: new Gauge({ name: 'mutt_traps_in_flight_events', help: 'Trap events accepted and not yet stored', registers }),
  };
  cache.set(registry, m);
  return m;
}
