// Reads stored messages back in batches: a short-lived consumer (no acks, in memory, filtered by subject, deleted
// after) delivers them, one request per batch instead of one direct get per message. Used for audit pages and
// dead-letter listings.
//   const msgs = await readFrom(jsm, 'MUTT_DLQ', 'mutt.dlq.forwarder.*', 1, 500)

import { AckPolicy, DeliverPolicy, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
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
 * A throw-away reader of `subject` from sequence `fromSeq` on (no acks, in memory). Its info says how many matches
 * lie ahead (num_pending). The caller deletes it; the server does after 30 s unused if the caller cannot.
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

/**
 * Up to `max` messages matching `subject` from sequence `fromSeq` on, oldest first. One reader per call: its
 * creation says how many matches lie ahead, so the fetch asks for no more than exist and never waits for
 * messages that will not come.
 */
export async function readFrom(jsm: JetStreamManager, stream: string, subject: string, fromSeq: number, max: number): Promise<ScannedMsg[]> {
  const ci = await addReader(jsm, stream, subject, fromSeq);
  try {
    const want = Math.min(max, ci.num_pending);
    const out: ScannedMsg[] = [];
    if (want <= 0) return out;
    const consumer = await jsm.jetstream().consumers.get(stream, ci.name);
    const iter = await consumer.fetch({ max_messages: want, expires: 5000 });
    for await (const m of iter) {
      out.push({ seq: m.seq, subject: m.subject, time: new Date(Math.floor(m.info.timestampNanos / 1e6)), data: m.data, header: m.headers });
      if (out.length >= want) break;
    }
    return out;
  } finally {
    await jsm.consumers.delete(stream, ci.name).catch(() => false);
  }
}
