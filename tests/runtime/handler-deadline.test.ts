// A handler that never settles does not pin its message and its concurrency slot forever: past the actor's
// deadline the runtime stops keeping the message alive, frees the slot (the next message is handled), retries
// it per the schedule and finally dead-letters it with reason 'deadline_exceeded', counted and logged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { sampleEvent } from '../helpers/test-actor.ts';
import { loadEnv } from '../../protocol/env.ts';
import { decode, encode } from '../../protocol/codec.ts';
import { DlqEntry, IngestEvent } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { subjects } from '../../protocol/subjects.ts';
import { defineActor } from '../../actors/runtime/define.ts';
import { startProcess, type RunningProcess } from '../../actors/runtime/process.ts';
import { createLogger } from '../../actors/runtime/logger.ts';

let nats: TestNats;
let nc: NatsConnection;
let proc: RunningProcess;
const lines: string[] = [];
const handled: string[] = [];
let hangingCalls = 0;

// One slot: while a hung call held it, nothing else would ever be handled.
const hanger = defineActor({
  name: 'tester',
  consumes: { stream: StreamName.events, durable: 'deadline', schema: IngestEvent },
  publishes: ['mutt.dlq.tester.>'],
  concurrency: 1,
  deadlineMs: 1500,
  retry: { backoffMs: [200] },
  async handle(event) {
    if (event.message === 'hang') {
      hangingCalls++;
      return new Promise<void>(() => {}); // never settles
    }
    handled.push(event.id);
  },
});

test.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  // ack wait far beyond the deadline: only the runtime's deadline can free the message here.
  proc = await startProcess({
    env: loadEnv({ NATS_URL: nats.url, MUTT_HTTP_PORT: '0', MUTT_ACK_WAIT_MS: '60000', LOG_LEVEL: 'warn' }),
    name: 'test',
    log: createLogger('warn', sink),
    actors: [hanger],
  });
  await waitFor(() => proc.health.ready(), 5000, 'process ready');
});
test.after(async () => {
  await proc.stop();
  await nc.close();
  await nats.stop();
});

test('a handler that never settles: deadline reached, slot freed, next message handled, then DLQ with the reason', async () => {
  const js = jetstream(nc);
  await js.publish(subjects.event('syslog', 'test.host'), encode(IngestEvent, sampleEvent('hang-1', 'hang')), { msgID: 'hang-1' });
  await js.publish(subjects.event('syslog', 'test.host'), encode(IngestEvent, sampleEvent('ok-1', 'ok')), { msgID: 'ok-1' });
  await waitFor(() => handled.includes('ok-1'), 10_000, 'the next message handled in the freed slot');

  const jsm = await jetstreamManager(nc);
  await waitFor(async () => (await jsm.streams.info(StreamName.dlq)).state.messages === 1, 15_000, 'the hung message dead-lettered');
  const m = await jsm.streams.getMessage(StreamName.dlq, { seq: (await jsm.streams.info(StreamName.dlq)).state.last_seq });
  const d = decode(DlqEntry, m!.data);
  assert.ok(d.ok);
  assert.is(d.value.reason, 'deadline_exceeded');
  assert.is(m!.subject, 'mutt.dlq.tester.deadline_exceeded');
  assert.is(d.value.attempts, 2, 'retried once per the schedule, then dead-lettered');
  assert.match(d.value.lastError, /deadline of 1500 ms/);
  assert.is(hangingCalls, 2);

  const metrics = await (await fetch(`http://127.0.0.1:${proc.httpPort}/metrics`)).text();
  assert.match(metrics, /^mutt_tester_handler_deadline_exceeded_total(?:\{[^}]*\})? 2$/m);
  assert.ok(
    lines.some((l) => /handler deadline exceeded/.test(l) && /"deadlineMs":1500/.test(l)),
    'logged with the deadline',
  );
  assert.is((await jsm.streams.info(StreamName.events)).state.messages, 0, 'nothing left pinned in the stream');
});

test.run();
