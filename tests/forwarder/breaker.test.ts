import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  breakerView,
  bucketMs,
  canSend,
  initialBreaker,
  msUntilSendable,
  parseBreaker,
  recordResult,
  recordResults,
  resetBreaker,
  tryAcquire,
  type BreakerConfig,
  type BreakerState,
} from '../../actors/forwarder/breaker.ts';

const cfg: BreakerConfig = { failureRate: 0.5, minRequests: 10, windowSeconds: 30, openSeconds: 30, probeLeaseMs: 15_000 };
const T0 = 1_700_000_000_000;

function fail(s: BreakerState, n: number, at: number): BreakerState {
  for (let i = 0; i < n; i++) s = recordResult(s, false, at, cfg);
  return s;
}
function openAt(at: number): BreakerState {
  const s = fail(initialBreaker(T0), 10, at);
  assert.is(s.status, 'open');
  return s;
}

test('stays closed below minRequests even when every request fails', () => {
  const s = fail(initialBreaker(T0), 9, T0);
  assert.is(s.status, 'closed');
  assert.ok(canSend(s, T0, cfg));
  assert.is(breakerView(s, T0, cfg).failures, 9);
});

test('closed → open when the failure ratio reaches the threshold over minRequests', () => {
  let s = initialBreaker(T0);
  s = recordResults(s, { ok: 5, fail: 4 }, T0, cfg);
  assert.is(s.status, 'closed', '4/9 failures, under min requests');
  s = recordResult(s, false, T0 + 10, cfg);
  assert.is(s.status, 'open', '5/10 = 0.5');
  assert.is(s.since, T0 + 10);
  assert.equal(s.last, { from: 'closed', to: 'open', at: T0 + 10, reason: 'failure_rate' });
  assert.is(s.transitions.closed_open, 1);
  assert.equal(s.buckets, [], 'the window is forgotten on opening');
  assert.not.ok(canSend(s, T0 + 10, cfg));
});

test('a low failure ratio never opens it', () => {
  let s = initialBreaker(T0);
  for (let i = 0; i < 100; i++) s = recordResult(s, i % 3 !== 0, T0 + i * 100, cfg); // 34% failures
  assert.is(s.status, 'closed');
});

test('failures older than the window do not count', () => {
  let s = fail(initialBreaker(T0), 9, T0);
  s = recordResult(s, false, T0 + 31_000 + bucketMs(cfg), cfg);
  assert.is(s.status, 'closed', 'the first nine fell out of the window');
  assert.is(breakerView(s, T0 + 31_000 + bucketMs(cfg), cfg).requests, 1);
  assert.ok(s.buckets.length <= 61);
});

test('buckets stay few for long windows', () => {
  const long = { ...cfg, windowSeconds: 3600, minRequests: 1_000_000 };
  let s = initialBreaker(T0);
  for (let t = 0; t < 3_600_000; t += 1000) s = recordResult(s, true, T0 + t, long);
  assert.ok(s.buckets.length <= 61, `${s.buckets.length} buckets`);
  assert.is(bucketMs(long), 60_000);
});

test('a lagging clock adds to the newest bucket', () => {
  let s = recordResult(initialBreaker(T0), true, T0 + 5000, cfg);
  s = recordResult(s, false, T0 + 1000, cfg);
  assert.is(s.buckets.length, 1);
  assert.equal(s.buckets[0].slice(1), [1, 1]);
});

test('open refuses until openSeconds, then admits exactly one probe', () => {
  const s = openAt(T0);
  const early = tryAcquire(s, T0 + 29_999, 'a:1', cfg);
  assert.is(early.allowed, false);
  assert.is(early.state, s, 'no write while waiting');
  assert.is(msUntilSendable(s, T0 + 20_000, cfg), 10_000);
  assert.ok(canSend(s, T0 + 30_000, cfg));

  const probe = tryAcquire(s, T0 + 30_000, 'a:1', cfg);
  assert.equal([probe.allowed, probe.probe, probe.state.status], [true, true, 'half_open']);
  assert.equal(probe.state.probe, { owner: 'a:1', until: T0 + 45_000 });
  assert.is(probe.state.transitions.open_half_open, 1);

  for (const owner of ['b:1', 'a:2', 'a:1']) {
    const other = tryAcquire(probe.state, T0 + 30_001, owner, cfg);
    assert.is(other.allowed, false, `${owner} refused while the probe is out`);
  }
  assert.not.ok(canSend(probe.state, T0 + 30_001, cfg));
  assert.is(msUntilSendable(probe.state, T0 + 30_001, cfg), 14_999);
});

test('probe success closes it; probe failure reopens it for another openSeconds', () => {
  const half = tryAcquire(openAt(T0), T0 + 30_000, 'a:1', cfg).state;
  const closed = recordResult(half, true, T0 + 30_050, cfg, 'a:1');
  assert.is(closed.status, 'closed');
  assert.equal(closed.last?.reason, 'probe_ok');
  assert.ok(tryAcquire(closed, T0 + 30_051, 'z', cfg).allowed);

  const reopened = recordResult(half, false, T0 + 30_050, cfg, 'a:1');
  assert.is(reopened.status, 'open');
  assert.is(reopened.since, T0 + 30_050);
  assert.equal(reopened.last?.reason, 'probe_failed');
  assert.is(reopened.transitions.half_open_open, 1);
  assert.not.ok(tryAcquire(reopened, T0 + 60_000, 'b', cfg).allowed);
  assert.ok(tryAcquire(reopened, T0 + 60_050, 'b', cfg).allowed);
});

test('a straggler result from another owner does not decide the probe', () => {
  const half = tryAcquire(openAt(T0), T0 + 30_000, 'a:1', cfg).state;
  assert.is(recordResult(half, true, T0 + 30_010, cfg, 'old:7'), half);
  assert.is(recordResult(half, false, T0 + 30_010, cfg, 'old:7'), half);
});

test('an expired probe lease lets the next caller probe (a crashed prober does not wedge it)', () => {
  const half = tryAcquire(openAt(T0), T0 + 30_000, 'crashed:1', cfg).state;
  assert.not.ok(tryAcquire(half, T0 + 44_999, 'b:1', cfg).allowed);
  const taken = tryAcquire(half, T0 + 45_000, 'b:1', cfg);
  assert.equal([taken.allowed, taken.probe], [true, true]);
  assert.equal(taken.state.probe, { owner: 'b:1', until: T0 + 60_000 });
  assert.is(taken.state.probeExpiries, 1);
  assert.is(recordResult(taken.state, true, T0 + 45_100, cfg, 'crashed:1'), taken.state, 'the late original is ignored');
  assert.is(recordResult(taken.state, true, T0 + 45_100, cfg, 'b:1').status, 'closed');
});

test('results while open are ignored; empty batches change nothing', () => {
  const s = openAt(T0);
  assert.is(recordResult(s, true, T0 + 1, cfg), s);
  assert.is(recordResults(initialBreaker(T0), { ok: 0, fail: 0 }, T0, cfg).status, 'closed');
});

test('time in each state and transition counts accumulate for metrics', () => {
  let s = openAt(T0 + 10_000); // closed for 10 s
  s = tryAcquire(s, T0 + 40_000, 'p', cfg).state; // open 30 s
  s = recordResult(s, true, T0 + 41_000, cfg, 'p'); // half-open 1 s
  const v = breakerView(s, T0 + 51_000, cfg); // closed again for 10 s
  assert.equal(v.msIn, { closed: 20_000, open: 30_000, half_open: 1000 });
  assert.equal(v.transitions, { closed_open: 1, open_half_open: 1, half_open_closed: 1, half_open_open: 0, reset: 0 });
  assert.is(v.code, 0);
  assert.is(breakerView(openAt(T0), T0, cfg).code, 2);
  assert.is(v.failureRatio, 0);
});

test('reset closes it from any state', () => {
  const s = resetBreaker(openAt(T0), T0 + 5);
  assert.is(s.status, 'closed');
  assert.is(s.transitions.reset, 1);
  assert.ok(tryAcquire(s, T0 + 6, 'x', cfg).allowed);
});

test('state is plain JSON that survives a KV round trip; garbage becomes a fresh breaker', () => {
  const half = tryAcquire(openAt(T0), T0 + 30_000, 'a:1', cfg).state;
  const back = parseBreaker(JSON.parse(JSON.stringify(half)), T0);
  assert.equal(back, half);
  assert.is(parseBreaker({ status: 'weird' }, T0 + 1).status, 'closed');
  assert.is(parseBreaker(undefined, T0 + 1).since, T0 + 1);
});

test('half-open with no probe holder admits a probe', () => {
  const half = tryAcquire(openAt(T0), T0 + 30_000, 'a', cfg).state;
  const noProbe: BreakerState = { ...half, probe: null };
  const t = tryAcquire(noProbe, T0 + 30_001, 'b', cfg);
  assert.ok(t.allowed && t.probe);
  assert.is(t.state.probeExpiries, half.probeExpiries, 'not counted as an expiry');
  assert.ok(canSend(noProbe, T0 + 30_001, cfg));
});

test.run();
