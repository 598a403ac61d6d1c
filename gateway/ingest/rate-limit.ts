// Per-key ingest rate limit: at most `limit` events per `windowSeconds` for each API key, as a sliding-window
// counter (this window's count plus the previous window's, weighted by how much of it still overlaps). Events
// are counted, not requests, and only events that passed validation, so a malformed request costs nothing.
// In memory, per gateway process: N replicas admit up to N × limit in total (documented in docs/INGEST.md).
// Limit and window are read per request (dynamic config ingest_rate_limit / ingest_rate_window_seconds).
//   const limiter = new KeyRateLimiter()
//   const r = limiter.take('rsyslog', 100, { limit: 1000, windowSeconds: 60 }); if (!r.ok) 429 Retry-After r.retryAfterSeconds

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Window {
  windowMs: number;
  start: number;
  current: number;
  previous: number;
}

export class KeyRateLimiter {
  private readonly windows = new Map<string, Window>();
  constructor(private readonly now: () => number = Date.now) {}

  take(key: string, n: number, cfg: { limit: number; windowSeconds: number }): RateDecision {
    if (cfg.limit <= 0) return { ok: true };
    const windowMs = Math.max(1, cfg.windowSeconds) * 1000;
    const now = this.now();
    const start = Math.floor(now / windowMs) * windowMs;
    let w = this.windows.get(key);
    if (!w || w.windowMs !== windowMs) {
      w = { windowMs, start, current: 0, previous: 0 };
      this.windows.set(key, w);
    }
    if (w.start !== start) {
      w.previous = start - w.start === windowMs ? w.current : 0;
      w.current = 0;
      w.start = start;
    }
    const overlap = 1 - (now - start) / windowMs;
    const estimate = w.current + w.previous * overlap;
    if (estimate + n > cfg.limit) {
      // When this window ends the previous one stops counting; a batch bigger than the limit never fits.
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now) / 1000)) };
    }
    w.current += n;
    return { ok: true };
  }
}
