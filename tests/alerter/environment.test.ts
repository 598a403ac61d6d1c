import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDevHost, normaliseHost, shortHostName, teamForHost } from '../../actors/alerter/environment.ts';

// v2.5 seed data (§2.3)
const DEV = new Set(['dev-router1', 'test-switch1', 'qa-firewall1']);
const TEAMS = new Map([
  ['router1.prod.example.com', 'NetOps'],
  ['switch1.prod.example.com', 'NetOps'],
  ['firewall1.prod.example.com', 'Security'],
  ['server1.prod.example.com', 'SysAdmin'],
]);

test('a listed short name matches its FQDN, in any case', () => {
  assert.ok(isDevHost(DEV, 'dev-router1'));
  assert.ok(isDevHost(DEV, 'DEV-ROUTER1.lab.example.com'));
  assert.ok(isDevHost(DEV, 'Test-Switch1'));
  assert.ok(isDevHost(DEV, 'qa-firewall1.example.com.'), 'trailing dot');
  assert.not.ok(isDevHost(DEV, 'router1.prod.example.com'));
  assert.not.ok(isDevHost(DEV, 'dev-router10'));
  assert.not.ok(isDevHost(DEV, 'prod-dev-router1'));
});

test('a listed FQDN matches its short name, but not another domain', () => {
  const dev = new Set(['Dev-Router1.Lab.Example.com']);
  assert.ok(isDevHost(dev, 'dev-router1'));
  assert.ok(isDevHost(dev, 'dev-router1.lab.example.com'));
  assert.ok(isDevHost(dev, ' DEV-ROUTER1.LAB.EXAMPLE.COM '));
  assert.not.ok(isDevHost(dev, 'dev-router1.prod.example.com'), 'same short name, different host');
});

test('IP addresses are compared whole', () => {
  const dev = new Set(['10.0.0.1', 'fe80::1']);
  assert.ok(isDevHost(dev, '10.0.0.1'));
  assert.not.ok(isDevHost(dev, '10'));
  assert.not.ok(isDevHost(dev, '10.0.0.2'));
  assert.ok(isDevHost(dev, 'FE80::1'));
  assert.not.ok(isDevHost(new Set(['10']), '10.0.0.1'), 'an IP has no short name');
  assert.is(shortHostName('10.0.0.1'), null);
  assert.is(shortHostName('fe80::1'), null);
  assert.is(shortHostName('router1'), null);
  assert.is(shortHostName('router1.example.com'), 'router1');
});

test('teams follow the same matching rules', () => {
  assert.is(teamForHost(TEAMS, 'router1.prod.example.com'), 'NetOps');
  assert.is(teamForHost(TEAMS, 'ROUTER1'), 'NetOps', 'short name of a listed FQDN');
  assert.is(teamForHost(TEAMS, 'Firewall1.Prod.Example.Com'), 'Security');
  assert.is(teamForHost(TEAMS, 'server1'), 'SysAdmin');
  assert.is(teamForHost(TEAMS, 'router1.lab.example.com'), undefined, 'other domain');
  assert.is(teamForHost(TEAMS, 'unknown-host'), undefined);
  assert.is(teamForHost(new Map([['core1', 'NetOps']]), 'core1.dc1.example.com'), 'NetOps');
});

test('an exact name wins over a short-name match; disagreeing FQDNs make the short name ambiguous', () => {
  const teams = new Map([
    ['edge1.dc1.example.com', 'NetOps'],
    ['edge1.dc2.example.com', 'Security'],
    ['core1.dc1.example.com', 'NetOps'],
    ['core1.dc2.example.com', 'NetOps'],
    ['edge1', 'Facilities'],
  ]);
  assert.is(teamForHost(teams, 'edge1.dc2.example.com'), 'Security');
  assert.is(teamForHost(teams, 'edge1'), 'Facilities', 'listed as written');
  const noShort = new Map([...teams].filter(([h]) => h !== 'edge1'));
  assert.is(teamForHost(noShort, 'edge1'), undefined, 'two FQDNs, two teams: no guess');
  assert.is(teamForHost(noShort, 'core1'), 'NetOps', 'two FQDNs, one team');
});

test('a replaced collection is re-indexed; a mutated one is noticed when its size changes', () => {
  let dev: Set<string> = new Set(['a1']);
  assert.ok(isDevHost(dev, 'a1.x'));
  dev = new Set(['b1']);
  assert.not.ok(isDevHost(dev, 'a1.x'));
  assert.ok(isDevHost(dev, 'b1.x'));
  dev.add('c1');
  assert.ok(isDevHost(dev, 'c1.x'));
});

test('empty collections match nothing', () => {
  assert.not.ok(isDevHost(new Set(), 'anything'));
  assert.is(teamForHost(new Map(), 'anything'), undefined);
  assert.is(normaliseHost(' Host.Example.COM. '), 'host.example.com');
});

test.run();
