// With replicas, a message that failed here and was then finished by another process leaves no first-error
// entry behind: entries at or below the consumer's ack floor are dropped, so the gauge returns to 0 instead of
// filling to the map's cap over a long run.
import { suite } from 'uvu';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { encode } from '../../protocol/codec.ts';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { sampleEvent, testActor } from '../helpers/test-actor.ts';
import { loadEnv } from '../../protocol/env.ts';
import { StreamName } from '../../protocol/streams.ts';
import { subjects } from '../../protocol/subjects.ts';
import { IngestEvent } from '../../protocol/messages.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { startProcess, type RunningProcess } from '../../actors/runtime/process.ts';
import { createLogger } from '../../actors/runtime/logger.ts';

const t = suite('first errors of messages finished by a replica');
let nats: TestNats;
let nc: NatsConnection;
const procs: RunningProcess[] = [];

async function tracked(p: RunningProcess): Promise<number> {
  const m = /mutt_tester_first_errors_tracked\{[^}]*\} (\d+)/.exec(await p.registry.metrics());
  return m ? Number(m[1]) : -1;
}

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  await provision(nc, loadEnv({ NATS_URL: nats.url, MUTT_STORAGE: 'memory' }));
});

t.after(async () => {
  for (const p of procs) await p.stop();
  await nc.close();
  await nats.stop();
});

t('a message failed here and finished by a replica leaves no entry here', async () => {
  const env = loadEnv({ NATS_URL: nats.url, MUTT_HTTP_PORT: '0', LOG_LEVEL: 'silent' });
  let aPulls = true;
  const closed = new Promise<void>(() => undefined);
  // A fails each message's first attempt, then stops pulling: its open pull request expires (5 s) before the
  // redeliveries (after 12 s), so they can only go to B.
  const a = await startProcess({
    env,
    name: 'replica-a',
    log: createLogger('silent'),
    actors: [testActor({ backoffMs: [12_000], gate: () => (aPulls ? undefined : closed) })],
  });
  procs.push(a);
  const js = jetstream(nc);
  for (let i = 0; i < 5; i++)
    await js.publish(subjects.event('syslog', 'test.host'), encode(IngestEvent, sampleEvent(`e${i}`, 'fail-once')), { msgID: `e${i}` });
  const jsm = await jetstreamManager(nc);
  await waitFor(
    async () => {
      const info = await jsm.consumers.info(StreamName.events, 'tester');
      return info.delivered.stream_seq >= 5 && info.num_ack_pending === 5 && info.num_pending === 0;
    },
    10_000,
    'all five delivered to A and waiting for their retry',
  );
  aPulls = false;
  await waitFor(async () => (await tracked(a)) === 5, 10_000, 'A tracks the five first errors');
  const done = new Set<string>();
  nc.subscribe('test.done.>', { callback: (_e, m) => void done.add(m.subject) });
  const b = await startProcess({ env: { ...env }, name: 'replica-b', log: createLogger('silent'), actors: [testActor()] });
  procs.push(b);
  await waitFor(() => done.size === 5, 30_000, 'B finishes the five retries');
  await waitFor(
    async () => (await jsm.consumers.info(StreamName.events, 'tester')).ack_floor.stream_seq >= 5,
    10_000,
    'ack floor past them',
  );
  await waitFor(async () => (await tracked(a)) === 0, 15_000, 'A drops the entries of messages B finished');
});

t.run();
