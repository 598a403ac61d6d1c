// The benchmark's end-of-phase wait against a real nats-server and the fake Moogsoft: it returns once the fake
// holds every expected alert and the work streams are empty, and it gives up early — naming the shortfall — when
// the pipeline sits idle with alerts missing, instead of waiting out the whole timeout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { loadEnv } from '../../protocol/env.ts';
import { startFakeMoog, type FakeMoog } from '../../bench/fake-moog.ts';
import { DrainTimeoutError, waitDrained } from '../../bench/pipeline-watch.ts';

let nats: TestNats;
let nc: NatsConnection;
let jsm: JetStreamManager;
let moog: FakeMoog;

async function deliver(ids: string[]) {
  for (const id of ids) {
    const r = await fetch(moog.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ external_id: id, description: 'x' }),
    });
    assert.is(r.status, 200);
  }
}

test.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  await provision(nc, loadEnv({ MUTT_STORAGE: 'memory' }));
  jsm = await jetstreamManager(nc);
  moog = await startFakeMoog();
});
test.after(async () => {
  await moog.close();
  await nc.close();
  await nats.stop();
});

test('resolves once the fake holds every expected alert and both work streams are empty', async () => {
  moog.reset();
  setTimeout(() => void deliver(['a1', 'a2', 'a3']), 200);
  const started = performance.now();
  const doneAt = await waitDrained(jsm, moog, 3, { timeoutMs: 10_000, idleMs: 5_000 });
  assert.ok(doneAt - started >= 150, 'waited for the alerts to arrive');
  assert.is(moog.stats().accepted, 3);
});

test('an idle pipeline short of alerts fails after idleMs, naming how many will not come', async () => {
  moog.reset();
  await deliver(['b1']);
  const started = performance.now();
  const err = await waitDrained(jsm, moog, 4, { timeoutMs: 60_000, idleMs: 500 }).then(
    () => null,
    (e: unknown) => e,
  );
  const took = performance.now() - started;
  assert.instance(err, DrainTimeoutError);
  assert.match((err as Error).message, /fake Moogsoft has 1 of 4 alerts/);
  assert.match((err as Error).message, /3 expected alerts will not come/);
  assert.ok(took >= 500 && took < 10_000, `gave up after the idle period, not the timeout (${Math.round(took)} ms)`);
});

test('alerts still arriving keep it waiting past idleMs', async () => {
  moog.reset();
  const ids = Array.from({ length: 8 }, (_, i) => `c${i}`);
  // One alert every 150 ms: never idle for 400 ms, although the whole delivery takes 1.2 s.
  void (async () => {
    for (const id of ids) {
      await new Promise((r) => setTimeout(r, 150));
      await deliver([id]);
    }
  })();
  await waitDrained(jsm, moog, ids.length, { timeoutMs: 10_000, idleMs: 400 });
  assert.is(moog.stats().accepted, ids.length);
});

test.run();
