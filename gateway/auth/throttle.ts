// Brute-force brake: counts failed authentications per source (an IPv4 address, an IPv6 /64: throttle-key.ts)
// in a fixed window; once an address has
// failed `maxFailures` times, every authentication attempt from it (right key or wrong) is refused until its
// window ends, so guessing cannot continue at full speed. In memory, per gateway process; one instance should
// be shared by every route that authenticates (ingest and management API), so their failures add up.
//   const t = new FailureThrottle({ maxFailures: 20, windowMs: 60_000 })
//   const s = t.check(addr); if (s.blocked) 429 Retry-After s.retryAfterSeconds; ... on a wrong key: t.fail(addr)

import { throttleKey } from './throttle-key.ts';

export interface ThrottleOptions {
  maxFailures?: number;
  windowMs?: number;
  /** Addresses tracked at most; the oldest are forgotten first (bounded memory under a spray of sources). */
  maxTracked?: number;
  now?: () => number;
}

export type ThrottleState = { blocked: false } | { blocked: true; retryAfterSeconds: number };

export class FailureThrottle {
  readonly maxFailures: number;
  readonly windowMs: number;
  private readonly maxTracked: number;
  private readonly now: () => number;
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(opts: ThrottleOptions = {}) {
    this.maxFailures = opts.maxFailures ?? 20;
    this.windowMs = opts.windowMs ?? 60_000;
    this.maxTracked = opts.maxTracked ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  private current(address: string): { start: number; failures: number } | undefined {
    const w = this.windows.get(address);
    if (w && this.now() - w.start >= this.windowMs) {
      this.windows.delete(address);
      return undefined;
    }
    return w;
  }

  /** `address` is the peer's address; IPv6 peers are counted by their /64 (throttleKey). */
  check(address: string): ThrottleState {
    const w = this.current(throttleKey(address));
    if (!w || w.failures < this.maxFailures) return { blocked: false };
    return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil((w.start + this.windowMs - this.now()) / 1000)) };
  }

  fail(peer: string): void {
    const address = throttleKey(peer);
    const w = this.current(address);
    if (w) {
      w.failures++;
      return;
    }
    if (this.windows.size >= this.maxTracked) this.windows.delete(this.windows.keys().next().value as string);
    this.windows.set(address, { start: this.now(), failures: 1 });
  }

  /** Addresses currently tracked (for tests and a health page). */
  get tracked(): number {
    return this.windows.size;
  }
}
