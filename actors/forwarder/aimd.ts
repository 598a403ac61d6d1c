// Adaptive delivery rate (moog_rate_adaptive, off by default): additive increase, multiplicative decrease,
// as TCP does. When Moogsoft answers 429 or 503 the rate drops to rate × decrease (never below floor);
// then it climbs back linearly by `step` permits per period up to the configured limit. Recovery is computed
// from elapsed time when read, so nothing has to be written while the rate recovers, and the state can sit
// in the same KV value as the limiter and be shared by every replica.
//   let a = initialAimd(50, now)
//   a = aimdThrottled(a, now, { limit: 50, periodSeconds: 1 })       // 25 permits/s
//   aimdRate(a, now + 5000, { limit: 50, periodSeconds: 1 })          // 25 + 5 × 2.5 = 37.5

import { z } from 'zod';

export interface AimdConfig {
  /** The configured limit (permits per period): recovery never exceeds it. */
  limit: number;
  periodSeconds: number;
  /** Multiplier on a throttle signal (default 0.5). */
  decrease?: number;
  /** Lowest rate (default 5 % of the limit, at least 1 permit per period, never above the limit). */
  floor?: number;
  /** Permits per period added back each period (default 5 % of the limit: full recovery from half in 10 periods). */
  step?: number;
  /** Throttle signals within this long of the last decrease are one signal (default 1000 ms): a burst of 429s
   *  from requests already in flight must not collapse the rate to the floor. */
  cooldownMs?: number;
}

export const AimdStateSchema = z.object({ rate: z.number().positive(), at: z.number(), lastDecreaseAt: z.number() });
export type AimdState = z.infer<typeof AimdStateSchema>;

export function initialAimd(limit: number, now = 0): AimdState {
  return { rate: limit, at: now, lastDecreaseAt: Number.NEGATIVE_INFINITY };
}

function floorOf(cfg: AimdConfig): number {
  return Math.min(cfg.limit, cfg.floor ?? Math.max(1, cfg.limit * 0.05));
}

/** The rate in effect at `now` (permits per period). */
export function aimdRate(s: AimdState, now: number, cfg: AimdConfig): number {
  const step = cfg.step ?? cfg.limit * 0.05;
  const periods = Math.max(0, now - s.at) / (cfg.periodSeconds * 1000);
  return Math.min(cfg.limit, Math.max(floorOf(cfg), s.rate + step * periods));
}

/** Moogsoft said slow down (429 or 503). Returns the same object when the signal falls in the cooldown. */
export function aimdThrottled(s: AimdState, now: number, cfg: AimdConfig): AimdState {
  if (now - s.lastDecreaseAt < (cfg.cooldownMs ?? 1000)) return s;
  const rate = Math.max(floorOf(cfg), aimdRate(s, now, cfg) * (cfg.decrease ?? 0.5));
  return { rate, at: now, lastDecreaseAt: now };
}

/** Is this HTTP status a "slow down" signal for AIMD? */
export function isThrottleSignal(status: number | undefined): boolean {
  return status === 429 || status === 503;
}
