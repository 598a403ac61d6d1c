// Dead-letter operations shared by the remediation actor, `mutt dlq` and the admin API: replay an entry to its
// original subject (with Mutt-Replays counted, deduplicated by Nats-Msg-Id) and remove it from the DLQ;
// quarantine it for an operator; list, show and purge entries. Each operator action writes a config-audit record.
//   await replayEntry(js, jsm, 42, entry)

import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { readFrom, seqAtOrAfter, type ScannedMsg } from '../runtime/stream-read.ts';
import { decode, encode } from '../../protocol/codec.ts';
import { ConfigAuditRecord, DlqEntry } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { Headers, subjects } from '../../protocol/subjects.ts';

export const REPLAYS_HEADER = 'Mutt-Replays';

export interface StoredEntry {
  seq: number;
  subject: string;
  time: number;
  entry: DlqEntry;
}

export async function getEntry(jsm: JetStreamManager, seq: number): Promise<StoredEntry | null> {
  const m = await jsm.streams.getMessage(StreamName.dlq, { seq }).catch(() => null);
  return m ? toStored(m) : null;
}

function toStored(m: ScannedMsg): StoredEntry | null {
  const d = decode(DlqEntry, m.data);
  return d.ok ? { seq: m.seq, subject: m.subject, time: m.time.getTime() || 0, entry: d.value } : null;
}

/** Republishes the original and deletes the dead letter. Safe to repeat: the republish is deduplicated. */
export async function replayEntry(
  js: JetStreamClient,
  jsm: JetStreamManager,
  seq: number,
  entry: DlqEntry,
): Promise<{ stream: string; seq: number }> {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(entry.originalHeaders ?? {})) {
    if (k === Headers.msgId || k === REPLAYS_HEADER) continue;
    h.set(k, v);
  }
  const replays = entry.replays + 1;
  h.set(REPLAYS_HEADER, String(replays));
  const ack = await js.publish(entry.originalSubject, entry.originalPayload, { headers: h, msgID: `replay:${seq}:${replays}` });
  await jsm.streams.deleteMessage(StreamName.dlq, seq).catch(() => false);
  return { stream: ack.stream, seq: ack.seq };
}

/** Moves a dead letter to mutt.dlq.quarantine.<reason>, keeping everything it carried. */
export async function quarantineEntry(
  js: JetStreamClient,
  jsm: JetStreamManager,
  seq: number,
  entry: DlqEntry,
  reason: DlqEntry['reason'],
): Promise<number> {
  const h = natsHeaders();
  h.set(Headers.reason, reason);
  h.set(Headers.stage, 'quarantine');
  h.set(Headers.attempts, String(entry.attempts));
  h.set(Headers.error, `from ${entry.stage}: ${entry.lastError}`.replace(/[\r\n]+/g, ' ').slice(0, 300));
  if (entry.correlationId) h.set(Headers.correlationId, entry.correlationId);
  const moved: DlqEntry = { ...entry, stage: 'quarantine', reason, lastError: `[${entry.stage}] ${entry.lastError}` };
  const ack = await js.publish(subjects.dlqEntry('quarantine', reason), encode(DlqEntry, moved), {
    headers: h,
    msgID: `quarantine:${seq}`,
  });
  await jsm.streams.deleteMessage(StreamName.dlq, seq).catch(() => false);
  return ack.seq;
}

export interface DlqFilter {
  stage?: string;
  reason?: string;
  since?: number;
  limit?: number;
  afterSeq?: number;
}

/** Reads dead letters oldest first (stream order), filtered by the subject tokens and time, in batches. */
export async function listEntries(jsm: JetStreamManager, f: DlqFilter = {}): Promise<StoredEntry[]> {
  const info = await jsm.streams.info(StreamName.dlq);
  const out: StoredEntry[] = [];
  const limit = f.limit ?? 100;
  const subject = `mutt.dlq.${f.stage ?? '*'}.${f.reason ?? '*'}`;
  const last = info.state.last_seq;
  let seq = Math.max(info.state.first_seq, (f.afterSeq ?? 0) + 1);
  // A dead letter is stored after it was last seen, so none seen since `since` is stored before it: the search
  // by stored time skips the older ones instead of reading them.
  if (f.since && info.state.messages > 0)
    seq = Math.max(seq, await seqAtOrAfter(jsm, StreamName.dlq, f.since, { first: info.state.first_seq, last }));
  while (seq <= last && out.length < limit && info.state.messages > 0) {
    const batch = await readFrom(jsm, StreamName.dlq, subject, seq, Math.min(1000, Math.max(64, (limit - out.length) * 2)));
    if (batch.length === 0) break;
    for (const m of batch) {
      if (m.seq > last || out.length >= limit) return out;
      seq = m.seq + 1;
      const s = toStored(m);
      if (!s) continue;
      if (f.since && s.entry.lastSeenAt < f.since) continue;
      out.push(s);
    }
  }
  return out;
}

export async function purgeEntries(jsm: JetStreamManager, f: DlqFilter): Promise<number> {
  let purged = 0;
  for (;;) {
    const batch = await listEntries(jsm, { ...f, limit: 500 });
    if (batch.length === 0) return purged;
    for (const e of batch) if (await jsm.streams.deleteMessage(StreamName.dlq, e.seq).catch(() => false)) purged++;
    f = { ...f, afterSeq: batch[batch.length - 1].seq };
  }
}

export async function auditDlqOperation(js: JetStreamClient, r: Omit<ConfigAuditRecord, 'at' | 'kind'>): Promise<void> {
  const record: ConfigAuditRecord = { ...r, at: Date.now(), kind: 'dlq' };
  await js.publish(subjects.auditConfigEntry('dlq', record.id), encode(ConfigAuditRecord, record), {
    headers: (() => {
      const h = natsHeaders();
      h.set(Headers.correlationId, record.correlationId);
      return h;
    })(),
  });
}
