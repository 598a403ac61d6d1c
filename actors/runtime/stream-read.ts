// Reads stored messages back in batches: a short-lived consumer (no acks, in memory, filtered by subject, deleted
// after) delivers them, one request per batch instead of one direct get per message. Used for audit pages and
// dead-letter listings.
//   const { msgs, stop } = await readRange(jsm, 'MUTT_DLQ', 'mutt.dlq.forwarder.*', { fromSeq: 1, max: 500 })
//
// A pull request for more messages than remain waits out its expiry, so a read must stop by itself once it has
// everything. It never trusts a consumer's num_pending for that: nats-server 2.9's count for a wildcard filter
// over a file store is wrong whenever a matching subject starts after the read's first sequence (it adds or
// drops messages, a different number on every call; docs/PERFORMANCE.md, "Audit and DLQ queries"). It stops
// on the sequence of the last match instead: the stream's last message for that subject, or the read's upper
// bound, whichever comes first — a message with that sequence or a later one is always delivered.

import { AckPolicy, DeliverPolicy, type ConsumerInfo, type JetStreamManager, type MsgRequest, type StoredMsg } from '@nats-io/jetstream';
import { nuid } from '@nats-io/transport-node';

/** A stored message as read back. */
export interface ScannedMsg {
  seq: number;
  subject: string;
  /** Stored time. */
  time: Date;
  data: Uint8Array;
  header?: { get(name: string): string };
}

/**
 * How a read ended. 'max': it holds `max` messages and more may follow. 'end': it holds every match from
 * `fromSeq` up to `toSeq` (or up to the last match). 'expired': the pull request expired first — only when the
 * last match vanished during the read (deleted, aged out); more may follow.
 */
export type ReadStop = 'max' | 'end' | 'expired';

export interface ReadRange {
  /** First sequence to read, inclusive. */
  fromSeq: number;
  /** Most messages to return. */
  max: number;
  /** Last sequence wanted, inclusive (default: the stream's end). */
  toSeq?: number;
  /** The last match's sequence (lastMatch()) when the caller already knows it: saves a request per read. */
  last?: number | null;
}

export interface ReadResult {
  msgs: ScannedMsg[];
  stop: ReadStop;
}

/** A pull request's expiry: reached only when the last match vanishes mid-read (stop 'expired'). */
const EXPIRES_MS = 5000;

/**
 * A throw-away reader of `subject` from sequence `fromSeq` on (no acks, in memory). The caller deletes it; the
 * server does after 30 s unused if the caller cannot.
 */
export function addReader(jsm: JetStreamManager, stream: string, subject: string, fromSeq: number): Promise<ConsumerInfo> {
  return jsm.consumers.add(stream, {
    // Named, so the request subject carries stream and name (CONSUMER.CREATE.<stream>.<name>…) and least-privilege
    // users can be allowed exactly these readers (deploy/nats/accounts.conf).
    name: `mutt-read-${nuid.next()}`,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: fromSeq,
    filter_subject: subject,
    inactive_threshold: 30_000_000_000,
    mem_storage: true,
  });
}

/** First message with seq ≥ `seq` matching `subject`, or null. Exact on every server: it reads the messages themselves. */
export async function nextMatching(jsm: JetStreamManager, stream: string, seq: number, subject: string): Promise<StoredMsg | null> {
  // 2.9's message get answers next_by_subj although the client types only admit it for the direct API.
  return jsm.streams.getMessage(stream, { seq, next_by_subj: subject } as unknown as MsgRequest).catch(() => null);
}

/**
 * Sequence of the last stored message matching `subject`, or null when none is stored. One request; on 2.9,
 * whose answer is "not found" when the subject's newest message was deleted, a binary search with
 * nextMatching (≈ log2(stream length) requests) finds it instead.
 */
export async function lastMatch(jsm: JetStreamManager, stream: string, subject: string): Promise<number | null> {
  const last = await jsm.streams.getMessage(stream, { last_by_subj: subject }).catch(() => null);
  if (last) return last.seq;
  const first = await nextMatching(jsm, stream, 0, subject);
  if (!first) return null;
  const s = (await jsm.streams.info(stream)).state;
  return lastMatchIn(jsm, stream, subject, first.seq, s.last_seq);
}

/** Largest sequence in [seq, hi] holding a match, knowing that `seq` holds one. */
async function lastMatchIn(jsm: JetStreamManager, stream: string, subject: string, seq: number, hi: number): Promise<number> {
  let found = seq;
  let lo = seq + 1;
  // Invariant: no match in (hi, end of range]; `found` is a match below lo.
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const m = await nextMatching(jsm, stream, mid, subject);
    if (m && m.seq <= hi) {
      found = m.seq;
      lo = m.seq + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Smallest stored sequence whose time is ≥ t (lastSeq + 1 when none). Binary search: ~log2(n) reads. */
export async function seqAtOrAfter(
  jsm: JetStreamManager,
  stream: string,
  t: number,
  bounds: { first: number; last: number },
): Promise<number> {
  const { first, last } = bounds;
  let lo = first;
  let hi = last + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const m = await nextMatching(jsm, stream, mid, '>');
    if (!m || m.seq >= hi) hi = mid;
    else if (m.time.getTime() >= t) hi = m.seq;
    else lo = m.seq + 1;
  }
  return lo;
}

/**
 * Up to `max` messages matching `subject` with seq in [fromSeq, toSeq], oldest first, and why the read stopped.
 * Costs the last-match lookup (unless given), a consumer create, one pull and a consumer delete; it returns as
 * soon as it holds `max` messages or the last one wanted, never waiting for messages that will not come.
 */
export async function readRange(jsm: JetStreamManager, stream: string, subject: string, r: ReadRange): Promise<ReadResult> {
  if (r.max <= 0) return { msgs: [], stop: 'max' };
  const last = r.last !== undefined ? r.last : await lastMatch(jsm, stream, subject);
  const stopAt = Math.min(r.toSeq ?? Infinity, last ?? -1);
  if (r.fromSeq > stopAt) return { msgs: [], stop: 'end' };
  // No more can match than the range holds: a small range is asked for whole, and no more is sent than is wanted.
  const want = Math.min(r.max, stopAt - r.fromSeq + 1);
  const ci = await addReader(jsm, stream, subject, r.fromSeq);
  const msgs: ScannedMsg[] = [];
  let stop: ReadStop = 'expired';
  try {
    const iter = await jsm.jetstream().consumers.getConsumerFromInfo(ci).fetch({ max_messages: want, expires: EXPIRES_MS });
    try {
      for await (const m of iter) {
        // The first match past toSeq proves the range read whole.
        if (m.seq > stopAt) {
          stop = 'end';
          break;
        }
        msgs.push({
          seq: m.seq,
          subject: m.subject,
          time: new Date(Math.floor(m.info.timestampNanos / 1e6)),
          data: m.data,
          header: m.headers,
        });
        if (m.seq === stopAt) {
          stop = 'end';
          break;
        }
        if (msgs.length >= r.max) {
          stop = 'max';
          break;
        }
      }
    } finally {
      iter.stop();
    }
    return { msgs, stop };
  } finally {
    await jsm.consumers.delete(stream, ci.name).catch(() => false);
  }
}

/** Up to `max` messages matching `subject` from sequence `fromSeq` on, oldest first (readRange without a bound). */
export async function readFrom(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
  fromSeq: number,
  max: number,
): Promise<ScannedMsg[]> {
  return (await readRange(jsm, stream, subject, { fromSeq, max })).msgs;
}
