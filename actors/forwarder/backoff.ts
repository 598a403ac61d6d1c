// When to try a failed delivery again, and when to stop trying. v2.5 slept 1,2,4..32 s inside its only worker
// thread with no jitter; here the delay is handed to JetStream (nak(delay)) and is "full jitter" (AWS
// architecture blog): uniform in [0, min(max, base·2^(attempt−1))], so replicas retrying after one Moogsoft
// hiccup spread out instead of stampeding. A server's Retry-After is a floor, never shortened by jitter.
//   backoffDelay(1, { baseMs: 1000, maxMs: 60000 })          // 0..1000
//   backoffDelay(4, { baseMs: 1000, maxMs: 60000 })          // 0..8000
//   backoffDelay(1, { baseMs: 1000, maxMs: 60000, retryAfterMs: 30000 })   // 30000
//   shouldGiveUp({ attempts: 10, firstSeenAt, now, maxAttempts: 10, maxAgeMs }) === 'retries_exhausted'

export interface BackoffConfig {
  baseMs: number;
  maxMs: number;
  /** The server's Retry-After for this failure: the delay is at least this. */
  retryAfterMs?: number;
}

/** The exponential ceiling for an attempt (1 = the first retry), before jitter. */
export function backoffCeiling(attempt: number, cfg: Pick<BackoffConfig, 'baseMs' | 'maxMs'>): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2^(n−1) overflows to Infinity for large n; min() then yields maxMs, which is what we want.
  return Math.min(cfg.maxMs, cfg.baseMs * 2 ** (n - 1));
}

/** Full-jitter delay in whole ms for retry number `attempt` (1-based). */
export function backoffDelay(attempt: number, cfg: BackoffConfig, random: () => number = Math.random): number {
  const jittered = Math.floor(random() * backoffCeiling(attempt, cfg));
  return Math.max(jittered, Math.ceil(cfg.retryAfterMs ?? 0));
}

export interface GiveUpInput {
  /** Attempts made so far, including the one that just failed. */
  attempts: number;
  firstSeenAt: number;
  now: number;
  maxAttempts: number;
  maxAgeMs: number;
}

/** Why to dead-letter instead of retrying, or null to retry. The names are DlqReason values. */
export function shouldGiveUp(i: GiveUpInput): 'retries_exhausted' | 'expired' | null {
  if (i.attempts >= i.maxAttempts) return 'retries_exhausted';
  if (i.now - i.firstSeenAt >= i.maxAgeMs) return 'expired';
  return null;
}
