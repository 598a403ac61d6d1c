// An ack that cannot be written (the connection closed while the handler ran) is not swallowed: it is counted in
// mutt_<actor>_ack_failures_total and logged with the message's subject and sequence, so an operator sees why
// the message comes back after ack_wait.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { sampleEvent } from '../helpers/test-actor.ts';
import { defineActor } from '../../actors/runtime/define.ts';
import { StreamName } from '../../protocol/streams.ts';
import { loadEnv } from '../../protocol/env.ts';
import { encode } from '../../protocol/codec.ts';
import { IngestEvent } from '../../protocol/messages.ts';
import { subjects } from '../../protocol/subjects.ts';
import { startProcess, type RunningProcess } from '../../actors/runtime/process.ts';
import { createLogger } from '../../actors/runtime/logger.ts';

let nats: TestNats;
let nc: NatsConnection;

test.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
});
test.after(async () => {
  await nc.close();
  await nats.stop();
});

// A handler that touches nothing of NATS: it returns when the test says so, after the connection is gone.
let started!: () => void;
const handlerStarted = new Promise<void>((r) => (started = r));
let release!: () => void;
const released = new Promise<void>((r) => (release = r));
const waiter = defineActor({
  name: 'tester',
  consumes: { stream: StreamName.events, durable: 'ackfail', schema: IngestEvent },
  publishes: ['mutt.dlq.tester.>'],
  concurrency: 1,
  retry: { backoffMs: [100] },
  async handle() {
    started();
    await released;
  },
});

test('an ack the closed connection cannot take is counted and logged', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const proc: RunningProcess = await startProcess({
    env: loadEnv({ NATS_URL: nats.url, MUTT_HTTP_PORT: '0', LOG_LEVEL: 'warn' }),
    name: 'test',
    log: createLogger('warn', sink),
    actors: [waiter],
  });
  try {
    await waitFor(() => proc.health.ready(), 5000, 'process ready');
    await jetstream(nc).publish(subjects.event('syslog', 'test.host'), encode(IngestEvent, sampleEvent('ack-1', 'wait')), {
      msgID: 'ack-1',
    });
    await handlerStarted;
    await proc.nc.close(); // the handler is still working: its ack has no connection to go to
    release();
    const metric = async () =>
      /^mutt_tester_ack_failures_total(?:\{[^}]*\})? (\d+)/m.exec(
        await (await fetch(`http://127.0.0.1:${proc.httpPort}/metrics`)).text(),
      )?.[1];
    await waitFor(async () => (await metric()) === '1', 10_000, 'the failed ack counted');
    const logged = lines
      .map((l) => JSON.parse(l) as { msg: string; seq?: number; err?: string })
      .find((l) => /ack not written/.test(l.msg));
    assert.ok(logged, 'the failed ack is logged');
    assert.is(typeof logged!.seq, 'number', 'with the message sequence');
    assert.match(String(logged!.err), /closed/i);
  } finally {
    await proc.stop();
  }
});

test.run();
