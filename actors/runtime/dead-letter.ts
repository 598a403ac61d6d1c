// Builds and stores a dead letter: the original bytes, subject and headers, plus why it failed, at which stage,
// after how many attempts. Subjects and headers carry the essentials so `nats stream view MUTT_DLQ` is readable.
//   await deadLetter(rt, { stage: 'alerter', reason: 'schema_invalid', ... })

import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { encode } from '../../protocol/codec.ts';
import { DlqEntry, type DlqReason } from '../../protocol/messages.ts';
import { Headers, subjects, type Stage } from '../../protocol/subjects.ts';

export interface DeadLetterInput {
  stage: string;
  reason: DlqReason;
  attempts: number;
  firstError: string;
  lastError: string;
  firstSeenAt: number;
  originalSubject: string;
  originalStream: string;
  originalSeq?: number;
  originalHeaders?: MsgHdrs;
  originalPayload: Uint8Array;
  status?: number;
  excerpt?: string;
  replays?: number;
}

export function headersToRecord(h?: MsgHdrs): Record<string, string> | undefined {
  if (!h) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of h) out[k] = v.join(', ');
  return out;
}

// Header values must be one line; error text can hold anything.
const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ').slice(0, 300);

export async function deadLetter(js: JetStreamClient, d: DeadLetterInput): Promise<PubAck> {
  const originalHeaders = headersToRecord(d.originalHeaders);
  const correlationId = d.originalHeaders?.get(Headers.correlationId) || undefined;
  const entry: DlqEntry = {
    reason: d.reason,
    stage: d.stage,
    attempts: d.attempts,
    firstError: d.firstError,
    lastError: d.lastError,
    firstSeenAt: d.firstSeenAt,
    lastSeenAt: Date.now(),
    originalSubject: d.originalSubject,
    originalStream: d.originalStream,
    originalSeq: d.originalSeq,
    originalHeaders,
    originalPayload: d.originalPayload,
    correlationId,
    status: d.status,
    excerpt: d.excerpt,
    replays: d.replays ?? Number(originalHeaders?.['Mutt-Replays'] ?? 0),
  };
  const h = natsHeaders();
  h.set(Headers.reason, d.reason);
  h.set(Headers.stage, d.stage);
  h.set(Headers.attempts, String(d.attempts));
  h.set(Headers.error, oneLine(d.lastError));
  if (correlationId) h.set(Headers.correlationId, correlationId);
  // One dead letter per stored original, even if the term() after it is lost and the message comes back.
  const msgId = d.originalSeq !== undefined ? `dlq:${d.originalStream}:${d.originalSeq}:${entry.replays}` : undefined;
  if (msgId) h.set(Headers.msgId, msgId);
  return js.publish(subjects.dlqEntry(d.stage as Stage, d.reason), encode(DlqEntry, entry), { headers: h });
}
