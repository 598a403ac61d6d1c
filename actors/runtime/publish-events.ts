// Stores events in MUTT_EVENTS and says, per event, whether JetStream acknowledged it (used by the gateway and the
// syslog and trap listeners). Subject
// mutt.events.<kind>.<host-token>, msgpack body, headers Nats-Msg-Id (the event id: JetStream drops a repeat
// within the 2 min duplicate window and acks it with duplicate:true), Mutt-Correlation-Id and Mutt-Host.
// All events of a request go out concurrently; the caller answers only after every PubAck (or failure).
// Failures are classified, not passed on as text:
//   stream_full  MUTT_EVENTS at its message/byte cap (discard: new) -> 503, the alerter must catch up
//   unavailable  no connection, timeout, no JetStream responder      -> 503, NATS must come back
//   error        anything else the server refused                    -> 503 as well: nothing was stored
//   const link = new ConnectionState(nc)
//   const outcomes = await publishEvents(jsPublisher(nc), events, { link, timeoutMs: 5000 })

import type { NatsConnection } from '@nats-io/transport-node';
import { JetStreamApiError } from '@nats-io/jetstream';
import type { JsPublish } from './js-publisher.ts';
import { encodeTrusted } from '../../protocol/codec.ts';
import type { IngestEvent } from '../../protocol/messages.ts';
import { Headers, subjects } from '../../protocol/subjects.ts';

export const PublishFailure = { streamFull: 'stream_full', unavailable: 'unavailable', error: 'error' } as const;
export type PublishFailure = (typeof PublishFailure)[keyof typeof PublishFailure];

export type PublishOutcome = { ok: true; seq: number; duplicate: boolean } | { ok: false; reason: PublishFailure; error: string };

/** Seconds a client should wait before retrying after each kind of failure. */
export const RETRY_AFTER_SECONDS: Record<PublishFailure, number> = { stream_full: 5, unavailable: 2, error: 5 };

export function classifyPublishError(err: unknown): PublishFailure {
  if (err instanceof JetStreamApiError) {
    const api = err.apiError();
    // The server has one error code for every refused store; only the description says it was a size cap.
    if (/maximum (messages|bytes|messages per subject) exceeded|insufficient resources/i.test(api.description ?? '')) return 'stream_full';
    if (api.code === 503) return 'unavailable';
    return 'error';
  }
  // Timeouts, no responders (stream leader moving), closed or draining connection,
  // connection errors: all mean "NATS is not answering now".
  return 'unavailable';
}

/**
 * Follows the connection's status so a request fails fast (503 at once) while NATS is unreachable, instead
 * of waiting for a publish timeout per event.
 */
export class ConnectionState {
  private up = true;
  constructor(private readonly nc: NatsConnection) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.up = false;
        else if (s.type === 'reconnect') this.up = true;
      }
    })().catch(() => undefined);
  }
  get connected(): boolean {
    return this.up && !this.nc.isClosed() && !this.nc.isDraining();
  }
}

export function eventHeaders(event: Pick<IngestEvent, 'correlationId' | 'host'>): Record<string, string> {
  return { [Headers.correlationId]: event.correlationId, [Headers.host]: event.host };
}

export async function publishEvents(
  js: JsPublish,
  events: readonly IngestEvent[],
  opts: { link?: ConnectionState; timeoutMs?: number } = {},
): Promise<PublishOutcome[]> {
  if (opts.link && !opts.link.connected) {
    return events.map(() => ({ ok: false, reason: 'unavailable', error: 'not connected to NATS' }));
  }
  return Promise.all(
    events.map(async (event): Promise<PublishOutcome> => {
      try {
        const ack = await js.publish(subjects.event(event.kind, event.host), encodeTrusted(event), {
          msgID: event.id,
          headers: eventHeaders(event),
          timeout: opts.timeoutMs ?? 5000,
        });
        return { ok: true, seq: ack.seq, duplicate: ack.duplicate };
      } catch (err) {
        return { ok: false, reason: classifyPublishError(err), error: (err as Error).message };
      }
    }),
  );
}

/** Throws unless every event was stored: for the syslog and trap listeners, which retry or count a whole batch. */
export async function publishEventsOrThrow(js: JsPublish, events: readonly IngestEvent[], link?: ConnectionState): Promise<void> {
  const failed = (await publishEvents(js, events, { link })).find((o) => !o.ok);
  if (failed && !failed.ok) throw new Error(`${failed.reason}: ${failed.error}`);
}
