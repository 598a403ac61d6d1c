// HostIndex is updated entry by entry (a teams import of 200,000 lines costs 200,000 set() calls): every set(),
// replacement and delete() must leave it answering exactly as a fresh index of the same entries would.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HostIndex } from '../../actors/alerter/host-index.ts';
import { teamForHost } from '../../actors/alerter/environment.ts';

test('a replaced entry forgets its old value, also for short-name lookups', () => {
  const teams = new HostIndex<string>();
  teams.set('router1.prod.example.com', 'NetOps');
  assert.is(teams.get('ROUTER1'), 'NetOps');
  teams.set('Router1.Prod.Example.com.', 'Security');
  assert.is(teams.size, 1, 'same host written differently is one entry');
  assert.is(teams.get('router1'), 'Security', 'the old value no longer makes the short name ambiguous');
  assert.is(teams.get('router1.prod.example.com'), 'Security');
});

test('deleting one of two disagreeing FQDNs makes the short name answer again; deleting both forgets it', () => {
  const teams = new HostIndex<string>();
  teams.set('edge1.dc1.example.com', 'NetOps');
  teams.set('edge1.dc2.example.com', 'Security');
  assert.is(teams.get('edge1'), undefined, 'ambiguous');
  teams.delete('EDGE1.dc2.example.com');
  assert.is(teams.get('edge1'), 'NetOps');
  teams.delete('edge1.dc1.example.com');
  assert.is(teams.get('edge1'), undefined);
  assert.is(teams.size, 0);
  teams.delete('never-listed.example.com');
  assert.is(teams.size, 0);
});

test('two FQDNs with one team: deleting one keeps the short name', () => {
  const teams = new HostIndex<string>();
  teams.set('core1.dc1.example.com', 'NetOps');
  teams.set('core1.dc2.example.com', 'NetOps');
  teams.delete('core1.dc1.example.com');
  assert.is(teams.get('core1'), 'NetOps');
});

test('after a random walk of sets and deletes it answers as a fresh index of what is left', () => {
  const names = ['a1.x.com', 'a1.y.com', 'a1', 'b2.x.com', 'b2.y.com', '10.0.0.1', 'c3.x.com', 'fe80::1'];
  const values = ['T1', 'T2', 'T3'];
  const live = new HostIndex<string>();
  const truth = new Map<string, string>();
  let seed = 42;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let step = 0; step < 2000; step++) {
    const name = names[rnd(names.length)];
    if (rnd(3) === 0) {
      live.delete(name);
      truth.delete(name);
    } else {
      const v = values[rnd(values.length)];
      live.set(name, v);
      truth.set(name, v);
    }
    const fresh = new Map(truth);
    for (const probe of ['a1', 'b2', 'c3', 'A1.X.COM', 'b2.z.com', '10.0.0.1', 'fe80::1', 'd4']) {
      assert.is(live.get(probe), teamForHost(fresh, probe), `step ${step}: ${probe}`);
    }
  }
});

test.run();
