// hopStats splits each event's latency at the two points the tracer saw, and names where the slowest 1 % spent it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatHops, hopStats } from '../../bench/hops.ts';

test('each hop is the gap between consecutive sightings; the slowest 1 % shows which hop made the tail', () => {
  const due = new Map<string, number>();
  const events = new Map<string, number>();
  const alerts = new Map<string, number>();
  const received = new Map<string, number>();
  for (let i = 0; i < 200; i++) {
    const id = `e${i}`;
    const t = 1_000_000 + i * 10;
    due.set(id, t);
    events.set(id, t + 1);
    // Two events wait 50 ms in the alerter: they are the slowest 1 %.
    alerts.set(id, t + 1 + (i === 7 || i === 99 ? 50 : 2));
    received.set(id, alerts.get(id)! + 3 - 0.5); // the fake floors to whole ms; hopStats adds 0.5 back
  }
  // Seen at only some points: left out, not counted as zero.
  due.set('lost', 5);
  received.set('unseen', 9);
  const s = hopStats(due, received, events, alerts);
  assert.is(s.events, 200);
  const by = Object.fromEntries(s.hops.map((h) => [h.hop, h]));
  assert.is(by.generator.p50Ms, 1);
  assert.is(by.alerter.p50Ms, 2);
  assert.is(by.alerter.maxMs, 50);
  assert.is(by.forwarder.p99Ms, 3);
  assert.is(by.total.p50Ms, 6);
  assert.is(by.total.maxMs, 54);
  assert.is(by.alerter.worstMeanMs, 50, 'the slowest 1 % (2 events) spent their time in the alerter');
  assert.is(by.forwarder.worstMeanMs, 3);
  assert.match(formatHops('x', s), /alerter\s+p50 2 \/ p90 2 \/ p99 2 \/ max 50 ms; slowest 1 %: 50 ms/);
});

test('nothing seen at every hop gives an empty result, not NaN', () => {
  const s = hopStats(new Map([['a', 1]]), new Map([['a', 5]]), new Map(), new Map());
  assert.equal(s, { events: 0, hops: [] });
  assert.match(formatHops('x', s), /no event/);
});

test.run();
