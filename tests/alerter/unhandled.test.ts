import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decideUnhandled, metaAlertMessage, stepUnhandled, windowEnd, type UnhandledState } from '../../actors/alerter/unhandled.ts';

const T0 = 1_700_000_000_000;
const WINDOW = 3600;

/** Feeds `n` single occurrences, `gapMs` apart; returns the states and which calls fired. */
function run(n: number, threshold: number | ((i: number) => number), start: UnhandledState | null = null, t0 = T0, gapMs = 1000) {
  let state = start;
  const fired: number[] = [];
  for (let i = 1; i <= n; i++) {
    const d = decideUnhandled(state, t0 + i * gapMs, typeof threshold === 'number' ? threshold : threshold(i), WINDOW);
    state = d.next;
    if (d.fire) fired.push(i);
  }
  return { state: state!, fired };
}

test('fires exactly once, when the count reaches the threshold', () => {
  const { state, fired } = run(250, 100);
  assert.equal(fired, [100]);
  assert.equal(state, { count: 250, windowStart: T0 + 1000, alerted: true });
  assert.equal(run(50, 100).fired, [], 'not at 50 of 100');
  assert.equal(run(3, 1).fired, [1], 'threshold 1 fires on the first occurrence');
});

test('lowering the threshold below the running count fires on the next occurrence', () => {
  // v2.5 compared with ==, so this key would have stayed silent until the window expired.
  const { fired } = run(60, (i) => (i <= 50 ? 100 : 20));
  assert.equal(fired, [51]);
});

test('raising the threshold mid-window only delays the alert', () => {
  assert.equal(run(150, (i) => (i <= 50 ? 100 : 120)).fired, [120]);
});

test('after the alert the key stays quiet for the rest of the window, then starts over', () => {
  const first = run(10, 5);
  assert.equal(first.fired, [5]);
  const inWindow = decideUnhandled(first.state, windowEnd(first.state, WINDOW) - 1, 5, WINDOW);
  assert.is(inWindow.fire, false);
  assert.is(inWindow.next.count, 11);
  const after = decideUnhandled(first.state, windowEnd(first.state, WINDOW), 5, WINDOW);
  assert.equal(after, { next: { count: 1, windowStart: windowEnd(first.state, WINDOW), alerted: false }, fire: false });
  const again = run(5, 5, after.next, windowEnd(first.state, WINDOW));
  assert.equal(again.fired, [4], 'the new window fires at its own 5th occurrence');
});

test('an expired window resets the count before the threshold was reached', () => {
  const half = run(4, 5);
  const d = decideUnhandled(half.state, T0 + WINDOW * 1000 + 2000, 5, WINDOW);
  assert.equal(d.next, { count: 1, windowStart: T0 + WINDOW * 1000 + 2000, alerted: false });
});

test('the window length is read live: shortening it can expire a window early', () => {
  const s = run(3, 100).state;
  assert.is(decideUnhandled(s, s.windowStart + 10_000, 100, 60).next.count, 4);
  assert.is(decideUnhandled(s, s.windowStart + 60_000, 100, 60).next.count, 1);
});

test('a batch of concurrent occurrences crosses the threshold once', () => {
  const a = stepUnhandled(null, 3, T0, 5, WINDOW);
  assert.equal(a, { next: { count: 3, windowStart: T0, alerted: false }, result: false });
  const b = stepUnhandled(a.next, 4, T0 + 1, 5, WINDOW);
  assert.equal(b, { next: { count: 7, windowStart: T0, alerted: true }, result: true });
  assert.is(stepUnhandled(b.next, 10, T0 + 2, 5, WINDOW).result, false);
});

test('a replica whose clock is slightly behind stays in the current window', () => {
  const s = run(2, 100).state;
  assert.equal(decideUnhandled(s, s.windowStart - 500, 100, WINDOW).next, { ...s, count: 3 });
});

test('a missing or malformed stored state starts a new window', () => {
  for (const bad of [undefined, null, {}, { count: 'x', windowStart: T0, alerted: false }, { count: 1, windowStart: T0 }]) {
    const d = decideUnhandled(bad as unknown as UnhandledState, T0, 2, WINDOW);
    assert.equal(d.next, { count: 1, windowStart: T0, alerted: false });
  }
});

test("meta-alert text is v2.5's template, sample cut at 200 characters", () => {
  assert.is(
    metaAlertMessage(100, 86400, 'router1.prod.example.com', 'fan tray removed'),
    "[MUTT] Detected 100 unhandled messages in 86400s from 'router1.prod.example.com'. Sample message: fan tray removed",
  );
  const long = 'x'.repeat(199) + '😀' + 'tail';
  const text = metaAlertMessage(5, 60, 'h', long);
  assert.ok(text.endsWith('Sample message: ' + 'x'.repeat(199) + '😀'), 'cut by code point, emoji kept whole');
  assert.ok(metaAlertMessage(5, 60, 'h', 'y'.repeat(300)).endsWith(': ' + 'y'.repeat(200)));
});

test.run();
