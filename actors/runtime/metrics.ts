// Prometheus metrics every actor gets from the runtime, named mutt_<actor>_<what>_<unit>. Created once per
// process and actor (a supervisor restart reuses them).
//   const m = actorMetrics(registry, 'alerter'); m.processed.inc()

import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface ActorMetrics {
  processed: Counter;
  failed: Counter<'reason'>;
  deadLettered: Counter<'reason'>;
  duration: Histogram;
  inFlight: Gauge;
  pending: Gauge;
  ackPending: Gauge;
  restarts: Counter;
  paused: Gauge;
  firstErrors: Gauge;
  held: Gauge;
  ackFailed: Counter;
  deadlineExceeded: Counter;
}

const cache = new WeakMap<Registry, Map<string, ActorMetrics>>();

export function actorMetrics(registry: Registry, actor: string): ActorMetrics {
  let byActor = cache.get(registry);
  if (!byActor) cache.set(registry, (byActor = new Map()));
  const hit = byActor.get(actor);
  if (hit) return hit;
  const p = `mutt_${actor}`;
  const registers = [registry];
  const m: ActorMetrics = {
    processed: new Counter({ name: `${p}_processed_total`, help: `Messages ${actor} handled successfully`, registers }),
    failed: new Counter({
      name: `${p}_failed_total`,
      help: `Handler failures of ${actor} (retried or dead-lettered), by reason`,
      labelNames: ['reason'],
      registers,
    }),
    deadLettered: new Counter({
      name: `${p}_dead_lettered_total`,
      help: `Messages ${actor} sent to MUTT_DLQ, by reason`,
      labelNames: ['reason'],
      registers,
    }),
    duration: new Histogram({
      name: `${p}_handler_duration_seconds`,
      help: `Time ${actor}'s handler took per message`,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    inFlight: new Gauge({ name: `${p}_in_flight`, help: `Messages ${actor} is handling now`, registers }),
    pending: new Gauge({ name: `${p}_consumer_pending`, help: `Messages waiting for ${actor}'s durable consumer`, registers }),
    ackPending: new Gauge({
      name: `${p}_consumer_ack_pending`,
      help: `Messages delivered to ${actor} and not yet acknowledged`,
      registers,
    }),
    restarts: new Counter({ name: `${p}_restarts_total`, help: `Times the supervisor restarted ${actor} after a crash`, registers }),
    firstErrors: new Gauge({
      name: `${p}_first_errors_tracked`,
      help: `Messages ${actor} remembers the first error of while they are retried (bounded)`,
      registers,
    }),
    held: new Gauge({
      name: `${p}_held_messages`,
      help: `Messages fetched by ${actor} and kept alive while waiting for a slot or a closed gate`,
      registers,
    }),
    ackFailed: new Counter({
      name: `${p}_ack_failures_total`,
      help: `Acks of ${actor} that could not be written (connection closed or draining): the server redelivers those messages after ack_wait`,
      registers,
    }),
    deadlineExceeded: new Counter({
      name: `${p}_handler_deadline_exceeded_total`,
      help: `Handler calls of ${actor} that did not settle within the actor's deadline (slot freed, message retried or dead-lettered)`,
      registers,
    }),
    paused: new Gauge({ name: `${p}_paused`, help: `1 while ${actor} has stopped pulling (breaker open, downstream backlog)`, registers }),
  };
  byActor.set(actor, m);
  return m;
}
