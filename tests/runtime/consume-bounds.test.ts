// Bookkeeping of the consume loop stays bounded in a long-running process: the first-error map has a size cap
// and a lifetime (a replica may finish a message retried here), waits remove their abort listeners from the
// process's one shutdown signal, and the map sizes are exported as gauges on /metrics.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getEventListeners } from 'node:events';
import { BoundedMap } from '../../actors/runtime/bounded-map.ts';
import { sleep, untilAbort } from '../../actors/runtime/consume.ts';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { testActor } from '../helpers/test-actor.ts';
import { loadEnv } from '../../protocol/env.ts';
import { startProcess } from '../../actors/runtime/process.ts';
import { createLogger } from '../../actors/runtime/logger.ts';

const t = suite('runtime consume bounds');

t('the first-error map keeps at most its cap, oldest out first', () => {
  const m = new BoundedMap<number, string>({ max: 100, ttlMs: 60_000 });
  for (let seq = 1; seq <= 1000; seq++) m.set(seq, `err ${seq}`);
  assert.is(m.size, 100);
  assert.is(m.get(1), undefined);
  assert.is(m.get(1000), 'err 1000');
});

t('the first-error map forgets entries older than its lifetime', () => {
  let now = 0;
  const m = new BoundedMap<number, string>({ max: 100, ttlMs: 1000, now: () => now });
  m.set(1, 'a');
  now = 500;
  m.set(2, 'b');
  now = 1200;
  assert.is(m.get(1), undefined, 'expired');
  assert.is(m.get(2), 'b');
  assert.is(m.size, 1);
});

t('sleeps and gate waits that end normally leave no listener on the shutdown signal', async () => {
  const controller = new AbortController();
  await Promise.all(Array.from({ length: 50 }, () => sleep(1, controller.signal)));
  await Promise.all(Array.from({ length: 50 }, () => untilAbort(Promise.resolve(), controller.signal)));
  assert.is(getEventListeners(controller.signal, 'abort').length, 0);
  const pending = sleep(60_000, controller.signal);
  controller.abort();
  await pending; // an abort ends a sleep at once, without a rejection
});

t('the map sizes are gauges on /metrics', async () => {
  const nats: TestNats = await startNats();
  const proc = await startProcess({
    env: loadEnv({ NATS_URL: nats.url, MUTT_HTTP_PORT: '0', LOG_LEVEL: 'silent' }),
    name: 'test',
    log: createLogger('silent'),
    actors: [testActor()],
  });
  try {
    await waitFor(() => proc.health.ready(), 5000, 'process ready');
    const text = await (await fetch(`http://127.0.0.1:${proc.httpPort}/metrics`)).text();
    assert.match(text, /mutt_tester_first_errors_tracked/);
    assert.match(text, /mutt_tester_held_messages/);
  } finally {
    await proc.stop();
    await nats.stop();
  }
});

t.run();
