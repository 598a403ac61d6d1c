// Per-minute counts by name, shared by every replica of an actor: one KV key per UTC minute in `mutt_counters`
// (kept 26 h), `<prefix>.1m.<yyyyMMddHHmm>`, whose value is a JSON object of counts ({"in.http": 12, …}). The
// hot path adds to a local tally (no I/O); a timer merges it into the minute's key every second with
// compare-and-set, so replicas never lose each other's counts and a busy alerter costs one KV write a second,
// whatever the number of names. `mutt status` reads the last complete minute and the current one.
//   const tally = openMinuteTally(kv, 'flow', { log }); tally.add('in.syslog-udp'); await tally.close()
//   await readMinute(kv, 'flow', minuteOf(Date.now()) - 1)   // → { 'in.syslog-udp': 1210, 'decision.page_only': 3 }

import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import { casUpdate } from './kv-cas.ts';

const MINUTE_MS = 60_000;
const KEEP_MS = 26 * 3_600_000;
/** Distinct names one minute's object may hold: names come from code, never from senders, but a bug must not bloat a key. */
const MAX_NAMES = 64;

export type Counts = Record<string, number>;

export const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS);

const pad = (n: number) => String(n).padStart(2, '0');
export function minuteKey(prefix: string, minute: number): string {
  const d = new Date(minute * MINUTE_MS);
  return `${prefix}.1m.${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
}

function parseCounts(v: unknown): Counts {
  const out: Counts = {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return out;
  for (const [k, n] of Object.entries(v)) if (typeof n === 'number' && Number.isFinite(n) && n >= 0) out[k] = n;
  return out;
}

/** The counts of one minute (empty when nothing was counted, or the key is unreadable). */
export async function readMinute(kv: KV, prefix: string, minute: number): Promise<Counts> {
  const e = await kv.get(minuteKey(prefix, minute));
  if (!e || e.operation !== 'PUT') return {};
  try {
    return parseCounts(JSON.parse(e.string()));
  } catch {
    return {};
  }
}

export interface MinuteTally {
  add(name: string, n?: number, at?: number): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function openMinuteTally(
  kv: KV,
  prefix: string,
  opts: { log?: Logger; flushIntervalMs?: number; now?: () => number } = {},
): MinuteTally {
  const now = opts.now ?? Date.now;
  let tally = new Map<number, Counts>();
  let flushing: Promise<void> | null = null;
  let failing = false;

  const write = async () => {
    const batch = tally;
    tally = new Map();
    for (const [minute, counts] of batch) {
      try {
        await casUpdate(
          kv,
          minuteKey(prefix, minute),
          (v) => parseCounts(v),
          (prev) => {
            const next: Counts = { ...(prev ?? {}) };
            for (const [k, n] of Object.entries(counts))
              if (k in next || Object.keys(next).length < MAX_NAMES) next[k] = (next[k] ?? 0) + n;
            return { state: next, result: null };
          },
        );
        if (failing) opts.log?.info({ prefix }, 'minute counts flushed again');
        failing = false;
      } catch (err) {
        // Kept for the next flush unless the minute has aged out of the bucket.
        if (minute * MINUTE_MS >= now() - KEEP_MS) merge(minute, counts);
        if (!failing) opts.log?.warn({ prefix, err: (err as Error).message }, 'minute counts not flushed; will retry');
        failing = true;
      }
    }
  };
  const merge = (minute: number, counts: Counts) => {
    const t = tally.get(minute) ?? {};
    for (const [k, n] of Object.entries(counts)) t[k] = (t[k] ?? 0) + n;
    tally.set(minute, t);
  };
  const flush = async () => {
    while (flushing) await flushing;
    if (tally.size === 0) return;
    flushing = write().finally(() => (flushing = null));
    return flushing;
  };
  const timer = setInterval(() => void flush(), opts.flushIntervalMs ?? 1000);
  timer.unref();
  return {
    add(name, n = 1, at = now()) {
      if (n > 0) merge(minuteOf(at), { [name]: n });
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush().catch(() => {});
    },
  };
}
