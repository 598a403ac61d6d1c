import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backoffCeiling, backoffDelay, shouldGiveUp } from '../../actors/forwarder/backoff.ts';

const cfg = { baseMs: 1000, maxMs: 60_000 };

test('the ceiling doubles from base and stops at max', () => {
  assert.equal(
    [1, 2, 3, 4, 5, 6, 7, 8, 50, 5000].map((n) => backoffCeiling(n, cfg)),
    [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000],
  );
  assert.is(backoffCeiling(0, cfg), 1000, 'attempt < 1 counts as the first retry');
});

test('full jitter: the delay spans [0, ceiling) and follows the random source', () => {
  assert.is(
    backoffDelay(3, cfg, () => 0),
    0,
  );
  assert.is(
    backoffDelay(3, cfg, () => 0.5),
    2000,
  );
  assert.is(
    backoffDelay(3, cfg, () => 0.999999),
    3999,
  );
  assert.is(
    backoffDelay(40, cfg, () => 0.999999),
    59999,
  );
});

test('jitter spreads real random delays within bounds', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 500; i++) {
    const d = backoffDelay(5, cfg);
    assert.ok(d >= 0 && d < 16000, `${d} within [0, 16000)`);
    seen.add(Math.floor(d / 1000));
  }
  assert.ok(seen.size >= 10, 'delays are spread, not a fixed schedule');
});

test('Retry-After is a floor that jitter never shortens, even beyond maxMs', () => {
  assert.is(
    backoffDelay(1, { ...cfg, retryAfterMs: 30_000 }, () => 0.5),
    30_000,
  );
  assert.is(
    backoffDelay(8, { ...cfg, retryAfterMs: 120_000 }, () => 0.9),
    120_000,
  );
  assert.is(
    backoffDelay(8, { ...cfg, retryAfterMs: 10 }, () => 0.5),
    30_000,
    'a small floor does not lower the delay',
  );
});

test('give up by attempts', () => {
  const base = { firstSeenAt: 0, now: 1000, maxAttempts: 10, maxAgeMs: 3_600_000 };
  assert.is(shouldGiveUp({ ...base, attempts: 9 }), null);
  assert.is(shouldGiveUp({ ...base, attempts: 10 }), 'retries_exhausted');
  assert.is(shouldGiveUp({ ...base, attempts: 1, maxAttempts: 1 }), 'retries_exhausted');
});

test('give up by age', () => {
  const base = { attempts: 2, firstSeenAt: 1_000_000, maxAttempts: 10, maxAgeMs: 60_000 };
  assert.is(shouldGiveUp({ ...base, now: 1_059_999 }), null);
  assert.is(shouldGiveUp({ ...base, now: 1_060_000 }), 'expired');
  assert.is(shouldGiveUp({ ...base, attempts: 10, now: 1_060_000 }), 'retries_exhausted', 'attempts reported first');
});

test.run();
