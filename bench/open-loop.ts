// Open-loop load for latency: event i is due at start + i / rate, whatever happened to earlier events — the
// generator never waits for an answer before the next send, and each latency is measured from the event's
// scheduled time, not from when it actually went out. A stalled pipeline (or a stalled generator) therefore
// shows up in the percentiles instead of silently lowering the offered load (no coordinated omission).
//   const sched = await sendOpenLoop(items, 1000, (item, dueEpochMs) => publish(item))
//   const lat = latencyStats(sched, tracker.receivedAt)      // { p50Ms, p99Ms, maxMs, ... }

import hdr from 'hdr-histogram-js';
import type { BenchItem } from './workload.ts';

export interface OpenLoopSchedule {
  rate: number;
  /** Due time of each item, epoch ms on the Date.now() clock (fractional). */
  due: Map<string, number>;
  forwardedIds: string[];
  sent: number;
  /** How late the generator itself got behind its schedule at worst (a busy driver). */
  maxSendLagMs: number;
  /** Wall time from the first due time to the last send. */
  seconds: number;
}

export async function sendOpenLoop(
  items: readonly BenchItem[],
  rate: number,
  send: (item: BenchItem, dueEpochMs: number) => void,
): Promise<OpenLoopSchedule> {
  const interval = 1000 / rate;
  // Date.now() is what the fake Moogsoft stamps; performance.now() is what we schedule on.
  const toEpoch = Date.now() - performance.now();
  const start = performance.now() + 5;
  const due = new Map<string, number>();
  const forwardedIds: string[] = [];
  let maxLag = 0;
  let i = 0;
  while (i < items.length) {
    const now = performance.now();
    while (i < items.length && start + i * interval <= now) {
      const at = start + i * interval;
      maxLag = Math.max(maxLag, now - at);
      const item = items[i];
      due.set(item.id, at + toEpoch);
      if (item.forwarded) forwardedIds.push(item.id);
      send(item, at + toEpoch);
      i++;
    }
    if (i < items.length) await new Promise((r) => setTimeout(r, Math.max(0, Math.min(1, start + i * interval - performance.now()))));
  }
  return {
    rate,
    due,
    forwardedIds,
    sent: items.length,
    maxSendLagMs: Math.round(maxLag * 10) / 10,
    seconds: (performance.now() - start) / 1000,
  };
}

export interface LatencyStats {
  alerts: number;
  missing: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Percentiles of (alert received by the fake) − (event due), over every forwarded event. */
export function latencyStats(s: OpenLoopSchedule, receivedAt: ReadonlyMap<string, number>): LatencyStats {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  let missing = 0;
  let n = 0;
  for (const id of s.forwardedIds) {
    const got = receivedAt.get(id);
    const due = s.due.get(id);
    if (got === undefined || due === undefined) {
      missing++;
      continue;
    }
    // The fake stamps whole milliseconds (floor): +0.5 ms centres the estimate.
    h.recordValue(Math.max(1, Math.round((got + 0.5 - due) * 1000)));
    n++;
  }
  const ms = (us: number) => Math.round(us / 10) / 100;
  const out = {
    alerts: n,
    missing,
    p50Ms: ms(h.getValueAtPercentile(50)),
    p90Ms: ms(h.getValueAtPercentile(90)),
    p99Ms: ms(h.getValueAtPercentile(99)),
    p999Ms: ms(h.getValueAtPercentile(99.9)),
    maxMs: ms(h.maxValue),
    meanMs: ms(h.mean),
  };
  h.destroy();
  return out;
}
