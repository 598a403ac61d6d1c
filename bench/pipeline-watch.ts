// Watching the pipeline from outside: when is a phase finished (the fake Moogsoft has every expected alert and
// MUTT_EVENTS and MUTT_ALERTS are empty; or, with the forwarder paused, the alerter has handled every event), how
// many events were ever stored, and when did each alert arrive (for latency, keyed by event id).
//   const doneAt = await waitDrained(jsm, moog, expected, { timeoutMs: 60_000 })
//   const alerterDoneAt = await waitAlerterDrained(jsm, expected, { timeoutMs: 60_000 })
//   const tracker = new AlertTracker(moog); tracker.start(); ...; tracker.receivedAt.get(eventId)

import type { JetStreamManager } from '@nats-io/jetstream';
import { Durable, StreamName } from '../protocol/streams.ts';
import type { FakeMoog } from './fake-moog.ts';

export class DrainTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrainTimeoutError';
  }
}

export interface StreamDepths {
  events: number;
  alerts: number;
  dlq: number;
}

export async function streamDepths(jsm: JetStreamManager): Promise<StreamDepths> {
  const [events, alerts, dlq] = await Promise.all(
    [StreamName.events, StreamName.alerts, StreamName.dlq].map((s) => jsm.streams.info(s).then((i) => i.state.messages)),
  );
  return { events, alerts, dlq };
}

/**
 * Messages ever stored in MUTT_EVENTS (its last sequence): a count of ingested events that consumers do not lower,
 * as the message count of a work-queue stream is lowered.
 */
export async function eventsStored(jsm: JetStreamManager): Promise<number> {
  return (await jsm.streams.info(StreamName.events)).state.last_seq;
}

/**
 * Polls `done` every `pollMs` (default 20) and resolves with performance.now() at the first check that passes, so
 * a phase's end is known to within one poll; after `timeoutMs`, throws DrainTimeoutError with `why()`.
 */
async function pollUntil(
  done: () => Promise<boolean>,
  why: () => Promise<string>,
  opts: { timeoutMs: number; pollMs?: number },
): Promise<number> {
  const deadline = performance.now() + opts.timeoutMs;
  for (;;) {
    if (await done()) return performance.now();
    if (performance.now() > deadline) throw new DrainTimeoutError(`${await why()} after ${Math.round(opts.timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 20));
  }
}

/**
 * With the forwarder paused: resolves with performance.now() at the first check where MUTT_EVENTS is empty, the
 * alerter's consumer has nothing pending or unacknowledged, and MUTT_ALERTS holds at least `expectedAlerts`.
 */
export function waitAlerterDrained(
  jsm: JetStreamManager,
  expectedAlerts: number,
  opts: { timeoutMs: number; pollMs?: number },
): Promise<number> {
  let d: StreamDepths | undefined;
  return pollUntil(
    async () => {
      d = await streamDepths(jsm);
      if (d.events !== 0 || d.alerts < expectedAlerts) return false;
      const c = await jsm.consumers.info(StreamName.events, Durable.alerter);
      return c.num_pending === 0 && c.num_ack_pending === 0;
    },
    async () => `alerter not drained: MUTT_EVENTS ${d?.events}, MUTT_ALERTS ${d?.alerts} of ${expectedAlerts} expected,`,
    opts,
  );
}

/** When the alerts an input produces are not known in advance (syslog lines parsed by MUTT): both work streams empty. */
export function waitStreamsEmpty(jsm: JetStreamManager, opts: { timeoutMs: number; pollMs?: number }): Promise<number> {
  let d: StreamDepths | undefined;
  // Alerts are published before their event is acknowledged: both streams empty means nothing is left in flight.
  return pollUntil(
    async () => {
      d = await streamDepths(jsm);
      return d.events === 0 && d.alerts === 0;
    },
    async () => `not drained: MUTT_EVENTS ${d?.events}, MUTT_ALERTS ${d?.alerts},`,
    opts,
  );
}

/**
 * Resolves with performance.now() at the first check where the fake holds `expected` alerts (since its last
 * reset) and both work streams are empty.
 */
export function waitDrained(
  jsm: JetStreamManager,
  moog: FakeMoog,
  expected: number,
  opts: { timeoutMs: number; pollMs?: number; dlqBefore?: number; idleMs?: number },
): Promise<number> {
  const why = async () => {
    const d = await streamDepths(jsm);
    const s = moog.stats();
    return (
      `not drained: fake Moogsoft has ${s.accepted} of ${expected} alerts (${s.duplicates} duplicates, statuses ${JSON.stringify(s.byStatus)}), ` +
      `MUTT_EVENTS ${d.events}, MUTT_ALERTS ${d.alerts}, new dead letters ${d.dlq - (opts.dlqBefore ?? 0)},`
    );
  };
  // Alerts are acknowledged only once Moogsoft took them: with both work streams empty nothing more is coming. A
  // count still short after idleMs of that is final (an event decided otherwise, or dead-lettered): say so now
  // rather than after the whole timeout (50 minutes for a 10-minute soak).
  const idleMs = opts.idleMs ?? 10_000;
  let idleSince: number | null = null;
  let idleAccepted = -1;
  return pollUntil(
    async () => {
      const accepted = moog.stats().accepted;
      const d = await streamDepths(jsm);
      const empty = d.events === 0 && d.alerts === 0;
      if (accepted >= expected) return empty;
      if (!empty || accepted !== idleAccepted) {
        idleSince = empty ? performance.now() : null;
        idleAccepted = accepted;
      } else if (idleSince !== null && performance.now() - idleSince > idleMs) {
        throw new DrainTimeoutError(
          `${await why()} and the pipeline idle for ${Math.round(idleMs / 1000)} s: ${expected - accepted} expected alerts will not come`,
        );
      }
      return false;
    },
    why,
    opts,
  );
}

interface DeliveredAlert {
  custom_info?: { event_id?: string };
}

/** Follows the fake's recorded events and keeps, per event id, the time (epoch ms) its alert was received. */
export class AlertTracker {
  readonly receivedAt = new Map<string, number>();
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly moog: FakeMoog,
    private readonly pollMs = 20,
  ) {}

  start(): this {
    this.timer = setInterval(() => this.collect(), this.pollMs);
    return this;
  }

  collect(): void {
    for (;;) {
      const batch = this.moog.events(this.cursor, 10_000);
      if (batch.length === 0) return;
      for (const e of batch) {
        const id = (e.event as DeliveredAlert).custom_info?.event_id;
        if (id !== undefined && !this.receivedAt.has(id)) this.receivedAt.set(id, e.receivedAt);
      }
      this.cursor = batch[batch.length - 1].seq;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.collect();
  }
}
