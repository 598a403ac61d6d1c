// The per-process side of the shared rate limit: holds the block of permits this process reserved in the
// shared GCRA state (rate-limit.ts) and hands them out to concurrent deliveries, sleeping each caller until
// its permit's time. One reservation is in flight at a time however many callers wait, so CAS traffic is one
// write per block. A caller is never refused — it waits (v2.5 dropped the alert). If the shared state cannot
// be reached, acquire() rejects and nothing is sent: the limit fails closed, unlike v2.5's fail-open.
//   const gate = createSharedRateGate(kv, () => ({ limit: cfg.moog_rate_limit, periodSeconds: cfg.moog_rate_period }))
//   await gate.acquire(signal); await moog.send(payload)

import { setTimeout as sleep } from 'node:timers/promises';
import { blockSize, DEFAULT_TOLERANCE_MS, parseRate, reserve, type RateConfig } from './rate-limit.ts';
import { casUpdate, type CasStore } from '../runtime/kv-cas.ts';
import { RATE_KEY } from '../../protocol/state-keys.ts';

export interface RateGateOptions {
  /** Reserves up to n permits in the shared state: permit times, or how long to wait before asking again. */
  reserve(n: number): Promise<{ slots: number[] } | { waitMs: number }>;
  /** Permits to ask for per reservation (read each time, so a rate change applies at the next block). */
  blockSize(): number;
  now?: () => number;
  /** A permit is usable from its time until this much later, then dropped (default 10 ms). Keep it equal
   *  to the limiter's toleranceMs: the schedule is spread over period + tolerance, so sends that trail
   *  their permits by at most that much still never put limit + 1 requests into one period. */
  toleranceMs?: number;
  /** Reserve the next block only this long before the last one runs out (default 50 ms, ≥ a KV round
   *  trip): a process then holds about one block ahead, instead of booking the whole schedule horizon and
   *  leaving other replicas single permits. */
  leadMs?: number;
}

const MIN_BLOCK = 16;

export class RateGate {
  private readonly slots: number[] = [];
  private refill: Promise<void> | null = null;
  private readonly now: () => number;
  private readonly toleranceMs: number;
  private readonly leadMs: number;
  private lastSlot = Number.NEGATIVE_INFINITY;
  /** Permits reserved but dropped unused because they went stale. */
  dropped = 0;
  /** Callers currently waiting for a permit. */
  waiting = 0;
  /** Permits handed out since the last reservation: the demand the next one is sized by. */
  private usedSinceFill = 0;

  constructor(private readonly opts: RateGateOptions) {
    this.now = opts.now ?? Date.now;
    this.toleranceMs = opts.toleranceMs ?? DEFAULT_TOLERANCE_MS;
    this.leadMs = opts.leadMs ?? 50;
  }

  /** Resolves when this caller may send one request; returns how long it waited (ms). */
  async acquire(signal?: AbortSignal): Promise<number> {
    const start = this.now();
    this.waiting++;
    try {
      for (;;) {
        signal?.throwIfAborted();
        const t = this.now();
        // A permit used late would crowd the permits after it: late ones are dropped (capacity lost, never
        // the limit). This also drops permits that expired while the reservation's CAS was in flight.
        while (this.slots.length > 0 && this.slots[0] < t - this.toleranceMs) {
          this.slots.shift();
          this.dropped++;
        }
        const at = this.slots.shift();
        if (at !== undefined) {
          if (at > t) await sleep(at - t, undefined, { signal });
          // The timer itself may fire late (a busy event loop): the same rule applies after the sleep.
          if (this.now() > at + this.toleranceMs) {
            this.dropped++;
            continue;
          }
          this.usedSinceFill++;
          return this.now() - start;
        }
        if (this.lastSlot - t > this.leadMs) {
          await sleep(this.lastSlot - t - this.leadMs, undefined, { signal });
          continue;
        }
        // Shared by every waiter, so it must not carry any one caller's signal; each caller races its own.
        this.refill ??= this.fill().finally(() => (this.refill = null));
        await abortable(this.refill, signal);
      }
    } finally {
      this.waiting--;
    }
  }

  /** Permits held locally and not yet handed out. */
  get available(): number {
    return this.slots.length;
  }

  private async fill(): Promise<void> {
    // A block is ~100 ms of the global rate, up to 1,000 permits. When the limit is far above this process's
    // traffic those permits all fall within a few ms and go stale unused, so ask for about what the callers of
    // the last block took (at least MIN_BLOCK), and let the ask double while they take everything.
    const demand = Math.max(MIN_BLOCK, this.waiting, 2 * this.usedSinceFill);
    this.usedSinceFill = 0;
    const r = await this.opts.reserve(Math.max(1, Math.min(this.opts.blockSize(), demand)));
    if ('slots' in r) {
      this.slots.push(...r.slots);
      if (r.slots.length > 0) this.lastSlot = r.slots[r.slots.length - 1];
    } else await sleep(Math.max(1, r.waitMs));
  }
}

function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The gate wired to the shared limiter in a KV bucket (mutt_state, key RATE_KEY). `config` is read at every
 * reservation, so a changed moog_rate_limit (or an AIMD-lowered one) applies within one block.
 */
export function createSharedRateGate(
  store: CasStore,
  config: () => RateConfig,
  opts: { key?: string; now?: () => number; onGranted?: (slots: number[]) => void } = {},
): RateGate {
  const now = opts.now ?? Date.now;
  return new RateGate({
    reserve: async (n) => {
      const cfg = config();
      const { result } = await casUpdate(store, opts.key ?? RATE_KEY, parseRate, (s) => {
        const r = reserve(s, now(), n, cfg);
        return { state: r.state, result: r };
      });
      if (!result.ok) return { waitMs: result.waitMs };
      opts.onGranted?.(result.slots);
      return { slots: result.slots };
    },
    blockSize: () => blockSize(config()),
    now,
    toleranceMs: config().toleranceMs,
  });
}
