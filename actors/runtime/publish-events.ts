// Stores ingest events in MUTT_EVENTS and resolves only once JetStream acknowledged every one (each with
// Nats-Msg-Id = event id, so a retried send stores nothing twice). Used by the syslog and trap listeners.
//   const results = await publishEvents(js, events)  // one PublishResult per event, in order

import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import { encodeTrusted } from '../../protocol/codec.ts';
import type { IngestEvent } from '../../protocol/messages.ts';
import { Headers, subjects } from '../../protocol/subjects.ts';

export type PublishResult = { ok: true; duplicate: boolean; seq: number } | { ok: false; error: Error; full: boolean };

/** True for the errors JetStream gives when a `discard: new` stream is at its limits. */
export function isStreamFull(err: unknown): boolean {
  return /maximum (messages|bytes) exceeded|maximum messages per subject exceeded|insufficient resources/i.test(String((err as Error)?.message ?? err));
}

export async function publishEvents(js: JetStreamClient, events: IngestEvent[], timeoutMs = 5000): Promise<PublishResult[]> {
  return Promise.all(events.map(async (event): Promise<PublishResult> => {
    const h = natsHeaders();
    h.set(Headers.correlationId, event.correlationId);
    h.set(Headers.host, event.host.replace(/[\r\n]/g, ' ').slice(0, 255));
    try {
      const ack = await js.publish(subjects.event(event.kind, event.host), encodeTrusted(event), { msgID: event.id, headers: h, timeout: timeoutMs });
      return { ok: true, duplicate: ack.duplicate, seq: ack.seq };
    } catch (err) {
      return { ok: false, error: err as Error, full: isStreamFull(err) };
    }
  }));
}

/** Throws unless every event was stored: for listeners that retry a whole batch. */
export async function publishEventsOrThrow(js: JetStreamClient, events: IngestEvent[]): Promise<void> {
  const results = await publishEvents(js, events);
  const failed = results.find((r): r is Extract<PublishResult, { ok: false }> => !r.ok);
  if (failed) throw failed.error;
}
