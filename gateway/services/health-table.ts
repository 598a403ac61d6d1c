// Health of every MUTT process, from the JSON heartbeat each publishes every 5 s on core NATS
// `mutt.health.<process>.<instance>` (actors/runtime/process.ts): a table of the last heartbeat per instance,
// stale when older than 15 s, forgotten after 10 minutes of silence; and per actor, how many instances run,
// are ready and are stale. A heartbeat may carry `metrics` (cumulative counter values by Prometheus series
// name), which the SLO sampler sums across processes.
//   const table = ActorHealthTable.start(nc); table.processes(); table.actors(); table.stop()

import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { z } from 'zod';
import { subjects } from '../../protocol/subjects.ts';

export const Heartbeat = z.object({
  instance: z.string(),
  process: z.string(),
  pid: z.number().optional(),
  version: z.string().optional(),
  actors: z.array(z.string()).default([]),
  ready: z.boolean(),
  components: z
    .record(z.string(), z.object({ ready: z.boolean(), detail: z.string().optional(), since: z.number().optional() }))
    .default({}),
  startedAt: z.number().optional(),
  at: z.number(),
  httpPort: z.number().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
});
export type Heartbeat = z.infer<typeof Heartbeat>;

export interface ProcessHealth {
  heartbeat: Heartbeat;
  /** When this table last heard from it (local clock). */
  lastSeen: number;
  stale: boolean;
}

export interface ActorSummary {
  instances: number;
  ready: number;
  stale: number;
}

export interface HealthTableOptions {
  staleAfterMs?: number;
  forgetAfterMs?: number;
  now?: () => number;
}

export class ActorHealthTable {
  private readonly seen = new Map<string, { heartbeat: Heartbeat; lastSeen: number }>();
  private readonly staleAfterMs: number;
  private readonly forgetAfterMs: number;
  private readonly now: () => number;
  /** Heartbeats that were not valid JSON of the expected shape. */
  malformed = 0;

  private constructor(
    private readonly sub: Subscription,
    opts: HealthTableOptions,
  ) {
    this.staleAfterMs = opts.staleAfterMs ?? 15_000;
    this.forgetAfterMs = opts.forgetAfterMs ?? 600_000;
    this.now = opts.now ?? Date.now;
  }

  static start(nc: NatsConnection, opts: HealthTableOptions = {}): ActorHealthTable {
    const sub = nc.subscribe(subjects.heartbeats);
    const table = new ActorHealthTable(sub, opts);
    void (async () => {
      for await (const m of sub) table.receive(m.data);
    })().catch(() => {});
    return table;
  }

  /** Applies one heartbeat body (exposed for the subscription loop). */
  receive(data: Uint8Array): void {
    let parsed;
    try {
      parsed = Heartbeat.safeParse(JSON.parse(Buffer.from(data).toString('utf8')));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) {
      this.malformed++;
      return;
    }
    const hb = parsed.data;
    this.seen.set(`${hb.process}/${hb.instance}`, { heartbeat: hb, lastSeen: this.now() });
  }

  processes(): ProcessHealth[] {
    const now = this.now();
    const out: ProcessHealth[] = [];
    for (const [key, s] of this.seen) {
      const age = now - s.lastSeen;
      if (age > this.forgetAfterMs) {
        this.seen.delete(key);
        continue;
      }
      out.push({ heartbeat: s.heartbeat, lastSeen: s.lastSeen, stale: age > this.staleAfterMs });
    }
    return out.sort(
      (a, b) => a.heartbeat.process.localeCompare(b.heartbeat.process) || a.heartbeat.instance.localeCompare(b.heartbeat.instance),
    );
  }

  /** Per actor name: instances heard from, how many are ready (and not stale), how many are stale. */
  actors(): Record<string, ActorSummary> {
    const out: Record<string, ActorSummary> = {};
    for (const p of this.processes()) {
      for (const actor of p.heartbeat.actors) {
        const s = (out[actor] ??= { instances: 0, ready: 0, stale: 0 });
        s.instances++;
        if (p.stale) s.stale++;
        else if (p.heartbeat.ready) s.ready++;
      }
    }
    return out;
  }

  /** Counter values reported in heartbeats by live (not stale) processes other than `exceptInstance`. */
  remoteMetrics(exceptInstance?: string): { instance: string; metrics: Record<string, number> }[] {
    return this.processes()
      .filter((p) => !p.stale && p.heartbeat.metrics && p.heartbeat.instance !== exceptInstance)
      .map((p) => ({ instance: `${p.heartbeat.process}/${p.heartbeat.instance}`, metrics: p.heartbeat.metrics! }));
  }

  stop(): void {
    this.sub.unsubscribe();
  }
}
