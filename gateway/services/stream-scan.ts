// Cursor pages over a limits stream (audit, DLQ) by subject filter. The messages of a page are read in batches
// by a short-lived consumer (actors/runtime/stream-read.ts): a filter on the subject tokens (host, rule, kind,
// id) reads only matches, and a batch costs one request, not one per message. Time bounds are found by binary
// search over stream time (message gets with `next_by_subj`).
// Pages run oldest-first ('asc') or newest-first ('desc'); `cursor` is the sequence to continue from
// (inclusive), so "next page" is just the returned `nextCursor`. Filters the subject cannot express
// (decision, actor) run on each message under a scan budget: a page may come back short with a cursor.
//   const page = await scanPage(jsm, { stream: 'MUTT_AUDIT_CONFIG', subject: 'mutt.audit.config.rule.*',
//     order: 'desc', limit: 50, select: (m) => decodeRecord(m) })

import type { JetStreamManager } from '@nats-io/jetstream';
import { lastMatch, nextMatching, readRange, seqAtOrAfter as seqAt, type ScannedMsg } from '../../actors/runtime/stream-read.ts';

export type { ScannedMsg };
export { nextMatching };

/** Smallest stored sequence whose time is ≥ t (lastSeq + 1 when none). */
export async function seqAtOrAfter(
  jsm: JetStreamManager,
  stream: string,
  t: number,
  bounds?: { first: number; last: number },
): Promise<number> {
  return seqAt(jsm, stream, t, bounds ?? (await streamBounds(jsm, stream)));
}

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
  /** How many messages in the whole stream match `subject` (countMatching), when known: sizes the first window of a newest-first page. */
  matches?: number;
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

export interface StreamBounds {
  first: number;
  last: number;
  messages: number;
  /** The stream's configured subjects. */
  subjects: string[];
}

const DEFAULT_MAX_SCAN = 20_000;
/** Fewest messages one oldest-first batch asks for once the first (sized to the page) fell short. */
const BATCH_MIN = 256;
const BATCH_MAX = 4096;
/** Re-reads of a newest-first window whose last match vanished during the read. */
const MAX_RETRIES = 2;

export const storedTime = (m: ScannedMsg): number => m.time.getTime();

export async function streamBounds(jsm: JetStreamManager, stream: string): Promise<StreamBounds> {
  const info = await jsm.streams.info(stream);
  const s = info.state;
  return { first: s.first_seq, last: s.last_seq, messages: s.messages, subjects: info.config.subjects ?? [] };
}

/** True when `subject` matches every message of the stream: its count is the stream's message count. */
const wholeStream = (b: StreamBounds, subject: string): boolean =>
  subject === '>' || (b.subjects.length === 1 && b.subjects[0] === subject);

export async function scanPage<T>(jsm: JetStreamManager, o: ScanOptions<T>): Promise<ScanPage<T>> {
  const [b, last] = await Promise.all([streamBounds(jsm, o.stream), lastMatch(jsm, o.stream, o.subject)]);
  if (b.messages === 0 || b.last < b.first || last === null) return { items: [], nextCursor: null, scanned: 0 };
  let lo = Math.max(b.first, o.order === 'asc' ? (o.cursor ?? 0) : 0);
  let hi = Math.min(last, o.order === 'desc' ? (o.cursor ?? Infinity) : Infinity);
  const [fromSeq, toSeq] = await Promise.all([
    o.from === undefined ? lo : seqAtOrAfter(jsm, o.stream, o.from, b),
    o.to === undefined ? hi + 1 : seqAtOrAfter(jsm, o.stream, o.to + 1, b),
  ]);
  lo = Math.max(lo, fromSeq);
  hi = Math.min(hi, toSeq - 1);
  if (lo > hi) return { items: [], nextCursor: null, scanned: 0 };
  const scan: Scan<T> = {
    jsm,
    o,
    last,
    budget: o.maxScan ?? DEFAULT_MAX_SCAN,
    density: o.matches !== undefined && b.messages > 0 ? o.matches / b.messages : undefined,
  };
  return o.order === 'asc' ? scanAsc(scan, lo, hi) : scanDesc(scan, lo, hi);
}

interface Scan<T> {
  jsm: JetStreamManager;
  o: ScanOptions<T>;
  /** Sequence of the subject's last match (re-read when a read finds it gone). */
  last: number;
  budget: number;
  /** Matching share of the stream's messages, when known. */
  density?: number;
}

async function read<T>(s: Scan<T>, fromSeq: number, toSeq: number, max: number) {
  const r = await readRange(s.jsm, s.o.stream, s.o.subject, { fromSeq, toSeq, max, last: s.last });
  // Only a read whose last match vanished meanwhile expires: look it up again for the reads that follow.
  if (r.stop === 'expired') s.last = (await lastMatch(s.jsm, s.o.stream, s.o.subject)) ?? 0;
  return r;
}

async function scanAsc<T>(s: Scan<T>, lo: number, hi: number): Promise<ScanPage<T>> {
  const { o, budget } = s;
  const items: ScanItem<T>[] = [];
  let seq = lo;
  let scanned = 0;
  // The first batch is the page itself (plus one, to see whether more follow); a filter that skips messages
  // makes the following batches larger.
  let ask = o.limit + 1;
  while (items.length < o.limit && scanned < budget && seq <= Math.min(hi, s.last)) {
    const r = await read(s, seq, hi, Math.min(budget - scanned, ask));
    let used = 0;
    for (const m of r.msgs) {
      used++;
      scanned++;
      seq = m.seq + 1;
      const item = o.select(m);
      if (item !== null) items.push({ seq: m.seq, time: storedTime(m), subject: m.subject, item });
      if (items.length >= o.limit) break;
    }
    if (r.stop === 'end' && used === r.msgs.length) return { items, nextCursor: null, scanned };
    ask = Math.min(BATCH_MAX, Math.max(BATCH_MIN, ask * 4));
  }
  return { items, nextCursor: seq > Math.min(hi, s.last) ? null : seq, scanned };
}

// Newest first without a "previous by subject" request: read windows [hi-w+1, hi] forwards and keep their tail.
// A window holding far more matches than needed is retried narrower, so one page never reads unboundedly.
async function scanDesc<T>(s: Scan<T>, lo: number, hi: number): Promise<ScanPage<T>> {
  const { o, budget } = s;
  const items: ScanItem<T>[] = [];
  let scanned = 0;
  // Sized from the subject's share of the stream when known (a host's records: one window, not a dozen).
  let width = Math.max(64, o.limit * 2, s.density ? Math.ceil((o.limit * 1.25) / s.density) : 0);
  let retries = 0;
  while (hi >= lo && items.length < o.limit && scanned < budget) {
    const need = o.limit - items.length;
    const start = Math.max(lo, hi - width + 1);
    const cap = Math.max(256, need * 4);
    const r = await read(s, start, hi, cap + 1);
    // A window cut short by a vanished last match is read again, up to the match read() has just looked up.
    if (r.stop === 'expired' && ++retries <= MAX_RETRIES) continue;
    const window: ScanItem<T>[] = [];
    let reads = 0;
    let narrowed = false;
    for (const m of r.msgs) {
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
    width =
      window.length === 0 ? Math.min(width * 4, 1 << 20) : Math.min(Math.ceil((still * width * 1.25) / window.length), width * 8, 1 << 20);
  }
  return { items, nextCursor: hi >= lo ? hi : null, scanned };
}

/** Messages matching `subject` in the whole stream: the stream's count, or its subject counts. Exact. */
export async function countMatching(jsm: JetStreamManager, stream: string, subject: string, bounds?: StreamBounds): Promise<number> {
  const b = bounds ?? (await streamBounds(jsm, stream));
  if (b.messages === 0) return 0;
  if (wholeStream(b, subject)) return b.messages;
  return subjectTotal(jsm, stream, subject);
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
