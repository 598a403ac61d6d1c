// The ingest metrics on the gateway's registry (created once per registry):
//   mutt_gateway_events_accepted_total{input}            events stored in MUTT_EVENTS (first time)
//   mutt_gateway_events_duplicate_total{input}           events JetStream already had (retries with the same id)
//   mutt_gateway_events_rejected_total{input,reason}     invalid | malformed | too_large | unsupported_media_type |
//                                                        rate_limited | stream_full | unavailable | error
// Body-level refusals (malformed, too_large, unsupported_media_type) count one per request: the number of
// events in an unreadable body is unknown.
//   const m = ingestMetrics(registry); m.accepted.inc({ input: 'http' }, 3)

import { Counter, type Registry } from 'prom-client';

export const RejectReason = {
  invalid: 'invalid',
  malformed: 'malformed',
  tooLarge: 'too_large',
  unsupportedMediaType: 'unsupported_media_type',
  rateLimited: 'rate_limited',
  streamFull: 'stream_full',
  unavailable: 'unavailable',
  error: 'error',
} as const;
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason];

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function ingestMetrics(registry: Registry) {
  return {
    accepted: counter(registry, 'mutt_gateway_events_accepted_total', 'Events stored in MUTT_EVENTS, by input.', ['input']),
    duplicate: counter(registry, 'mutt_gateway_events_duplicate_total', 'Events JetStream already held (same Nats-Msg-Id), by input.', [
      'input',
    ]),
    rejected: counter(registry, 'mutt_gateway_events_rejected_total', 'Events or bodies refused, by input and reason.', [
      'input',
      'reason',
    ]),
  };
}
export type IngestMetrics = ReturnType<typeof ingestMetrics>;
