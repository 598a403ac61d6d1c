// Watching the pipeline from outside: when is a phase finished (the fake Moogsoft has every expected alert and
// MUTT_EVENTS and MUTT_ALERTS are empty), and when did each alert arrive (for latency, keyed by event id).
//   const doneAt = await waitDrained(jsm, moog, expected, { timeoutMs: 60_000 })
//   const tracker = new AlertTracker(moog); tracker.start(); ...; tracker.receivedAt.get(eventId)

import type { JetStreamManager } from '@nats-io/jetstream';
import { StreamName } from '../protocol/streams.ts';
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
  const [events, alerts, dlq] = await Promise.all([StreamName.events, StreamName.alerts, StreamName.dlq].map((s) => jsm.streams.info(s).then((i) => i.state.messages)));
  return { events, alerts, dlq };
}

/**
 * Resolves with performance.now() at the first check where the fake holds `expected` alerts (since its last
 * reset) and both work streams are empty. Checks every `pollMs`, so the end is known to within that.
 */
export async function waitDrained(jsm: JetStreamManager, moog: FakeMoog, expected: number, opts: { timeoutMs: number; pollMs?: number; dlqBefore?: number }): Promise<number> {
  const deadline = performance.now() + opts.timeoutMs;
  const poll = opts.pollMs ?? 20;
  for (;;) {
    const accepted = moog.stats().accepted;
    if (accepted >= expected) {
      const d = await streamDepths(jsm);
      if (d.events === 0 && d.alerts === 0) return performance.now();
    }
    if (performance.now() > deadline) {
      const d = await streamDepths(jsm);
      const s = moog.stats();
      const dlq = d.dlq - (opts.dlqBefore ?? 0);
      throw new DrainTimeoutError(`not drained after ${Math.round(opts.timeoutMs / 1000)} s: fake Moogsoft has ${s.accepted} of ${expected} alerts ` +
        `(${s.duplicates} duplicates, statuses ${JSON.stringify(s.byStatus)}), MUTT_EVENTS ${d.events}, MUTT_ALERTS ${d.alerts}, new dead letters ${dlq}`);
    }
    await new Promise((r) => setTimeout(r, poll));
  }
}

interface DeliveredAlert {
  custom_info?: { event_id?: string };
}

/** Follows the fake's recorded events and keeps, per event id, the time (epoch ms) its alert was received. */
export class AlertTracker {
  readonly receivedAt = new Map<string, number>();
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly moog: FakeMoog, private readonly pollMs = 20) {}

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
