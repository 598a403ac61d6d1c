// A gate that closes in the middle of a fetched batch (consume.ts): every message of the batch stays ours
// while the gate is closed, not only the one the loop looks at. A second replica pulling on the same durable
// gets nothing redelivered, and once the gate opens each message is handled once, on its first delivery.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { sampleEvent } from '../helpers/test-actor.ts';
import { loadEnv } from '../../protocol/env.ts';
import { encode } from '../../protocol/codec.ts';
import { IngestEvent } from '../../protocol/messages.ts';
import { subjects } from '../../protocol/subjects.ts';
import { StreamName } from '../../protocol/streams.ts';
import { startProcess, type RunningProcess } from '../../actors/runtime/process.ts';
import { defineActor } from '../../actors/runtime/define.ts';
import { createLogger } from '../../actors/runtime/logger.ts';

const t = suite('runtime gate keep-alive of a whole batch');
let nats: TestNats;
let nc: NatsConnection;
let js: JetStreamClient;
let proc: RunningProcess;
const ACK_WAIT_MS = 2000;
const handled: { id: string; attempt: number }[] = [];
let gate: { promise: Promise<void>; open: () => void } | undefined;
let closeAfterFirst = false;

function closedGate() {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  const env = loadEnv({ NATS_URL: nats.url, MUTT_HTTP_PORT: '0', MUTT_ACK_WAIT_MS: String(ACK_WAIT_MS), LOG_LEVEL: 'silent' });
  const actor = defineActor({
    name: 'gated',
    consumes: { stream: StreamName.events, durable: 'gated', schema: IngestEvent },
    publishes: ['mutt.dlq.gated.>'],
    concurrency: 8,
    retry: { backoffMs: [100] },
    gate: () => gate?.promise,
    async handle(event, ctx) {
      handled.push({ id: event.id, attempt: ctx.delivery.attempt });
      // The first message closes the gate: the rest of its batch is already fetched and must wait.
      if (closeAfterFirst) {
        closeAfterFirst = false;
        gate = closedGate();
      }
    },
  });
  // The gate is closed before the process starts, so the first fetch happens once the batch is stored.
  gate = closedGate();
  proc = await startProcess({ env, name: 'test', log: createLogger('silent'), actors: [actor] });
  await waitFor(() => proc.health.ready(), 5000, 'process ready');
});

t.after(async () => {
  await proc.stop();
  await nc.close();
  await nats.stop();
});

t('messages fetched in one batch stay ours while the gate is closed', async () => {
  for (let i = 0; i < 5; i++)
    await js.publish(subjects.event('syslog', 'test.host'), encode(IngestEvent, sampleEvent(`b${i}`, 'ok')), { msgID: `b${i}` });
  closeAfterFirst = true;
  gate!.open();
  gate = undefined;
  await waitFor(() => handled.length === 1 && gate !== undefined, 5000, 'first message handled and the gate closed again');
  // A second replica pulls on the same durable for three ack waits: what the first holds must not reach it.
  const other = await js.consumers.get(StreamName.events, 'gated');
  const stolen: number[] = [];
  for (let round = 0; round < 3; round++) {
    const batch = await other.fetch({ max_messages: 5, expires: ACK_WAIT_MS });
    for await (const m of batch) {
      stolen.push(m.info.deliveryCount);
      m.nak();
    }
  }
  assert.equal(stolen, [], 'no message of the held batch was redelivered to another replica');
  gate!.open();
  gate = undefined;
  await waitFor(() => handled.length >= 5, 8000, 'the rest of the batch handled once the gate opens');
  assert.equal(
    handled.map((h) => h.attempt),
    [1, 1, 1, 1, 1],
  );
});

t.run();
