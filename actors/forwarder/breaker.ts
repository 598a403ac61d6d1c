// The circuit breaker in front of Moogsoft, as a pure state machine over plain JSON. The state lives in the
// KV bucket mutt_state and every forwarder replica updates it with compare-and-set, so all replicas see one
// breaker (v2.5 shared one too, but updated it without atomicity and let every request through half-open).
//
//   closed ──(≥ minRequests in the window and failure ratio ≥ failureRate)──▶ open
//   open ──(openSeconds elapsed; the first tryAcquire takes the probe lease)──▶ half_open
//   half_open ──(probe succeeds)──▶ closed        half_open ──(probe fails)──▶ open
//
// While open, canSend() is false and forwarders stop pulling (alerts wait in MUTT_ALERTS; no retry budget is
// spent). Half-open admits exactly one probe, held by a lease that expires, so a prober that crashed does not
// wedge the breaker: after the lease the next caller probes instead. Counts sit in time buckets covering the
// window (at most ~60 buckets whatever the window), so the state stays small enough to CAS often.
//
//   let s = initialBreaker(now)
//   const a = tryAcquire(s, now, 'fwd-1:42', cfg); s = a.state; if (a.allowed) send()
//   s = recordResult(s, ok, now, cfg, 'fwd-1:42')

import { z } from 'zod';

export type BreakerStatus = 'closed' | 'open' | 'half_open';

export interface BreakerConfig {
  /** Failure ratio (0–1] within the window that opens the breaker. */
  failureRate: number;
  /** Requests within the window before the ratio is judged. */
  minRequests: number;
  windowSeconds: number;
  openSeconds: number;
  /** How long a probe may take before another caller may probe instead; longer than the request timeout. */
  probeLeaseMs?: number;
}

export const DEFAULT_PROBE_LEASE_MS = 30_000;

export type TransitionReason = 'failure_rate' | 'open_elapsed' | 'probe_ok' | 'probe_failed' | 'reset';

const Status = z.enum(['closed', 'open', 'half_open']);
const counts = z.number().int().nonnegative();

export const BreakerStateSchema = z.object({
  v: z.literal(1),
  status: Status,
  /** When the current status began (epoch ms). */
  since: z.number(),
  /** [bucket start ms, successes, failures], ascending by start; only meaningful while closed. */
  buckets: z.array(z.tuple([z.number(), counts, counts])),
  probe: z.object({ owner: z.string(), until: z.number() }).nullable(),
  transitions: z.object({
    closed_open: counts,
    open_half_open: counts,
    half_open_closed: counts,
    half_open_open: counts,
    reset: counts,
  }),
  probeExpiries: counts,
  /** Time spent in each status, finished periods only (the current one is now − since). */
  msIn: z.object({ closed: z.number().nonnegative(), open: z.number().nonnegative(), half_open: z.number().nonnegative() }),
  last: z
    .object({
      from: Status,
      to: Status,
      at: z.number(),
      reason: z.enum(['failure_rate', 'open_elapsed', 'probe_ok', 'probe_failed', 'reset']),
    })
    .nullable(),
});
export type BreakerState = z.infer<typeof BreakerStateSchema>;

export function initialBreaker(now = 0): BreakerState {
  return {
    v: 1,
    status: 'closed',
    since: now,
    buckets: [],
    probe: null,
    transitions: { closed_open: 0, open_half_open: 0, half_open_closed: 0, half_open_open: 0, reset: 0 },
    probeExpiries: 0,
    msIn: { closed: 0, open: 0, half_open: 0 },
    last: null,
  };
}

/** A state read from KV, or a fresh closed breaker when it is missing or unreadable (e.g. an older format). */
export function parseBreaker(value: unknown, now: number): BreakerState {
  const parsed = BreakerStateSchema.safeParse(value);
  return parsed.success ? parsed.data : initialBreaker(now);
}

export function bucketMs(cfg: Pick<BreakerConfig, 'windowSeconds'>): number {
  return Math.max(1, Math.ceil(cfg.windowSeconds / 60)) * 1000;
}

function transition(s: BreakerState, to: BreakerStatus, now: number, reason: TransitionReason): BreakerState {
  const key = reason === 'reset' ? 'reset' : (`${s.status}_${to}` as keyof BreakerState['transitions']);
  return {
    ...s,
    status: to,
    since: now,
    buckets: [],
    probe: null,
    transitions: { ...s.transitions, [key]: s.transitions[key] + 1 },
    msIn: { ...s.msIn, [s.status]: s.msIn[s.status] + Math.max(0, now - s.since) },
    last: { from: s.status, to, at: now, reason },
  };
}

function windowTotals(buckets: BreakerState['buckets']): { requests: number; failures: number } {
  let requests = 0;
  let failures = 0;
  for (const [, ok, fail] of buckets) {
    requests += ok + fail;
    failures += fail;
  }
  return { requests, failures };
}

/**
 * Counts finished requests. While closed, replicas may batch their counts (a CAS per flush, not per request);
 * the probe's result should be recorded at once, with its owner, so a straggler from before the breaker
 * opened cannot close it. Results arriving while open are ignored: they say nothing new.
 * Returns the same object when nothing changed (no write needed).
 */
export function recordResults(
  s: BreakerState,
  r: { ok: number; fail: number },
  now: number,
  cfg: BreakerConfig,
  owner?: string,
): BreakerState {
  if (r.ok + r.fail <= 0) return s;
  if (s.status === 'open') return s;
  if (s.status === 'half_open') {
    if (owner !== undefined && s.probe && s.probe.owner !== owner) return s;
    return r.fail > 0 ? transition(s, 'open', now, 'probe_failed') : transition(s, 'closed', now, 'probe_ok');
  }
  const width = bucketMs(cfg);
  const start = Math.floor(now / width) * width;
  const horizon = now - cfg.windowSeconds * 1000;
  const buckets = s.buckets.filter(([t]) => t + width > horizon);
  const last = buckets[buckets.length - 1];
  // A replica whose clock lags adds to the newest bucket rather than inventing an older one.
  if (last && last[0] >= start) buckets[buckets.length - 1] = [last[0], last[1] + r.ok, last[2] + r.fail];
  else buckets.push([start, r.ok, r.fail]);
  const next = { ...s, buckets };
  const { requests, failures } = windowTotals(buckets);
  if (requests >= cfg.minRequests && failures / requests >= cfg.failureRate) return transition(next, 'open', now, 'failure_rate');
  return next;
}

export function recordResult(s: BreakerState, ok: boolean, now: number, cfg: BreakerConfig, owner?: string): BreakerState {
  return recordResults(s, ok ? { ok: 1, fail: 0 } : { ok: 0, fail: 1 }, now, cfg, owner);
}

export interface Acquired {
  state: BreakerState;
  allowed: boolean;
  /** This request is the half-open probe: record its result at once, with the same owner. */
  probe: boolean;
}

/**
 * May a request be sent now? `owner` names this attempt uniquely (e.g. `${instance}:${seq}`); it holds the
 * probe lease when the answer is a probe. A closed breaker returns the state unchanged (no write needed).
 */
export function tryAcquire(s: BreakerState, now: number, owner: string, cfg: BreakerConfig): Acquired {
  const lease = cfg.probeLeaseMs ?? DEFAULT_PROBE_LEASE_MS;
  if (s.status === 'closed') return { state: s, allowed: true, probe: false };
  if (s.status === 'open') {
    if (now - s.since < cfg.openSeconds * 1000) return { state: s, allowed: false, probe: false };
    const half = transition(s, 'half_open', now, 'open_elapsed');
    return { state: { ...half, probe: { owner, until: now + lease } }, allowed: true, probe: true };
  }
  if (s.probe && s.probe.until > now) return { state: s, allowed: false, probe: false };
  const probeExpiries = s.probe ? s.probeExpiries + 1 : s.probeExpiries;
  return { state: { ...s, probe: { owner, until: now + lease }, probeExpiries }, allowed: true, probe: true };
}

/** Would tryAcquire allow a request now? Read-only: the forwarder pulls from MUTT_ALERTS only while true. */
export function canSend(s: BreakerState, now: number, cfg: BreakerConfig): boolean {
  if (s.status === 'closed') return true;
  if (s.status === 'open') return now - s.since >= cfg.openSeconds * 1000;
  return !s.probe || s.probe.until <= now;
}

/** How long until canSend may turn true without anyone else acting (0 if it is true now). */
export function msUntilSendable(s: BreakerState, now: number, cfg: BreakerConfig): number {
  if (canSend(s, now, cfg)) return 0;
  if (s.status === 'open') return s.since + cfg.openSeconds * 1000 - now;
  return s.probe!.until - now;
}

/** Operator override: close the breaker and forget the window. */
export function resetBreaker(s: BreakerState, now: number): BreakerState {
  return transition(s, 'closed', now, 'reset');
}

/** Numeric status for a gauge, as v2.5 exported it: 0 closed, 1 half-open, 2 open. */
export const STATUS_CODE: Record<BreakerStatus, number> = { closed: 0, half_open: 1, open: 2 };

export interface BreakerView {
  status: BreakerStatus;
  code: number;
  requests: number;
  failures: number;
  failureRatio: number;
  /** Time in each status including the current, unfinished period. */
  msIn: BreakerState['msIn'];
  transitions: BreakerState['transitions'];
  probeExpiries: number;
  probeOwner: string | null;
}

/** Figures for metrics and health pages. */
export function breakerView(s: BreakerState, now: number, cfg: Pick<BreakerConfig, 'windowSeconds'>): BreakerView {
  const width = bucketMs(cfg);
  const horizon = now - cfg.windowSeconds * 1000;
  const { requests, failures } = windowTotals(s.buckets.filter(([t]) => t + width > horizon));
  return {
    status: s.status,
    code: STATUS_CODE[s.status],
    requests,
    failures,
    failureRatio: requests === 0 ? 0 : failures / requests,
    msIn: { ...s.msIn, [s.status]: s.msIn[s.status] + Math.max(0, now - s.since) },
    transitions: s.transitions,
    probeExpiries: s.probeExpiries,
    probeOwner: s.probe?.owner ?? null,
  };
}
