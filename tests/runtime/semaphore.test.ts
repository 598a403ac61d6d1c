// The consume loop's semaphore with a live size (the forwarder's moog_concurrency): a smaller size admits no new
// holder until the running ones are below it; a larger one is handed to waiters at resize() or the next release.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Semaphore } from '../../actors/runtime/semaphore.ts';

const t = suite('semaphore');

t('a size function is followed: shrink waits for holders to drop below it, growth admits waiters on resize()', async () => {
  let size = 3;
  const s = new Semaphore(() => size);
  for (let i = 0; i < 3; i++) await s.acquire();
  size = 1;
  let admitted = 0;
  const waiting = [s.acquire().then(() => admitted++), s.acquire().then(() => admitted++)];
  s.release();
  s.release();
  await Promise.resolve();
  assert.is(admitted, 0, 'one holder left and the size is 1: nobody admitted');
  assert.is(s.free, 0);
  s.release();
  await Promise.resolve();
  assert.is(admitted, 1, 'below the size: one waiter admitted');
  size = 4;
  s.resize();
  await Promise.all(waiting);
  assert.is(admitted, 2);
  assert.is(s.inFlight, 2);
  assert.is(s.free, 2);
});

t('a size of 0 counts as 1, so the loop never stops for good', async () => {
  const s = new Semaphore(() => 0);
  await s.acquire();
  assert.is(s.inFlight, 1);
  assert.is(s.free, 0);
});

t.run();
