// The delivery rate limit that holds across ALL forwarder replicas together, and never drops an alert
// (v2.5 dropped every alert its limiter denied). It is GCRA — the generic cell rate algorithm — whose whole
// state is one number, the theoretical arrival time (tat), so it fits one small KV value updated by
// compare-and-set:
//
//   T = (period + tolerance) / limit   (emission interval: the spacing between permits; tolerance 10 ms)
//   τ = (burst − 1) · T         (how far ahead of schedule a permit may be used)
//   permit i of a reservation is usable at  max(now, tat₀ + i·T − τ),  tat₀ = max(tat, now)
//   the reservation moves tat to tat₀ + n·T
//
// A process reserves a BLOCK of permits per CAS (blockSize ≈ 100 ms of the global rate), then hands them out
// locally, so CAS traffic stays ~10 writes/s whatever the rate. Over-limit callers are never refused: they
// get permits scheduled in the future, or — when the schedule is already more than maxAheadMs ahead — a
// waitMs after which to ask again (so one replica cannot book hours of capacity). Permits a process does not
// use are simply lost: capacity is wasted, the limit is never exceeded.
//
// Guarantee: with burst = 1 (the default) granted permits are ≥ T apart, so any period-long window holds at
// most `limit` of them, whatever the number of replicas. With burst = B, a window may hold limit + B − 1.
// Clock skew between replica hosts of s ms can add about s/T permits; keep hosts on NTP.
//
//   let s = initialRate()
//   const r = reserve(s, Date.now(), 5, { limit: 50, periodSeconds: 1 })
//   if (r.ok) { s = r.state; /* send at r.slots[0..4] */ } else { /* ask again in r.waitMs */ }

import { z } from 'zod';

export interface RateConfig {
  /** Permits per period, across all replicas. May be fractional (AIMD lowers it). */
  limit: number;
  periodSeconds: number;
  /** Permits usable back to back after idleness (default 1: evenly spaced, never over the limit). */
  burst?: number;
  /** Refuse to schedule a first permit further ahead than this (default: one period). */
  maxAheadMs?: number;
  /** Release jitter the limit absorbs (default 10 ms): `limit` permits are spread over period + this, so a
   *  send that leaves a few ms after its permit still keeps every period-long window within the limit. */
  toleranceMs?: number;
}

export const RateStateSchema = z.object({ v: z.literal(1), tat: z.number() });
export type RateState = z.infer<typeof RateStateSchema>;

export function initialRate(): RateState {
  return { v: 1, tat: 0 };
}

export function parseRate(value: unknown): RateState {
  const parsed = RateStateSchema.safeParse(value);
  return parsed.success ? parsed.data : initialRate();
}

export const DEFAULT_TOLERANCE_MS = 10;

/** Milliseconds between permits at the configured rate (period + tolerance, over limit). */
export function emissionMs(cfg: Pick<RateConfig, 'limit' | 'periodSeconds' | 'toleranceMs'>): number {
  return (cfg.periodSeconds * 1000 + (cfg.toleranceMs ?? DEFAULT_TOLERANCE_MS)) / Math.max(cfg.limit, 1e-9);
}

export type Reservation =
  | { ok: true; state: RateState; /** ascending epoch-ms times at which each permit may be used */ slots: number[] }
  | { ok: false; state: RateState; waitMs: number };

/** Reserves up to n permits (at least one, unless the schedule is full for longer than maxAheadMs). */
export function reserve(s: RateState, now: number, n: number, cfg: RateConfig): Reservation {
  const T = emissionMs(cfg);
  const tau = (Math.max(1, cfg.burst ?? 1) - 1) * T;
  const maxAhead = cfg.maxAheadMs ?? cfg.periodSeconds * 1000;
  const tat0 = Math.max(s.tat, now);
  const first = Math.max(now, tat0 - tau);
  if (first - now > maxAhead) return { ok: false, state: s, waitMs: Math.ceil(first - now - maxAhead) };
  // Grant only what fits before the horizon: a big block must not stretch the schedule far ahead.
  const fit = Math.floor((now + maxAhead - (tat0 - tau)) / T) + 1;
  const count = Math.max(1, Math.min(Math.floor(n), fit));
  const slots: number[] = [];
  // Whole ms, rounded up so a permit only ever moves later; the epsilon keeps float noise (2012.0000000002)
  // from being rounded up a whole ms while its neighbour is not, which would bring two closer than T.
  for (let i = 0; i < count; i++) slots.push(Math.ceil(Math.max(now, tat0 + i * T - tau) - 1e-6));
  return { ok: true, state: { v: 1, tat: tat0 + count * T }, slots };
}

/**
 * Pushes the schedule so that no permit is usable before `until`: a Moogsoft 429 with Retry-After pauses
 * every replica, not only the one that saw it.
 */
export function deferUntil(
  s: RateState,
  until: number,
  cfg: Pick<RateConfig, 'limit' | 'periodSeconds' | 'burst' | 'toleranceMs'>,
): RateState {
  const tau = (Math.max(1, cfg.burst ?? 1) - 1) * emissionMs(cfg);
  return s.tat >= until + tau ? s : { v: 1, tat: until + tau };
}

/** Permits to reserve per CAS: about targetMs worth of the global rate, at least 1. */
export function blockSize(cfg: Pick<RateConfig, 'limit' | 'periodSeconds' | 'toleranceMs'>, targetMs = 100, max = 1000): number {
  return Math.max(1, Math.min(max, Math.round(targetMs / emissionMs(cfg))));
}
