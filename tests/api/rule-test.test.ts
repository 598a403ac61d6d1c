import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { apiFixture, KEYS, rule, type ApiFixture } from './fixture.ts';

const t = suite('POST /api/v2/rules/test');
let f: ApiFixture;

t.before(async () => {
  f = await apiFixture();
  for (const body of [
    rule('generic-down', { match_string: 'down', priority: 100, prod_handling: 'ticket_only' }),
    rule('link-down', { match_string: 'LINK-3-UPDOWN', priority: 10, team_assignment: 'NETO' }),
    rule('cisco-traps', { match_type: 'oid_prefix', match_string: null, trap_oid: '.1.3.6.1.4.1.9', priority: 20, team_assignment: 'WAN' }),
    rule('noisy', { match_string: 'heartbeat', prod_handling: 'ignore', dev_handling: 'ignore' }),
  ]) {
    const r = await f.call('POST', '/api/v2/rules', { body });
    assert.is(r.status, 201, r.text);
  }
  await f.call('POST', '/api/v2/dev-hosts', { body: { hostname: 'lab-sw1' } });
  await f.call('POST', '/api/v2/teams', { body: { hostname: 'core-sw9.example.com', team_assignment: 'DC' } });
});
t.after(async () => {
  await f?.close();
});

t('the best of the current rules wins, with why, decision, team and every other match', async () => {
  const r = await f.call('POST', '/api/v2/rules/test', {
    key: KEYS.read,
    body: { message: '%LINK-3-UPDOWN: Interface Gi0/1, changed state to down', host: 'core-sw1.example.com', severity: 'error' },
  });
  assert.is(r.status, 200, r.text);
  assert.is(r.body.ruleset, 'current');
  assert.is(r.body.matched, true);
  assert.is(r.body.rule.id, 'link-down');
  assert.type(r.body.rule.revision, 'number');
  assert.match(r.body.why, /link-3-updown/i);
  assert.is(r.body.environment, 'prod');
  assert.is(r.body.decision, 'page_and_ticket');
  assert.is(r.body.forwarded, true);
  assert.is(r.body.team, 'NETO');
  assert.equal(
    r.body.matches.map((m: { id: string }) => m.id),
    ['link-down', 'generic-down'],
  );
});

t('a development host gets dev handling (FQDN of a listed short name)', async () => {
  const r = await f.call('POST', '/api/v2/rules/test', { body: { message: 'LINK-3-UPDOWN', host: 'LAB-SW1.lab.example.com' } });
  assert.is(r.body.environment, 'dev');
  assert.is(r.body.decision, 'ticket_only');
});

t('a trap OID under a prefix matches the oid rule; ignore is not forwarded', async () => {
  const trap = await f.call('POST', '/api/v2/rules/test', {
    body: { message: 'coldStart', host: 'edge1', trap_oid: '1.3.6.1.4.1.9.9.41.2' },
  });
  assert.is(trap.body.rule.id, 'cisco-traps');
  assert.is(trap.body.team, 'WAN');
  const ignored = await f.call('POST', '/api/v2/rules/test', { body: { message: 'heartbeat ok', host: 'edge1' } });
  assert.is(ignored.body.decision, 'ignore');
  assert.is(ignored.body.forwarded, false);
});

t('no match: unhandled, with the device team of the host', async () => {
  const r = await f.call('POST', '/api/v2/rules/test', { body: { message: 'all quiet', host: 'core-sw9.example.com' } });
  assert.is(r.body.matched, false);
  assert.is(r.body.rule, null);
  assert.is(r.body.decision, 'unhandled');
  assert.is(r.body.forwarded, false);
  assert.is(r.body.team, 'DC');
  assert.equal(r.body.matches, []);
});

t("host matching is the alerter's: short name ↔ FQDN, one team shared by two FQDNs, two teams are no guess", async () => {
  const team = async (host: string) => (await f.call('POST', '/api/v2/rules/test', { body: { message: 'all quiet', host } })).body.team;
  assert.is(await team('CORE-SW9'), 'DC', 'short name of a listed FQDN');
  await f.call('POST', '/api/v2/teams', { body: { hostname: 'core-sw9.lab.example.com', team_assignment: 'DC' } });
  assert.is(await team('core-sw9'), 'DC', 'two FQDNs, one team');
  await f.call('PUT', '/api/v2/teams/core-sw9.lab.example.com', { body: { team_assignment: 'LAB' } });
  assert.is(await team('core-sw9'), null, 'two FQDNs, two teams: no guess');
  assert.is(await team('core-sw9.lab.example.com.'), 'LAB', 'exact, trailing dot ignored');
  await f.call('POST', '/api/v2/teams', { body: { hostname: 'edge7', team_assignment: 'EDGE' } });
  assert.is(await team('edge7.dc1.example.com'), 'EDGE', 'FQDN of a listed short name');
  assert.is(await team('10.0.0.7'), null);
  await f.call('DELETE', '/api/v2/teams/core-sw9.lab.example.com');
  await f.call('DELETE', '/api/v2/teams/edge7');
});

t('a proposal overlays the current set (same id replaces, new ids add) without storing anything', async () => {
  const proposal = [
    rule('link-down', { match_string: 'LINK-3-UPDOWN', priority: 200 }),
    rule('precise', { match_string: 'Gi0/1', priority: 1, team_assignment: 'ACCESS' }),
  ];
  const r = await f.call('POST', '/api/v2/rules/test', {
    body: { message: '%LINK-3-UPDOWN: Interface Gi0/1 down', host: 'x', rules: proposal },
  });
  assert.is(r.status, 200, r.text);
  assert.is(r.body.ruleset, 'proposed');
  assert.is(r.body.rule.id, 'precise');
  assert.is(r.body.rule_source, 'proposed');
  assert.is(r.body.rule.revision, null);
  assert.equal(
    r.body.matches.map((m: { id: string; source: string }) => `${m.id}:${m.source}`),
    ['precise:proposed', 'generic-down:current', 'link-down:proposed'],
  );
  assert.is((await f.call('GET', '/api/v2/rules/precise')).status, 404, 'proposals are not stored');

  const only = await f.call('POST', '/api/v2/rules/test', {
    body: { message: 'something down', host: 'x', rules: [rule('solo', { match_string: 'something' })], mode: 'replace' },
  });
  assert.is(only.body.rules_evaluated, 1);
  assert.is(only.body.rule.id, 'solo');
});

t('a bad proposal or sample is a 400 naming the field', async () => {
  const badRule = await f.call('POST', '/api/v2/rules/test', {
    body: { message: 'x', host: 'h', rules: [rule('ok'), rule('evil', { match_type: 'regex', match_string: '(\\w+\\s?)*\\1$' })] },
  });
  assert.is(badRule.status, 400, badRule.text);
  assert.is(badRule.body.issues[0].path, 'rules.1.match_string');
  const dup = await f.call('POST', '/api/v2/rules/test', { body: { message: 'x', host: 'h', rules: [rule('a'), rule('a')] } });
  assert.is(dup.status, 400);
  assert.is(dup.body.issues[0].path, 'rules.1.id');
  const sev = await f.call('POST', '/api/v2/rules/test', { body: { message: 'x', host: 'h', severity: 'loud' } });
  assert.is(sev.status, 400);
  assert.is(sev.body.issues[0].path, 'severity');
  const oid = await f.call('POST', '/api/v2/rules/test', { body: { message: 'x', host: 'h', trap_oid: 'abc' } });
  assert.is(oid.status, 400);
  assert.is(oid.body.issues[0].path, 'trap_oid');
  const noHost = await f.call('POST', '/api/v2/rules/test', { body: { message: 'x' } });
  assert.is(noHost.status, 400);
  assert.is(noHost.body.issues[0].path, 'host');
  const mode = await f.call('POST', '/api/v2/rules/test', { body: { message: 'x', host: 'h', mode: 'merge' } });
  assert.is(mode.status, 400);
});

t('a proposal may bring at most 50 regex patterns that the stored rules do not already have', async () => {
  const stored = await f.call('POST', '/api/v2/rules', {
    body: rule('iface-regex', { match_type: 'regex', match_string: 'interface (\\S+) down', priority: 5 }),
  });
  assert.is(stored.status, 201, stored.text);
  const regex = (id: string, pattern: string) => rule(id, { match_type: 'regex', match_string: pattern, priority: 600 });
  // 60 copies of the stored pattern and 10 of one new pattern count once each: 1 + 49 = 50 new patterns, accepted.
  const within = [
    ...Array.from({ length: 60 }, (_, i) => regex(`copy-${i}`, 'interface (\\S+) down')),
    ...Array.from({ length: 10 }, (_, i) => regex(`repeat-${i}`, 'fan (\\d+) failed')),
    ...Array.from({ length: 49 }, (_, i) => regex(`new-${i}`, `port-${i} (up|down)`)),
  ];
  const ok = await f.call('POST', '/api/v2/rules/test', { body: { message: 'interface Gi0/1 down', host: 'h', rules: within } });
  assert.is(ok.status, 200, ok.text);
  assert.is(ok.body.rule.id, 'iface-regex', 'the stored rule (priority 5) still wins');
  const over = Array.from({ length: 51 }, (_, i) => regex(`over-${i}`, `slot-${i} (up|down)`));
  const refused = await f.call('POST', '/api/v2/rules/test', { body: { message: 'x', host: 'h', rules: over } });
  assert.is(refused.status, 400, refused.text);
  assert.is(refused.body.issues[0].path, 'rules.50.match_string');
  assert.match(refused.body.issues[0].message, /more than 50 new regex patterns/);
});

t('near misses: rules whose text matched but that lost on severity, trap OID, active state or priority, with reasons', async () => {
  for (const body of [
    rule('link-crit', { match_string: 'LINK-3-UPDOWN', syslog_severity: 2, priority: 5 }),
    rule('link-trap', { match_type: 'regex', match_string: 'link-\\d-updown', trap_oid: '.1.3.6.1.6.3.1.1.5', priority: 6 }),
    rule('link-retired', { match_string: 'UPDOWN', priority: 1, is_active: false }),
  ]) {
    const w = await f.call('POST', '/api/v2/rules', { body });
    assert.is(w.status, 201, w.text);
  }
  const r = await f.call('POST', '/api/v2/rules/test', {
    key: KEYS.read,
    body: { message: '%LINK-3-UPDOWN: Interface Gi0/1, changed state to down', host: 'core-sw1.example.com', severity: 'error' },
  });
  assert.is(r.status, 200, r.text);
  assert.is(r.body.rule.id, 'link-down');
  assert.is(r.body.complete, true);
  assert.is(r.body.skipped_rules, 0);
  const byId = Object.fromEntries(r.body.near_misses.map((m: { id: string }) => [m.id, m]));
  assert.equal(
    r.body.near_misses.map((m: { id: string }) => m.id),
    ['link-retired', 'link-crit', 'link-trap', 'generic-down'],
  );
  assert.equal(byId['link-crit'].reasons, ['severity']);
  assert.match(byId['link-crit'].why, /severity 3 is not the rule's 2/);
  assert.equal(byId['link-trap'].reasons, ['trap_oid']);
  assert.equal(byId['link-retired'].reasons, ['inactive']);
  assert.is(byId['link-retired'].is_active, false);
  assert.equal(byId['generic-down'].reasons, ['priority']);
  assert.is(byId['generic-down'].source, 'current');
  for (const id of ['link-crit', 'link-trap', 'link-retired']) assert.is((await f.call('DELETE', `/api/v2/rules/${id}`)).status, 200);
});

t('a proposed rule shows up as a near miss with source proposed', async () => {
  const r = await f.call('POST', '/api/v2/rules/test', {
    body: {
      message: 'heartbeat ok',
      host: 'edge1',
      severity: 6,
      rules: [rule('beat-warn', { match_string: 'heartbeat', syslog_severity: 4, priority: 1 })],
    },
  });
  assert.is(r.status, 200, r.text);
  assert.is(r.body.rule.id, 'noisy');
  assert.equal(
    r.body.near_misses.map((m: { id: string; source: string; reasons: string[] }) => [m.id, m.source, m.reasons]),
    [['beat-warn', 'proposed', ['severity']]],
  );
});

t('more proposed rules than the tester takes is a 400 naming rules and the limit', async () => {
  const many = Array.from({ length: 10_000 }, (_, i) => rule(`r${i}`, { match_string: 'x' }));
  const r = await f.call('POST', '/api/v2/rules/test', { key: KEYS.read, body: { message: 'x', host: 'h', rules: many } });
  assert.is(r.status, 400, r.text);
  assert.is(r.body.issues[0].path, 'rules');
  assert.match(r.text, /1000/);
});

t('an ingest-only key may not test rules (403)', async () => {
  const r = await f.call('POST', '/api/v2/rules/test', { key: KEYS.ingest, body: { message: 'x', host: 'h' } });
  assert.is(r.status, 403);
});

t.run();
