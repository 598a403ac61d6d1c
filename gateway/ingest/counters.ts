// Accepted-event counts for the dashboard, shared by every gateway replica: KV bucket `mutt_counters` (kept 26 h)
// holds one decimal counter per UTC minute and per UTC hour:
//   ingest.1m.<yyyyMMddHHmm>   ingest.1h.<yyyyMMddHH>
// The hot path only adds to a local tally (`add`, no I/O); a timer flushes the tally every second with
// compare-and-set (get, then update at that revision; create for a new key; retry on a conflict), so replicas
// never lose each other's increments. A tally that cannot be flushed (NATS down) is kept and retried, unless
// its minute has aged out of the bucket.
// Readers (the dashboard API) see counts at most one flush interval behind:
//   const counters = await openIngestCounters(nc, { log })
//   counters.add(3)
//   await counters.series(fromMinute, toMinute)   // epoch minutes (ms / 60000), inclusive, missing minutes = 0
//   await counters.summary()                      // v2.5's /api/v1/metrics shape: 1 min, 15 min, 1 h, 24 h chart

import { jetstream, JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { Bucket } from '../../protocol/streams.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const KEEP_MS = 26 * HOUR_MS;
const MAX_RANGE = 2 * 1440;
const CAS_ATTEMPTS = 25;

export interface MinuteCount {
  /** Epoch minute: Math.floor(ms / 60000). */
  minute: number;
  count: number;
}
export interface HourCount {
  /** Epoch hour: Math.floor(ms / 3600000). */
  hour: number;
  count: number;
}

/** Averages in events per minute, rounded to 2 decimals (v2.5's GET /api/v1/metrics shape, plus this_minute). */
export interface IngestSummary {
  summary: {
    /** The last complete minute. */
    current_rate_1m: number;
    /** The current minute so far. */
    this_minute: number;
    /** Mean of the last 15 complete minutes, minutes without events counting as 0 (v2.5 skipped them). */
    avg_rate_15m: number;
    avg_rate_1h: number;
  };
  /** 24 UTC hours, oldest first, labels 'HH:00', data = events per minute in that hour (so far, for the current one). */
  chart_24h: { labels: string[]; data: number[] };
}

export interface IngestCounters {
  /** Counts n accepted events at `at` (default now). Synchronous and local. */
  add(n: number, at?: number): void;
  /** Writes the local tally to KV now (the timer does this every second). */
  flush(): Promise<void>;
  /** Events not yet written to KV (for tests and shutdown logs). */
  pending(): number;
  series(fromMinute: number, toMinute: number): Promise<MinuteCount[]>;
  hourly(fromHour: number, toHour: number): Promise<HourCount[]>;
  summary(now?: number): Promise<IngestSummary>;
  /** Stops the timer and flushes what is left. */
  close(): Promise<void>;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
function stamp(ms: number, withMinute: boolean): string {
  const d = new Date(ms);
  const s = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}`;
  return withMinute ? s + pad(d.getUTCMinutes()) : s;
}
export const minuteKey = (minute: number) => `ingest.1m.${stamp(minute * MINUTE_MS, true)}`;
export const hourKey = (hour: number) => `ingest.1h.${stamp(hour * HOUR_MS, false)}`;

const round2 = (n: number) => Math.round(n * 100) / 100;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function isConflict(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === 10071 || err.code === 10164);
}

/** Adds delta to a counter key with compare-and-set; retries when another replica wrote in between. */
export async function addToCounter(kv: KV, key: string, delta: number): Promise<number> {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const e = await kv.get(key);
    const exists = e !== null && e.operation === 'PUT';
    const next = (exists ? Number(e.string()) || 0 : 0) + delta;
    try {
      if (exists) await kv.update(key, String(next), e.revision);
      else await kv.create(key, String(next));
      return next;
    } catch (err) {
      if (!isConflict(err)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
    }
  }
  throw new Error(`counter ${key}: gave up after ${CAS_ATTEMPTS} conflicting writes`);
}

async function read(kv: KV, key: string): Promise<number> {
  const e = await kv.get(key);
  return e && e.operation === 'PUT' ? Number(e.string()) || 0 : 0;
}

class KvIngestCounters implements IngestCounters {
  private tally = new Map<string, { delta: number; start: number }>();
  private flushing?: Promise<void>;
  private readonly timer: NodeJS.Timeout;
  private failing = false;

  constructor(
    private readonly kv: KV,
    private readonly opts: { flushIntervalMs: number; log?: Logger; now: () => number },
  ) {
    this.timer = setInterval(() => {
      if (!this.flushing) void this.flush();
    }, opts.flushIntervalMs);
    this.timer.unref();
  }

  add(n: number, at = this.opts.now()): void {
    if (!(n > 0)) return;
    const minute = Math.floor(at / MINUTE_MS);
    const hour = Math.floor(at / HOUR_MS);
    this.bump(minuteKey(minute), n, minute * MINUTE_MS);
    this.bump(hourKey(hour), n, hour * HOUR_MS);
  }

  private bump(key: string, n: number, start: number): void {
    const t = this.tally.get(key);
    if (t) t.delta += n;
    else this.tally.set(key, { delta: n, start });
  }

  pending(): number {
    let n = 0;
    for (const [k, t] of this.tally) if (k.startsWith('ingest.1m.')) n += t.delta;
    return n;
  }

  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.tally.size === 0) return;
    this.flushing = this.writeTally().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async writeTally(): Promise<void> {
    const batch = this.tally;
    this.tally = new Map();
    const failed: [string, { delta: number; start: number }][] = [];
    let firstError: unknown;
    await Promise.all(
      [...batch].map(async ([key, t]) => {
        try {
          await addToCounter(this.kv, key, t.delta);
        } catch (err) {
          firstError ??= err;
          failed.push([key, t]);
        }
      }),
    );
    const oldest = this.opts.now() - KEEP_MS;
    for (const [key, t] of failed) if (t.start >= oldest) this.bump(key, t.delta, t.start);
    if (failed.length && !this.failing)
      this.opts.log?.warn({ err: (firstError as Error)?.message, keys: failed.length }, 'ingest counters not flushed; will retry');
    else if (!failed.length && this.failing) this.opts.log?.info('ingest counters flushed again');
    this.failing = failed.length > 0;
  }

  async series(fromMinute: number, toMinute: number): Promise<MinuteCount[]> {
    const from = Math.max(Math.floor(fromMinute), Math.floor(toMinute) - MAX_RANGE + 1);
    const minutes: number[] = [];
    for (let m = from; m <= toMinute; m++) minutes.push(m);
    const counts = await Promise.all(minutes.map((m) => read(this.kv, minuteKey(m))));
    return minutes.map((minute, i) => ({ minute, count: counts[i] }));
  }

  async hourly(fromHour: number, toHour: number): Promise<HourCount[]> {
    const from = Math.max(Math.floor(fromHour), Math.floor(toHour) - MAX_RANGE + 1);
    const hours: number[] = [];
    for (let h = from; h <= toHour; h++) hours.push(h);
    const counts = await Promise.all(hours.map((h) => read(this.kv, hourKey(h))));
    return hours.map((hour, i) => ({ hour, count: counts[i] }));
  }

  async summary(now = this.opts.now()): Promise<IngestSummary> {
    const minute = Math.floor(now / MINUTE_MS);
    const hour = Math.floor(now / HOUR_MS);
    const [mins, hours] = await Promise.all([this.series(minute - 60, minute), this.hourly(hour - 23, hour)]);
    const complete = mins.slice(0, 60).map((m) => m.count); // minute-60 .. minute-1
    const elapsedMinutes = Math.floor((now - hour * HOUR_MS) / MINUTE_MS) + 1;
    return {
      summary: {
        current_rate_1m: complete[59],
        this_minute: mins[60].count,
        avg_rate_15m: round2(mean(complete.slice(-15))),
        avg_rate_1h: round2(mean(complete)),
      },
      chart_24h: {
        labels: hours.map((h) => `${pad(new Date(h.hour * HOUR_MS).getUTCHours())}:00`),
        data: hours.map((h) => round2(h.count / (h.hour === hour ? elapsedMinutes : 60))),
      },
    };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

export async function openIngestCounters(
  nc: NatsConnection,
  opts: { flushIntervalMs?: number; log?: Logger; now?: () => number; timeoutMs?: number } = {},
): Promise<IngestCounters> {
  const kv = await new Kvm(jetstream(nc, { timeout: opts.timeoutMs ?? 5000 })).open(Bucket.counters);
  return new KvIngestCounters(kv, { flushIntervalMs: opts.flushIntervalMs ?? 1000, log: opts.log, now: opts.now ?? Date.now });
}
