// Reading what MUTT stored, for assertions: every message of a stream (decoded with its schema), subject counts.
//   const alerts = await readStream(nc, 'MUTT_ALERTS', Alert)

import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { z } from 'zod';
import { decode } from '../../protocol/codec.ts';

export async function readStream<S extends z.ZodType>(
  nc: NatsConnection,
  stream: string,
  schema: S,
  filter?: string,
): Promise<{ seq: number; subject: string; value: z.output<S> }[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  const out: { seq: number; subject: string; value: z.output<S> }[] = [];
  let seq = info.state.first_seq;
  while (info.state.messages > 0 && seq <= info.state.last_seq) {
    const m = await jsm.streams.getMessage(stream, { seq, next_by_subj: filter ?? '>' } as unknown as { seq: number }).catch(() => null);
    if (!m) break;
    seq = m.seq + 1;
    const d = decode(schema, m.data);
    if (d.ok) out.push({ seq: m.seq, subject: m.subject, value: d.value });
  }
  return out;
}

export async function streamCount(nc: NatsConnection, stream: string): Promise<number> {
  return (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
}
