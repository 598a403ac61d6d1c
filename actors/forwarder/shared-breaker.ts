// This process's view of the breaker shared by every forwarder (KV mutt_state, key forwarder.breaker): a local
// copy kept current by a KV watch, probe acquisition by CAS, and results batched into one CAS per flush
// (a closed breaker costs no write per request). The forwarder's gate reads `canSendNow()`. An unreadable
// stored value is reported through `onUnreadable` and read as a fresh closed breaker (the next write replaces it).
//   const b = await SharedBreaker.open(kv, cfgFn, onUnreadable); await b.acquire(owner, signal); b.record(ok, probe, owner)

import type { KV } from '@nats-io/kv';
import {
  BreakerStateSchema,
  breakerView,
  canSend,
  initialBreaker,
  msUntilSendable,
  parseBreaker,
  recordResults,
  tryAcquire,
  type BreakerConfig,
  type BreakerState,
} from './breaker.ts';
import { casUpdate } from '../runtime/kv-cas.ts';
import { readStored, type StoredEntry } from './stored-state.ts';
import { BREAKER_KEY } from '../../protocol/state-keys.ts';

export class SharedBreaker {
  state: BreakerState = initialBreaker(Date.now());
  private changed: (() => void)[] = [];
  private pending = { ok: 0, fail: 0 };
  private flushTimer: NodeJS.Timeout | undefined;
  private stopWatch: (() => void) | undefined;

  private constructor(
    private readonly kv: KV,
    private readonly cfg: () => BreakerConfig,
  ) {}

  static async open(
    kv: KV,
    cfg: () => BreakerConfig,
    onUnreadable: (revision: number, error: string) => void = () => {},
  ): Promise<SharedBreaker> {
    const b = new SharedBreaker(kv, cfg);
    const read = (e: StoredEntry) =>
      readStored(e, BreakerStateSchema, (error) => onUnreadable(e.revision, error)) ?? initialBreaker(Date.now());
    const e = await kv.get(BREAKER_KEY);
    if (e && e.operation === 'PUT') b.state = read(e);
    const iter = await kv.watch({ key: BREAKER_KEY });
    b.stopWatch = () => iter.stop();
    void (async () => {
      for await (const u of iter) {
        if (u.operation !== 'PUT') continue;
        b.state = read(u);
        b.notify();
      }
    })().catch(() => {});
    b.flushTimer = setInterval(() => void b.flush().catch(() => {}), 250);
    b.flushTimer.unref();
    return b;
  }

  private notify(): void {
    for (const f of this.changed.splice(0)) f();
  }

  canSendNow(): boolean {
    return canSend(this.state, Date.now(), this.cfg());
  }

  /** Resolves at the next breaker change, when it may turn sendable by itself, or when `signal` aborts. */
  whenMaybeSendable(signal?: AbortSignal): Promise<void> {
    const ms = Math.max(50, msUntilSendable(this.state, Date.now(), this.cfg()));
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.changed.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Waits until this attempt may be sent; returns whether it is the half-open probe. Rejects with the
   * signal's reason when it aborts (the process is stopping): the runtime hands such a message straight back.
   */
  async acquire(owner: string, signal: AbortSignal): Promise<{ probe: boolean }> {
    for (;;) {
      signal.throwIfAborted();
      if (this.state.status === 'closed') return { probe: false };
      if (this.canSendNow()) {
        const { state, result } = await casUpdate(
          this.kv,
          BREAKER_KEY,
          (v) => parseBreaker(v, Date.now()),
          (s) => {
            const a = tryAcquire(s, Date.now(), owner, this.cfg());
            return { state: a.state, result: a };
          },
        );
        this.state = state;
        if (result.allowed) return { probe: result.probe };
      }
      await this.whenMaybeSendable(signal);
    }
  }

  /** Counts a finished request: the probe's result is written at once, others in the next flush. */
  async record(ok: boolean, probe: boolean, owner: string): Promise<void> {
    if (probe) {
      const { state } = await casUpdate(
        this.kv,
        BREAKER_KEY,
        (v) => parseBreaker(v, Date.now()),
        (s) => ({ state: recordResults(s, ok ? { ok: 1, fail: 0 } : { ok: 0, fail: 1 }, Date.now(), this.cfg(), owner), result: null }),
      );
      this.state = state;
      this.notify();
      return;
    }
    if (ok) this.pending.ok++;
    else this.pending.fail++;
    // A burst of failures is written at once, so an outage opens the breaker after ~minRequests attempts,
    // not after a whole flush interval of failing requests.
    if (!ok && this.pending.fail >= this.cfg().minRequests) void this.flush().catch(() => {});
  }

  async flush(): Promise<void> {
    const counts = this.pending;
    if (counts.ok + counts.fail === 0) return;
    this.pending = { ok: 0, fail: 0 };
    try {
      const { state } = await casUpdate(
        this.kv,
        BREAKER_KEY,
        (v) => parseBreaker(v, Date.now()),
        (s) => ({ state: recordResults(s, counts, Date.now(), this.cfg()), result: null }),
      );
      this.state = state;
    } catch (err) {
      this.pending.ok += counts.ok;
      this.pending.fail += counts.fail;
      throw err;
    }
  }

  view() {
    return breakerView(this.state, Date.now(), this.cfg());
  }

  stop(): void {
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.stopWatch?.();
    this.notify();
  }
}
