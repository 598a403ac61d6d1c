import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  blockSize,
  deferUntil,
  emissionMs,
  initialRate,
  parseRate,
  reserve,
  type RateConfig,
  type RateState,
} from '../../actors/forwarder/rate-limit.ts';
import { aimdRate, aimdThrottled, initialAimd, isThrottleSignal } from '../../actors/forwarder/aimd.ts';

/** Largest number of times within any half-open window [t, t + periodMs). */
function maxInWindow(times: number[], periodMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= periodMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

// A deterministic pseudo-random source, so a failure can be replayed.
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * Replicas share one state (each reservation is one CAS, applied in turn). Each replica has `work` sends to
 * make, asks for blocks of `block` permits whenever it has none, and uses each permit at its time.
 */
function simulate(replicas: number, work: number, block: number, cfg: RateConfig, seed: number) {
  const rand = rng(seed);
  let state: RateState = initialRate();
  const sends: number[] = [];
  const pools: number[][] = Array.from({ length: replicas }, () => []);
  const remaining = Array.from({ length: replicas }, () => work);
  const nextAsk = Array.from({ length: replicas }, () => Math.floor(rand() * 50));
  let refusals = 0;
  for (let now = 0; remaining.some((r) => r > 0) && now < 10_000_000; now++) {
    const order = [...Array(replicas).keys()].sort(() => rand() - 0.5);
    for (const r of order) {
      while (pools[r].length && pools[r][0] <= now && remaining[r] > 0) {
        sends.push(pools[r].shift()!);
        remaining[r]--;
      }
      if (remaining[r] > 0 && pools[r].length === 0 && now >= nextAsk[r]) {
        const res = reserve(state, now, Math.min(block, remaining[r]), cfg);
        if (res.ok) {
          state = res.state;
          pools[r].push(...res.slots);
        } else {
          refusals++;
          nextAsk[r] = now + res.waitMs;
        }
      }
    }
  }
  return { sends, remaining, refusals, state };
}

test('many replicas sharing one state never exceed the limit in any period, and everyone is served', () => {
  const cases: [number, number, number, RateConfig][] = [
    [8, 60, 5, { limit: 50, periodSeconds: 1 }],
    [3, 40, 1, { limit: 20, periodSeconds: 1 }],
    [16, 30, 7, { limit: 100, periodSeconds: 2 }],
    [5, 25, 3, { limit: 7, periodSeconds: 1 }],
  ];
  for (const [i, [replicas, work, block, cfg]] of cases.entries()) {
    const { sends, remaining } = simulate(replicas, work, block, cfg, 42 + i);
    assert.equal(remaining, Array(replicas).fill(0), `case ${i}: no replica was left unserved`);
    assert.is(sends.length, replicas * work, `case ${i}: nothing dropped`);
    const peak = maxInWindow(sends, cfg.periodSeconds * 1000);
    assert.ok(peak <= cfg.limit, `case ${i}: peak ${peak} ≤ limit ${cfg.limit}`);
    // And the limiter is not needlessly slow: the whole job takes about total / rate.
    const span = Math.max(...sends) - Math.min(...sends);
    const ideal = (replicas * work - 1) * emissionMs(cfg);
    assert.ok(span <= ideal * 1.25 + 200, `case ${i}: span ${span} ms vs ideal ${ideal.toFixed(0)} ms`);
  }
});

test('a single reservation is evenly spaced and moves the shared schedule', () => {
  const exact = { limit: 50, periodSeconds: 1, toleranceMs: 0 };
  const r = reserve(initialRate(), 1000, 5, exact);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.slots, [1000, 1020, 1040, 1060, 1080]);
  assert.equal(r.state, { v: 1, tat: 1100 });
  const next = reserve(r.state, 1001, 2, exact);
  assert.ok(next.ok && next.slots[0] === 1100, 'the next replica continues where the block ended');
  const idle = reserve(r.state, 5000, 1, exact);
  assert.ok(idle.ok && idle.slots[0] === 5000, 'idle time does not bank credit beyond the burst');
});

test('over the limit, callers are told to wait instead of being refused for good', () => {
  const cfg = { limit: 10, periodSeconds: 1, maxAheadMs: 500, toleranceMs: 0 };
  let s = initialRate();
  const r1 = reserve(s, 0, 100, cfg);
  assert.ok(r1.ok);
  if (!r1.ok) return;
  assert.is(r1.slots.length, 6, 'a big block is cut at the horizon (0..500 ms at 100 ms spacing)');
  s = r1.state;
  const r2 = reserve(s, 0, 1, cfg);
  assert.equal(r2, { ok: false, state: s, waitMs: 100 });
  const r3 = reserve(s, 100, 1, cfg);
  assert.ok(r3.ok && r3.slots[0] === 600, 'after waiting, the caller is served');
});

test('burst lets B permits go back to back after idleness and bounds windows at limit + B − 1', () => {
  const cfg = { limit: 10, periodSeconds: 1, burst: 3, toleranceMs: 0 };
  const r = reserve(initialRate(), 0, 5, cfg);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.slots, [0, 0, 0, 100, 200]);
  const { sends } = simulate(4, 30, 4, cfg, 7);
  assert.ok(maxInWindow(sends, 1000) <= 12);
});

test('the default tolerance spreads limit permits over period + 10 ms', () => {
  const r = reserve(initialRate(), 0, 3, { limit: 50, periodSeconds: 1 });
  assert.ok(r.ok && r.slots.join() === '0,21,41', 'spacing 20.2 ms, rounded up');
  assert.is(emissionMs({ limit: 100, periodSeconds: 2 }), 20.1);
  // A send 9 ms late at the start of a period and one on time a period later still share no window.
  const s = reserve(initialRate(), 0, 51, { limit: 50, periodSeconds: 1, maxAheadMs: 2000 });
  assert.ok(s.ok && s.slots[50] - (s.slots[0] + 9) >= 1000);
});

test('fractional and slow rates', () => {
  const cfg = { limit: 0.5, periodSeconds: 1, toleranceMs: 0 }; // one permit every 2 s
  assert.is(emissionMs(cfg), 2000);
  const r = reserve(initialRate(), 0, 3, { ...cfg, maxAheadMs: 10_000 });
  assert.ok(r.ok && r.slots.join() === '0,2000,4000');
  assert.is(blockSize(cfg), 1);
  assert.is(blockSize({ limit: 50, periodSeconds: 1 }), 5, '≈100 ms of the rate');
  assert.is(blockSize({ limit: 1_000_000, periodSeconds: 1 }), 1000, 'capped');
});

test('deferUntil pauses every replica until a Retry-After has passed', () => {
  const cfg = { limit: 50, periodSeconds: 1 };
  const s = deferUntil(initialRate(), 30_000, cfg);
  const r = reserve(s, 1000, 1, { ...cfg, maxAheadMs: 60_000 });
  assert.ok(r.ok && r.slots[0] === 30_000);
  assert.is(deferUntil(s, 10_000, cfg), s, 'an earlier deadline changes nothing');
  assert.is(deferUntil(initialRate(), 1000, { ...cfg, burst: 3, toleranceMs: 0 }).tat, 1040, 'burst credit cannot jump the pause');
});

test('state parsing', () => {
  assert.equal(parseRate({ v: 1, tat: 5 }), { v: 1, tat: 5 });
  assert.equal(parseRate('junk'), initialRate());
});

test('AIMD: halves on a throttle signal, recovers additively up to the limit', () => {
  const cfg = { limit: 50, periodSeconds: 1 };
  let a = initialAimd(50, 0);
  assert.is(aimdRate(a, 0, cfg), 50);
  a = aimdThrottled(a, 1000, cfg);
  assert.is(aimdRate(a, 1000, cfg), 25);
  assert.is(aimdRate(a, 6000, cfg), 37.5, '+2.5 per second');
  assert.is(aimdRate(a, 100_000, cfg), 50, 'never above the configured limit');
  assert.is(aimdRate(a, 3000, { ...cfg, limit: 20 }), 20, 'a lowered limit applies at once');
});

test('AIMD: a burst of 429s within the cooldown counts once; the floor holds', () => {
  const cfg = { limit: 50, periodSeconds: 1, cooldownMs: 1000 };
  let a = aimdThrottled(initialAimd(50, 0), 0, cfg);
  const same = aimdThrottled(a, 500, cfg);
  assert.is(same, a);
  a = aimdThrottled(a, 1000, cfg);
  assert.is(aimdRate(a, 1000, cfg), 13.75, '(25 + 2.5 recovered) × 0.5');
  for (let i = 0; i < 20; i++) a = aimdThrottled(a, 2000, { ...cfg, cooldownMs: 0 });
  assert.is(aimdRate(a, 2000, cfg), 2.5, 'floor: 5 % of the limit');
  const custom = aimdThrottled(initialAimd(100, 0), 0, { limit: 100, periodSeconds: 1, decrease: 0.8, floor: 90 });
  assert.is(custom.rate, 90);
  assert.ok(isThrottleSignal(429) && isThrottleSignal(503));
  assert.not.ok(isThrottleSignal(500) || isThrottleSignal(undefined));
});

test.run();
