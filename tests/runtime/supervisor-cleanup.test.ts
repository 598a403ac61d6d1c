// What an actor's setup registers with cleanup(fn) is closed whenever that start ends: after a setup that
// fails half way, before the restart's backoff, and at shutdown, in reverse order of registration.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { loadEnv } from '../../protocol/env.ts';
import { defineActor } from '../../actors/runtime/define.ts';
import { startProcess, type RunningProcess } from '../../actors/runtime/process.ts';
import { createLogger } from '../../actors/runtime/logger.ts';
import { provision } from '../../actors/runtime/provision.ts';

const t = suite('supervisor cleanup');
let nats: TestNats;
let nc: NatsConnection;
let proc: RunningProcess;
let starts = 0;
let open = 0;
const openAtSetup: number[] = [];
const order: string[] = [];

const leaky = defineActor({
  name: 'leaky',
  publishes: [],
  async setup(_rt, cleanup) {
    starts++;
    openAtSetup.push(open);
    open += 2;
    cleanup(() => {
      open--;
      order.push(`watch:${starts}`);
    });
    cleanup(() => {
      open--;
      order.push(`timer:${starts}`);
    });
    if (starts < 3) throw new Error(`setup failed after opening, start ${starts}`);
    return {};
  },
  async run(rt) {
    await new Promise<void>((r) => rt.signal.addEventListener('abort', () => r(), { once: true }));
  },
});

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  const env = loadEnv({ NATS_URL: nats.url, MUTT_HTTP_PORT: '0' });
  await provision(nc, env);
  proc = await startProcess({ env, name: 'cleanup-test', actors: [leaky], log: createLogger('silent') });
});

t.after(async () => {
  await nc.close();
  await nats.stop();
});

t('a failed setup closes what it opened before the restart', async () => {
  await waitFor(() => starts >= 3 && proc.health.ready(), 15_000, 'third start healthy');
  assert.equal(openAtSetup, [0, 0, 0], 'each start found nothing left open by the one before');
  assert.is(open, 2, 'only the running start holds its two resources');
  assert.equal(order, ['timer:1', 'watch:1', 'timer:2', 'watch:2'], 'reverse order of registration');
});

t('stopping the process closes what the running start opened', async () => {
  await proc.stop();
  assert.is(open, 0);
  assert.equal(order.slice(-2), ['timer:3', 'watch:3']);
});

t.run();
