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
  const [events, alerts, dlq] = await Promise.all([StreamName.events, StreamName.alerts, StreamName.dlq].map((s) => jsm.streams.info(s).then((i) => i.state.messages)));
  return { events, alerts, dlq };
}

/**
 * Messages ever stored in MUTT_EVENTS (its last sequence): a count of ingested events that consumers do not lower,
 * as the message count of a work-queue stream is lowered.
 */
export async function eventsStored(jsm: JetStreamManager): Promise<number> {
  return (await jsm.streams.info(StreamName.events)).state.last_seq;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * With the forwarder paused: resolves with performance.now() at the first check where MUTT_EVENTS is empty, the
 * alerter's consumer has nothing pending or unacknowledged, and MUTT_ALERTS holds at least `expectedAlerts`.
 */
export async function waitAlerterDrained(jsm: JetStreamManager, expectedAlerts: number, opts: { timeoutMs: number; pollMs?: number }): Promise<number> {
  const deadline = performance.now() + opts.timeoutMs;
  for (;;) {
    const d = await streamDepths(jsm);
    if (d.events === 0 && d.alerts >= expectedAlerts) {
      const c = await jsm.consumers.info(StreamName.events, Durable.alerter);
      if (c.num_pending === 0 && c.num_ack_pending === 0) return performance.now();
    }
    if (performance.now() > deadline) {
      throw new DrainTimeoutError(`alerter not drained after ${Math.round(opts.timeoutMs / 1000)} s: MUTT_EVENTS ${d.events}, MUTT_ALERTS ${d.alerts} of ${expectedAlerts} expected`);
    }
    await sleep(opts.pollMs ?? 20);
  }
}

/** When the alerts an input produces are not known in advance (syslog lines parsed by MUTT): both work streams empty. */
export async function waitStreamsEmpty(jsm: JetStreamManager, opts: { timeoutMs: number; pollMs?: number }): Promise<number> {
  const deadline = performance.now() + opts.timeoutMs;
  for (;;) {
    // Alerts are published before their event is acknowledged: both streams empty means nothing is left in flight.
    const d = await streamDepths(jsm);
    if (d.events === 0 && d.alerts === 0) return performance.now();
    if (performance.now() > deadline) throw new DrainTimeoutError(`not drained after ${Math.round(opts.timeoutMs / 1000)} s: MUTT_EVENTS ${d.events}, MUTT_ALERTS ${d.alerts}`);
    await sleep(opts.pollMs ?? 20);
  }
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
