import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionPool } from '../../actors/runtime/connection-pool.ts';

test('at the cap a newcomer evicts the connection silent longest, then the one idle longest; busy ones never', () => {
  const pool = new ConnectionPool<string>({ max: 3, maxPerAddress: 10 });
  for (const c of ['a', 'b', 'c']) assert.equal(pool.admit(c, `10.0.0.${c}`), { ok: true, evicted: [] });
  pool.activity('a'); // a has spoken: b and c, silent, go first
  assert.equal(pool.admit('d', 'x'), { ok: true, evicted: ['b'] });
  pool.activity('c');
  pool.activity('d');
  pool.activity('a'); // all have spoken; idlest is now c
  assert.equal(pool.admit('e', 'x'), { ok: true, evicted: ['c'] });
  pool.busy('d', true);
  pool.activity('e');
  pool.activity('a'); // idle order: d (busy), e, a
  assert.equal(pool.admit('f', 'x'), { ok: true, evicted: ['e'] });
  pool.busy('a', true);
  pool.busy('f', true);
  assert.equal(pool.admit('g', 'x'), { ok: false }, 'every connection busy: the newcomer is refused');
  pool.busy('a', false);
  assert.equal(pool.admit('g', 'x'), { ok: true, evicted: ['a'] });
  assert.is(pool.size, 3);
});

test("per source address: a newcomer evicts the idlest connection of its own address, not another peer's", () => {
  const pool = new ConnectionPool<string>({ max: 100, maxPerAddress: 2 });
  pool.admit('device', '192.0.2.1');
  pool.admit('s1', '198.51.100.9');
  pool.admit('s2', '198.51.100.9');
  assert.equal(pool.admit('s3', '198.51.100.9'), { ok: true, evicted: ['s1'] });
  pool.remove('s2');
  assert.equal(pool.admit('s4', '198.51.100.9'), { ok: true, evicted: [] }, 'a closed connection frees its address slot');
  assert.equal(pool.admit('device2', '192.0.2.1'), { ok: true, evicted: [] });
  assert.is(pool.size, 4);
});

test.run();
