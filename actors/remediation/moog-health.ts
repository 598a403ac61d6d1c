// Is Moogsoft healthy enough to replay into? The shared breaker must be closed, and the endpoint must answer an
// HTTP GET with something other than a 5xx or a connection error. It never posts an event (v2.5's probe posted
// real, unauthenticated events to Moogsoft).
//   const health = new MoogHealth(kv, url); await health.healthy()

import type { KV } from '@nats-io/kv';
import { parseBreaker } from '../forwarder/breaker.ts';
import { BREAKER_KEY } from '../../protocol/state-keys.ts';

export class MoogHealth {
  private cached: { at: number; ok: boolean } | undefined;

  constructor(
    private readonly state: KV,
    private readonly url: string | undefined,
    private readonly cacheMs = 5000,
  ) {}

  async breakerClosed(): Promise<boolean> {
    const e = await this.state.get(BREAKER_KEY).catch(() => null);
    if (!e || e.operation !== 'PUT' || e.value.length === 0) return true;
    try {
      return parseBreaker(JSON.parse(Buffer.from(e.value).toString()), Date.now()).status === 'closed';
    } catch {
      return true;
    }
  }

  async reachable(): Promise<boolean> {
    if (!this.url) return false;
    try {
      const res = await fetch(this.url, { method: 'GET', signal: AbortSignal.timeout(3000) });
      await res.body?.cancel();
      return res.status < 500;
    } catch {
      return false;
    }
  }

  async healthy(): Promise<boolean> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.cacheMs) return this.cached.ok;
    const ok = (await this.breakerClosed()) && (await this.reachable());
    this.cached = { at: now, ok };
    return ok;
  }
}
