// Exact shared state in a KV key under concurrency: every update is a compare-and-set, and updates to the same
// key from one process are coalesced (while one CAS is in flight, the next ones queue and go together), so
// contention stays at one CAS per key per process however many handlers run. Each caller's promise resolves
// only when the state including its update is stored — a handler acks after its count is durable.
//   const c = new KvCasBatcher(kv, decide); const { fired } = await c.add('unhandled.h.fp', 1)

import type { KV } from '@nats-io/kv';
import { casUpdate } from './kv-cas.ts';

export interface Step<S, R> {
  next: S;
  /** Result handed to the callers of this batch (e.g. whether the batch crossed a threshold). */
  result: R;
}

/** Pure transition: the previous state (null when absent) plus `n` queued increments → next state. */
export type Transition<S, R> = (prev: S | null, n: number, now: number) => Step<S, R>;

interface Pending<R> {
  n: number;
  waiters: { resolve: (r: { result: R; first: boolean }) => void; reject: (e: unknown) => void }[];
}

export class KvCasBatcher<S, R> {
  private readonly inFlight = new Set<string>();
  private readonly queued = new Map<string, Pending<R>>();

  constructor(
    private readonly kv: KV,
    private readonly transition: Transition<S, R>,
  ) {}

  /** Adds n to `key`; resolves with the batch result, `first` true for exactly one caller of the batch. */
  add(key: string, n = 1): Promise<{ result: R; first: boolean }> {
    return new Promise((resolve, reject) => {
      const p = this.queued.get(key) ?? { n: 0, waiters: [] };
      p.n += n;
      p.waiters.push({ resolve, reject });
      this.queued.set(key, p);
      if (!this.inFlight.has(key)) void this.flush(key);
    });
  }

  private async flush(key: string): Promise<void> {
    const batch = this.queued.get(key);
    if (!batch) return;
    this.queued.delete(key);
    this.inFlight.add(key);
    try {
      const result = await this.apply(key, batch.n);
      batch.waiters.forEach((w, i) => w.resolve({ result, first: i === 0 }));
    } catch (err) {
      for (const w of batch.waiters) w.reject(err);
    } finally {
      this.inFlight.delete(key);
      if (this.queued.has(key)) void this.flush(key);
    }
  }

  private async apply(key: string, n: number): Promise<R> {
    const { result } = await casUpdate(
      this.kv,
      key,
      (v) => (v ?? null) as S | null,
      (prev) => {
        const step = this.transition(prev, n, Date.now());
        return { state: step.next as S | null, result: step.result };
      },
    );
    return result;
  }
}
