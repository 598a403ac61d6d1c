// Cursor pages over a limits stream (audit, DLQ) by subject filter. The messages of a page are read in batches
// by a short-lived consumer (no acks, in memory, filtered by subject, deleted after): a filter on the subject
// tokens (host, rule, kind, id) reads only matches, and a batch costs one request, not one per message. Time
// bounds are found by binary search over stream time (direct gets with `next_by_subj`).
// Pages run oldest-first ('asc') or newest-first ('desc'); `cursor` is the sequence to continue from
// (inclusive), so "next page" is just the returned `nextCursor`. Filters the subject cannot express
// (decision, actor) run on each message under a scan budget: a page may come back short with a cursor.
//   const page = await scanPage(jsm, { stream: 'MUTT_AUDIT_CONFIG', subject: 'mutt.audit.config.rule.*',
//     order: 'desc', limit: 50, select: (m) => decodeRecord(m) })

import type { JetStreamManager, MsgRequest, StoredMsg } from '@nats-io/jetstream';
import { addReader, readFrom, type ScannedMsg } from '../../actors/runtime/stream-read.ts';

export type { ScannedMsg };

export type Order = 'asc' | 'desc';

export interface ScanOptions<T> {
  stream: string;
  /** Subject filter, wildcards allowed. */
  subject: string;
  order: Order;
  limit: number;
  /** Sequence to continue from, inclusive (a previous page's nextCursor). */
  cursor?: number;
  /** Stored-time bounds, epoch ms, inclusive. */
  from?: number;
  to?: number;
  /** Decodes and filters one message: null skips it. */
  select(m: ScannedMsg): T | null;
  /** Messages read per call before returning a short page with a cursor. Default 20,000 (batched reads: ≈ 0.5 s). */
  maxScan?: number;
}

export interface ScanItem<T> {
  seq: number;
  /** Stored time, epoch ms. */
  time: number;
  subject: string;
  item: T;
}

export interface ScanPage<T> {
  items: ScanItem<T>[];
  /** Where the next page starts, or null when nothing is left in this direction. */
  nextCursor: number | null;
  /** Messages read to build this page. */
  scanned: number;
}

const DEFAULT_MAX_SCAN = 20_000;
/** Fewest messages one batch asks for: a consumer costs three requests, so a batch should be worth them. */
const BATCH_MIN = 256;

export const storedTime = (m: ScannedMsg): number => m.time.getTime();

/** First message with seq ≥ `seq` matching `subject`, or null. */
export async function nextMatching(jsm: JetStreamManager, stream: string, seq: number, subject: string): Promise<StoredMsg | null> {
  // 2.9's direct get answers next_by_subj although the client types only admit it for the direct API.
  return jsm.streams.getMessage(stream, { seq, next_by_subj: subject } as unknown as MsgRequest).catch(() => null);
}

/** Smallest stored sequence whose time is ≥ t (lastSeq + 1 when none). Binary search: ~log2(n) reads. */
export async function seqAtOrAfter(jsm: JetStreamManager, stream: string, t: number, bounds?: { first: number; last: number }): Promise<number> {
  const { first, last } = bounds ?? (await streamBounds(jsm, stream));
  let lo = first;
  let hi = last + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const m = await nextMatching(jsm, stream, mid, '>');
    if (!m || m.seq >= hi) hi = mid;
    else if (storedTime(m) >= t) hi = m.seq;
    else lo = m.seq + 1;
  }
  return lo;
}

export async function streamBounds(jsm: JetStreamManager, stream: string): Promise<{ first: number; last: number; messages: number }> {
  const s = (await jsm.streams.info(stream)).state;
  return { first: s.first_seq, last: s.last_seq, messages: s.messages };
}

export async function scanPage<T>(jsm: JetStreamManager, o: ScanOptions<T>): Promise<ScanPage<T>> {
  const b = await streamBounds(jsm, o.stream);
  if (b.messages === 0 || b.last < b.first) return { items: [], nextCursor: null, scanned: 0 };
  let lo = Math.max(b.first, o.order === 'asc' ? (o.cursor ?? 0) : 0);
  let hi = Math.min(b.last, o.order === 'desc' ? (o.cursor ?? Infinity) : Infinity);
  if (o.from !== undefined) lo = Math.max(lo, await seqAtOrAfter(jsm, o.stream, o.from, b));
  if (o.to !== undefined) hi = Math.min(hi, (await seqAtOrAfter(jsm, o.stream, o.to + 1, b)) - 1);
  if (lo > hi) return { items: [], nextCursor: null, scanned: 0 };
  const budget = o.maxScan ?? DEFAULT_MAX_SCAN;
  return o.order === 'asc' ? scanAsc(jsm, o, lo, hi, budget) : scanDesc(jsm, o, lo, hi, budget);
}

async function scanAsc<T>(jsm: JetStreamManager, o: ScanOptions<T>, lo: number, hi: number, budget: number): Promise<ScanPage<T>> {
  const items: ScanItem<T>[] = [];
  let seq = lo;
  let scanned = 0;
  while (items.length < o.limit && scanned < budget) {
    const ask = Math.min(budget - scanned, Math.max(BATCH_MIN, (o.limit - items.length) * 2));
    const batch = await readFrom(jsm, o.stream, o.subject, seq, ask);
    let used = 0;
    for (const m of batch) {
      if (m.seq > hi) return { items, nextCursor: null, scanned };
      used++;
      scanned++;
      seq = m.seq + 1;
      const item = o.select(m);
      if (item !== null) items.push({ seq: m.seq, time: storedTime(m), subject: m.subject, item });
      if (items.length >= o.limit) break;
    }
    // A batch shorter than asked for, read to its end, was the last match there is.
    if (batch.length < ask && used === batch.length) return { items, nextCursor: null, scanned };
  }
  return { items, nextCursor: seq > hi ? null : seq, scanned };
}

// Newest first without a "previous by subject" request: read windows [hi-w+1, hi] forwards and keep their tail.
// A window holding far more matches than needed is retried narrower, so one page never reads unboundedly.
async function scanDesc<T>(jsm: JetStreamManager, o: ScanOptions<T>, lo: number, hi: number, budget: number): Promise<ScanPage<T>> {
  const items: ScanItem<T>[] = [];
  let scanned = 0;
  let width = Math.max(64, o.limit * 2);
  while (hi >= lo && items.length < o.limit && scanned < budget) {
    const need = o.limit - items.length;
    const start = Math.max(lo, hi - width + 1);
    const cap = Math.max(256, need * 4);
    const window: ScanItem<T>[] = [];
    let reads = 0;
    let narrowed = false;
    for (const m of await readFrom(jsm, o.stream, o.subject, start, cap + 1)) {
      if (m.seq > hi) break;
      reads++;
      const item = o.select(m);
      if (item !== null) window.push({ seq: m.seq, time: storedTime(m), subject: m.subject, item });
      if (reads > cap && hi - start + 1 > 1) {
        narrowed = true;
        break;
      }
    }
    scanned += reads;
    if (narrowed) {
      width = Math.max(1, Math.floor((hi - start + 1) / 4));
      continue;
    }
    const taken = window.slice(-need).reverse();
    items.push(...taken);
    if (window.length > need) return { items, nextCursor: taken[taken.length - 1].seq - 1, scanned };
    hi = start - 1;
    // The next window is sized by how dense matches were in this one (at most 8 times wider): a sparse subject
    // takes a few windows, not one per handful of matches. An overestimate is narrowed above.
    const still = o.limit - items.length;
    width = window.length === 0 ? Math.min(width * 4, 1 << 20) : Math.min(Math.ceil((still * width * 1.25) / window.length), width * 8, 1 << 20);
  }
  return { items, nextCursor: hi >= lo ? hi : null, scanned };
}

/** Messages matching `subject` with seq in [fromSeq, toSeq]: stream subject counts, or an ephemeral consumer's pending count. */
export async function countMatching(jsm: JetStreamManager, stream: string, subject: string, fromSeq?: number, toSeq?: number): Promise<number> {
  const b = await streamBounds(jsm, stream);
  if (b.messages === 0) return 0;
  const from = Math.max(b.first, fromSeq ?? b.first);
  const to = Math.min(b.last, toSeq ?? b.last);
  if (from > to) return 0;
  const atOrAfter = async (seq: number): Promise<number> => {
    if (seq > b.last) return 0;
    if (seq <= b.first) return subjectTotal(jsm, stream, subject);
    return pendingFrom(jsm, stream, subject, seq);
  };
  const [a, z] = await Promise.all([atOrAfter(from), atOrAfter(to + 1)]);
  return Math.max(0, a - z);
}

export async function subjectTotal(jsm: JetStreamManager, stream: string, subject: string): Promise<number> {
  const info = await jsm.streams.info(stream, { subjects_filter: subject });
  return Object.values(info.state.subjects ?? {}).reduce((sum, n) => sum + n, 0);
}

/** Per-subject counts of a stream (e.g. the DLQ by stage and reason). */
export async function subjectCounts(jsm: JetStreamManager, stream: string, subject: string): Promise<Record<string, number>> {
  const info = await jsm.streams.info(stream, { subjects_filter: subject });
  return info.state.subjects ?? {};
}

async function pendingFrom(jsm: JetStreamManager, stream: string, subject: string, seq: number): Promise<number> {
  const ci = await addReader(jsm, stream, subject, seq);
  await jsm.consumers.delete(stream, ci.name).catch(() => false);
  return ci.num_pending;
}
