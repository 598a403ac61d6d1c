import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RuleInput, type Rule } from '../../protocol/rules.ts';
import { normaliseOid } from '../../protocol/oid.ts';
import { normaliseSeverity } from '../../protocol/severity.ts';
import { compileRules, compareRules, type MatchInput } from '../../actors/alerter/rules.ts';
import { AhoCorasick } from '../../actors/alerter/aho-corasick.ts';
import { OidTrie } from '../../actors/alerter/oid-trie.ts';
import { generateEvents, generateRules, prng } from '../../bench/rules-engine.ts';

function rule(fields: Record<string, unknown>): Rule {
  return RuleInput.parse({ prod_handling: 'Page_and_ticket', dev_handling: 'Ticket_only', team_assignment: 'NETO', ...fields });
}

/** A v2.5 event as its test data has it (§13.10): severity names, OIDs without the leading dot. */
function legacy(e: { message?: string; syslog_severity?: unknown; trap_oid?: string }): MatchInput {
  return { message: e.message ?? '', severity: normaliseSeverity(e.syslog_severity), trapOid: normaliseOid(e.trap_oid) ?? undefined };
}

// v2.5 mutt_schema.sql seed rules (§2.3), written as v2.5 stored them.
const SEED = [
  rule({
    id: '1',
    match_string: 'CRITICAL',
    match_type: 'contains',
    priority: 10,
    prod_handling: 'Page_and_ticket',
    dev_handling: 'Ticket_only',
    team_assignment: 'NETO',
    is_active: 't',
  }),
  rule({
    id: '2',
    match_string: 'ERROR',
    match_type: 'contains',
    priority: 20,
    prod_handling: 'Ticket_only',
    dev_handling: 'Ignore',
    team_assignment: 'NETO',
  }),
  rule({ id: '3', match_string: 'LINK-DOWN', match_type: 'contains', priority: 5, team_assignment: 'NetOps' }),
  rule({
    id: '4',
    match_string: 'DOT1X-FIRMWARE-RUNNING',
    match_type: 'contains',
    priority: 50,
    prod_handling: 'Ticket_only',
    dev_handling: 'Ignore',
    team_assignment: 'Security',
  }),
  rule({
    id: '5',
    trap_oid: '.1.3.6.1.4.1.9.9.41.2',
    match_type: 'oid_prefix',
    priority: 15,
    dev_handling: 'Ignore',
    team_assignment: 'NetOps',
  }),
];

test('v2.5 seed rules against v2.5-style events', () => {
  const set = compileRules(SEED);
  const winner = (e: Parameters<typeof legacy>[0]) => set.match(legacy(e))?.rule.id ?? null;
  assert.is(winner({ message: 'CRITICAL: System failure detected', syslog_severity: 2 }), '1');
  assert.is(winner({ message: '%LINK-DOWN on Gi0/1 with ERROR counters', syslog_severity: 'Error' }), '3', 'priority 5 beats 20');
  assert.is(winner({ message: 'disk error on /var', syslog_severity: 'Warning' }), '2', 'contains is case-insensitive');
  assert.is(winner({ message: '%DOT1X-5-FAIL: DOT1X-FIRMWARE-RUNNING', syslog_severity: 'Notice' }), '4');
  assert.is(winner({ message: 'syslog relay: config changed', trap_oid: '1.3.6.1.4.1.9.9.41.2.0.1' }), '5', 'OID without leading dot');
  assert.is(
    winner({ message: 'CRITICAL and syslog', trap_oid: '1.3.6.1.4.1.9.9.41.2.0.1' }),
    '1',
    'a better text rule still wins on a trap',
  );
  assert.is(winner({ message: 'all quiet', syslog_severity: 'Info' }), null);
  assert.is(set.match(legacy({ message: 'ERROR' }))?.rule.prod_handling, 'ticket_only', 'handling normalised to lower case');
});

test('v2.5 conftest fixtures: sample events and the four sample rules', () => {
  const set = compileRules([
    rule({ id: 'f1', match_string: 'CRITICAL', priority: 10 }),
    rule({ id: 'f2', match_string: 'ERROR', priority: 20, prod_handling: 'Ticket_only', dev_handling: 'Ignore' }),
    rule({ id: 'f3', match_type: 'regex', match_string: 'LINK-(UP|DOWN)', priority: 5, team_assignment: 'NetOps' }),
    rule({
      id: 'f4',
      match_type: 'oid_prefix',
      trap_oid: '.1.3.6.1.6.3.1.1.5.3',
      priority: 15,
      dev_handling: 'Ignore',
      team_assignment: 'NetOps',
    }),
  ]);
  assert.is(set.match(legacy({ message: 'CRITICAL: System failure detected', syslog_severity: 2 }))?.rule.id, 'f1');
  const trapText = '192.168.1.50 .1.3.6.1.6.3.1.1.5.3 ifIndex=2 ifAdminStatus=1 ifOperStatus=2';
  assert.is(
    set.match(legacy({ message: trapText, syslog_severity: 4 })),
    null,
    'the fixture trap has no trap_oid field: OID rules cannot see it',
  );
  assert.is(set.match(legacy({ message: trapText, syslog_severity: 4, trap_oid: '1.3.6.1.6.3.1.1.5.3' }))?.rule.id, 'f4');
  assert.is(
    set.match(legacy({ message: '%LINK-3-UPDOWN: LINK-UP on Gi0/2 CRITICAL' }))?.rule.id,
    'f3',
    'regex priority 5 beats contains 10',
  );
  assert.is(set.match(legacy({ message: 'link-down' }))?.rule.id, 'f3', 'regex is case-insensitive');
  assert.is(set.match(legacy({ message: 'ERRORS found' }))?.rule.id, 'f2', 'contains matches partial words');
});

test('priority ascending, ties broken by id, whatever the input order', () => {
  const rules = [
    rule({ id: 'b-rule', match_string: 'boom', priority: 7 }),
    rule({ id: 'a-rule', match_string: 'boom', priority: 7 }),
    rule({ id: 'A-rule', match_type: 'regex', match_string: 'bo+m', priority: 7 }),
    rule({ id: 'z-rule', match_string: 'boom', priority: 6 }),
  ];
  const ev = { message: 'BOOM', severity: null };
  assert.is(compileRules(rules).match(ev)?.rule.id, 'z-rule');
  const tied = rules.slice(0, 3);
  for (const order of [tied, [...tied].reverse(), [tied[1], tied[2], tied[0]]]) {
    assert.is(compileRules(order).match(ev)?.rule.id, 'A-rule', 'ids compare by code unit: uppercase sorts first');
  }
  assert.equal(
    compileRules(rules).rules.map((r) => r.id),
    ['z-rule', 'A-rule', 'a-rule', 'b-rule'],
  );
  assert.ok(compareRules(rules[0], rules[1]) > 0);
});

test('inactive rules are ignored', () => {
  const set = compileRules([
    rule({ id: 'off', match_string: 'fan', priority: 1, is_active: false }),
    rule({ id: 'on', match_string: 'fan', priority: 9 }),
    rule({ id: 'off-oid', match_type: 'oid_prefix', trap_oid: '1.3.6', priority: 1, is_active: 'f' }),
  ]);
  assert.is(set.match({ message: 'FAN failure', severity: 2, trapOid: '.1.3.6.1' })?.rule.id, 'on');
  assert.equal(
    set.rules.map((r) => r.id),
    ['on'],
  );
});

test('case-insensitive matching, including non-ASCII letters', () => {
  const set = compileRules([
    rule({ id: 'c1', match_string: 'Échec DE Connexion', priority: 1 }),
    rule({ id: 'r1', match_type: 'regex', match_string: 'ΣΦΑΛΜΑ \\d+', priority: 2 }),
    rule({ id: 'c2', match_string: 'power supply', priority: 3 }),
  ]);
  assert.is(set.match({ message: 'ÉCHEC de connexion pour admin', severity: null })?.rule.id, 'c1');
  assert.is(set.match({ message: 'échec de connexion', severity: null })?.rule.id, 'c1');
  assert.is(set.match({ message: 'σφαλμα 42 στον δίσκο', severity: null })?.rule.id, 'r1');
  assert.is(
    set.match({ message: 'Ünïcode host: POWER SUPPLY 2 failed', severity: null })?.rule.id,
    'c2',
    'text needing toLowerCase() still matches ASCII rules',
  );
  assert.is(set.match({ message: 'POWER  SUPPLY', severity: null }), null);
  const emoji = compileRules([rule({ id: 'fire', match_string: '🔥 FIRE', priority: 1 })]);
  assert.is(emoji.match({ message: 'rack 3: 🔥 fire alarm', severity: null })?.rule.id, 'fire', 'characters beyond U+FFFF in a rule');
  assert.is(emoji.match({ message: 'rack 3: 🔥 smoke', severity: null }), null);
});

test('oid_prefix matches by whole components, with or without the leading dot', () => {
  const set = compileRules([
    rule({ id: 'mib2', match_type: 'oid_prefix', trap_oid: '.1.3.6.1.2', priority: 10 }),
    rule({ id: 'cisco', match_type: 'oid_prefix', trap_oid: '1.3.6.1.4.1.9', priority: 5 }),
    rule({ id: 'cisco-deep', match_type: 'oid_prefix', trap_oid: '.1.3.6.1.4.1.9.9.41', priority: 20 }),
  ]);
  const hit = (oid: string) => set.match({ message: '', severity: null, trapOid: oid })?.rule.id ?? null;
  assert.is(hit('.1.3.6.1.2'), 'mib2', 'exact OID');
  assert.is(hit('.1.3.6.1.2.1.1.3'), 'mib2', 'child OID');
  assert.is(hit('.1.3.6.1.25.1'), null, '.1.3.6.1.2 is not a prefix of .1.3.6.1.25');
  assert.is(hit('.1.3.6.1'), null, 'a parent does not match a rule for its child');
  assert.is(hit('1.3.6.1.4.1.9.9.41.2'), 'cisco', 'the shallower rule wins on priority');
  assert.is(hit('.1.3.6.1.4.1.99'), null);
  assert.is(hit('not-an-oid'), null);
  assert.is(set.match({ message: 'anything', severity: null }), null, 'no OID, no OID match');
});

test('severity filter compares the normalised severity', () => {
  const set = compileRules([
    rule({ id: 'err-only', match_string: 'disk', syslog_severity: 3, priority: 1 }),
    rule({ id: 'crit-trap', match_type: 'oid_prefix', trap_oid: '.1.3.6.1.4.1.2011', syslog_severity: '2', priority: 1 }),
    rule({ id: 'any', match_string: 'disk', priority: 5 }),
  ]);
  const sev = (name: unknown) => set.match({ message: 'DISK full', severity: normaliseSeverity(name) })?.rule.id;
  assert.is(sev('Error'), 'err-only', "'Error' normalises to 3");
  assert.is(sev('err'), 'err-only');
  assert.is(sev(3), 'err-only');
  assert.is(sev('Warning'), 'any');
  assert.is(sev(undefined), 'any', 'an event without severity never matches a severity-filtered rule');
  const trap = (s: number | null) => set.match({ message: '', severity: s, trapOid: '.1.3.6.1.4.1.2011.5' })?.rule.id ?? null;
  assert.is(trap(2), 'crit-trap');
  assert.is(trap(4), null, 'unlike v2.5, the severity filter applies to OID rules too');
});

test('trap_oid on a contains or regex rule also requires the event OID under it', () => {
  const set = compileRules([
    rule({ id: 'txt-oid', match_string: 'linkDown', trap_oid: '1.3.6.1.6.3.1.1.5', priority: 1 }),
    rule({ id: 're-oid', match_type: 'regex', match_string: 'if(Admin|Oper)Status=2', trap_oid: '.1.3.6.1.6.3.1.1.5', priority: 2 }),
  ]);
  assert.is(set.match({ message: 'linkDown ifIndex=2', severity: null, trapOid: '.1.3.6.1.6.3.1.1.5.3' })?.rule.id, 'txt-oid');
  assert.is(set.match({ message: 'ifOperStatus=2', severity: null, trapOid: '1.3.6.1.6.3.1.1.5.3' })?.rule.id, 're-oid');
  assert.is(set.match({ message: 'linkDown ifIndex=2', severity: null }), null, 'no OID on the event');
  assert.is(set.match({ message: 'linkDown', severity: null, trapOid: '.1.3.6.1.4.1.9.1' }), null, 'OID elsewhere');
  assert.equal(
    set.explain({ message: 'linkDown ifOperStatus=2', severity: null, trapOid: '.1.3.6.1.6.3.1.1.5.4' }).map((m) => m.rule.id),
    ['txt-oid', 're-oid'],
  );
});

test('oid_prefix rules ignore match_string', () => {
  const set = compileRules([
    rule({ id: 'o', match_type: 'oid_prefix', trap_oid: '.1.3.6.1.4.1.9', match_string: 'never in the text', priority: 1 }),
  ]);
  assert.is(set.match({ message: 'something else', severity: null, trapOid: '.1.3.6.1.4.1.9.5' })?.rule.id, 'o');
});

test('why explains the match in words', () => {
  const set = compileRules([
    rule({ id: 'c', match_string: 'LINK-DOWN', syslog_severity: 3, priority: 1 }),
    rule({ id: 'r', match_type: 'regex', match_string: 'LINK-(UP|DOWN)', priority: 2 }),
    rule({ id: 'o', match_type: 'oid_prefix', trap_oid: '.1.3.6.1.4.1.9', priority: 3 }),
    rule({ id: 't', match_string: 'linkdown', trap_oid: '.1.3.6.1.6.3', priority: 4 }),
  ]);
  const m = set.match({ message: '%LINK-DOWN Gi0/1', severity: 3 })!;
  assert.is(m.why, "contains 'LINK-DOWN' (case-insensitive) and severity 3 = 3");
  assert.equal(JSON.parse(JSON.stringify(m)), { rule: m.rule, why: m.why }, 'the lazy explanation serialises');
  assert.is(set.match({ message: 'link-up', severity: 6 })!.why, "matches regex 'LINK-(UP|DOWN)' (case-insensitive)");
  assert.is(
    set.match({ message: '', severity: null, trapOid: '.1.3.6.1.4.1.9.9.41.2.0.1' })!.why,
    'trap OID .1.3.6.1.4.1.9.9.41.2.0.1 is under .1.3.6.1.4.1.9',
  );
  assert.is(
    set.match({ message: 'LINKDOWN', severity: null, trapOid: '1.3.6.1.6.3.1.1.5.3' })!.why,
    "contains 'linkdown' (case-insensitive) and trap OID .1.3.6.1.6.3.1.1.5.3 is under .1.3.6.1.6.3",
  );
});

test('explain lists every matching rule in evaluation order', () => {
  const set = compileRules(SEED);
  const all = set.explain(legacy({ message: 'CRITICAL ERROR: LINK-DOWN', trap_oid: '1.3.6.1.4.1.9.9.41.2.1' }));
  assert.equal(
    all.map((m) => m.rule.id),
    ['3', '1', '5', '2'],
  );
  assert.equal(set.explain({ message: 'nothing', severity: null }), []);
});

test('match agrees with explain (the plain reference) on a generated rule set', () => {
  const rules = generateRules(300, 7);
  const set = compileRules(rules);
  const events = generateEvents(2000, rules, 8);
  let matched = 0;
  for (const e of events) {
    const fast = set.match(e)?.rule.id ?? null;
    const slow = set.explain(e)[0]?.rule.id ?? null;
    if (fast !== slow) assert.unreachable(`match ${fast} but explain ${slow} for: ${e.message.slice(0, 120)}`);
    if (fast) matched++;
  }
  assert.ok(matched > 1500 && matched < 1950, `about 90% match (${matched})`);
});

test('match agrees with explain on random short, overlapping and mixed-case patterns', () => {
  const rnd = prng(99);
  const alphabet = ['a', 'b', 'A', 'B', '-', ' ', 'é', 'É', '1', '%'];
  const word = (min: number, max: number) =>
    Array.from({ length: min + Math.floor(rnd() * (max - min + 1)) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
  for (let round = 0; round < 20; round++) {
    const rules: Rule[] = [];
    for (let i = 0; i < 25; i++) {
      const kind = rnd();
      const base = { id: `r${i}`, priority: Math.floor(rnd() * 5), syslog_severity: rnd() < 0.2 ? Math.floor(rnd() * 3) : null };
      if (kind < 0.6) rules.push(rule({ ...base, match_string: word(1, 4) }));
      else if (kind < 0.85)
        rules.push(
          rule({
            ...base,
            match_type: 'regex',
            match_string: `${word(0, 3).replace(/[^a-z1é]/gi, '')}[ab]+${word(1, 3).replace(/[^a-z1é]/gi, 'x')}`,
          }),
        );
      else
        rules.push(
          rule({
            ...base,
            match_type: 'oid_prefix',
            trap_oid: `.1.${Math.floor(rnd() * 3)}${rnd() < 0.5 ? '.' + Math.floor(rnd() * 3) : ''}`,
          }),
        );
    }
    const set = compileRules(rules);
    for (let k = 0; k < 200; k++) {
      const e: MatchInput = {
        message: word(0, 30),
        severity: rnd() < 0.3 ? null : Math.floor(rnd() * 3),
        trapOid: rnd() < 0.3 ? `.1.${Math.floor(rnd() * 3)}.${Math.floor(rnd() * 3)}` : undefined,
      };
      const fast = set.match(e)?.rule.id ?? null;
      const slow = set.explain(e)[0]?.rule.id ?? null;
      if (fast !== slow) assert.unreachable(`round ${round}: match ${fast}, explain ${slow}, message ${JSON.stringify(e.message)}`);
    }
  }
});

test('rules sharing one regex are tested once per event and still decided separately', () => {
  const set = compileRules([
    rule({ id: 'sev2', match_type: 'regex', match_string: 'temp(erature)? (\\d+)C', syslog_severity: 2, priority: 1 }),
    rule({ id: 'sev4', match_type: 'regex', match_string: 'temp(erature)? (\\d+)C', syslog_severity: 4, priority: 2 }),
    rule({ id: 'any', match_type: 'regex', match_string: 'temp(erature)? (\\d+)C', priority: 3 }),
  ]);
  assert.is(set.match({ message: 'temperature 81C', severity: 4 })?.rule.id, 'sev4');
  assert.is(set.match({ message: 'temp 81C', severity: 6 })?.rule.id, 'any');
  const before = set.stats.regexTests;
  assert.is(set.match({ message: 'temp 81 degrees', severity: 4 }), null);
  assert.is(set.stats.regexTests - before, 1, 'one test for three rules');
});

test('a regex without letters runs on the text as it is and answers as on the lower-cased text', () => {
  const rules = [
    rule({ id: 'sev01', match_type: 'regex', match_string: '^\\S+ \\d+: %\\w+-[0-1]-', priority: 1 }),
    rule({ id: 'len', match_type: 'regex', match_string: '^.{2} \\d', priority: 2 }),
    rule({ id: 'word', match_string: 'zzz', priority: 3 }),
  ];
  const set = compileRules(rules);
  for (const message of ['Nov 12: %LINK-1-UPDOWN', 'NOV 12: %link-5-x', 'İx 123', 'Ab 1', 'ÉÉ 9 zzz']) {
    const e = { message, severity: null };
    assert.is(set.match(e)?.rule.id ?? null, set.explain(e)[0]?.rule.id ?? null, message);
  }
  assert.is(set.match({ message: 'NOV 12: %LINK-1-UPDOWN', severity: null })?.rule.id, 'sev01');
  assert.is(set.match({ message: 'İx 123', severity: null }), null, "regexes see the lower-cased text, where 'İx' is three units");
  const noScan = compileRules([rules[1]]);
  assert.is(noScan.match({ message: 'İx 123', severity: null }), null, 'without an automaton the text is lower-cased first');
  assert.is(noScan.match({ message: 'Ab 1', severity: null })?.rule.id, 'len');
});

test('regexes without a usable literal are tried on every event', () => {
  const set = compileRules([
    rule({ id: 'digits', match_type: 'regex', match_string: '^\\d+$', priority: 1 }),
    rule({ id: 'x', match_string: 'x', priority: 2 }),
  ]);
  assert.is(set.match({ message: '12345', severity: null })?.rule.id, 'digits');
  assert.is(set.match({ message: '12x45', severity: null })?.rule.id, 'x');
});

test('a stored regex that does not compile is reported and never matches; the rest still works', () => {
  const reported: string[] = [];
  const set = compileRules(
    [
      rule({ id: 'bad', match_type: 'regex', match_string: '[invalid(regex', priority: 1 }),
      rule({ id: 'bad2', match_type: 'regex', match_string: 'a**', priority: 1 }),
      rule({ id: 'good', match_string: 'invalid', priority: 2 }),
    ],
    { onInvalidRule: (id, reason) => reported.push(`${id}: ${reason}`) },
  );
  assert.is(set.match({ message: '[invalid(regex', severity: null })?.rule.id, 'good');
  assert.equal(
    set.invalid.map((i) => i.ruleId),
    ['bad', 'bad2'],
  );
  assert.match(reported[0], /^bad: invalid regex: unterminated character set/);
  assert.match(reported[1], /multiple repeat/);
});

test('rules that bypassed the schema (no trap_oid, no match_string) are reported, not fatal', () => {
  const base = rule({ id: 'x', match_string: 'x' });
  const set = compileRules([
    { ...base, id: 'no-oid', match_type: 'oid_prefix', trap_oid: null },
    { ...base, id: 'no-text', match_type: 'contains', match_string: null },
    { ...base, id: 'ok', match_string: 'text' },
  ]);
  assert.equal(set.invalid, [
    { ruleId: 'no-oid', reason: 'oid_prefix rule without a valid trap_oid' },
    { ruleId: 'no-text', reason: 'contains rule without match_string' },
  ]);
  assert.is(set.match({ message: 'text x', severity: null, trapOid: '.1.3' })?.rule.id, 'ok');
  assert.equal(
    set.explain({ message: 'text x', severity: null, trapOid: '.1.3' }).map((m) => m.rule.id),
    ['ok'],
  );
});

test('a regex that keeps exceeding the time budget is disabled and reported once', () => {
  let now = 0;
  const slow = new Set(['slow']);
  const disabled: string[] = [];
  const rules = [
    rule({ id: 'slow', match_type: 'regex', match_string: 'fan (\\d+) failed', priority: 1 }),
    rule({ id: 'fallback', match_string: 'fan', priority: 2 }),
  ];
  const set = compileRules(rules, {
    regexBudgetMs: 50,
    regexStrikes: 3,
    // Each clock read after a 'slow' test advances 120 ms: deterministic stand-in for a stalling regex.
    clock: () => (now += slow.size ? 120 : 0),
    onRegexBudgetExceeded: (id) => disabled.push(id),
  });
  const ev = { message: 'fan 2 failed', severity: null };
  for (let i = 0; i < 3; i++) assert.is(set.match(ev)?.rule.id, 'slow', 'an over-budget test that matched still counts');
  assert.equal(disabled, ['slow']);
  assert.equal(set.disabledRules(), ['slow']);
  assert.is(set.stats.budgetOverruns, 3);
  const tests = set.stats.regexTests;
  assert.is(set.match(ev)?.rule.id, 'fallback');
  assert.is(set.stats.regexTests, tests, 'a disabled regex is not tried');
  assert.equal(
    set.explain(ev).map((m) => m.rule.id),
    ['fallback'],
  );
  slow.clear();
  set.match(ev);
  assert.equal(disabled, ['slow'], 'reported once');

  const kept = compileRules(rules, { previous: set });
  assert.equal(kept.disabledRules(), ['slow'], 'still disabled after an unrelated rule edit');
  const edited = compileRules([rule({ ...rules[0], match_string: 'fan (\\d+) FAILED' }), rules[1]], { previous: set });
  assert.equal(edited.disabledRules(), [], 'editing the pattern gives it a new chance');
});

test('when the budget runs out, the remaining regexes are skipped for that event', () => {
  let now = 0;
  const set = compileRules(
    [
      rule({ id: 'r1', match_type: 'regex', match_string: 'alpha \\d', priority: 1 }),
      rule({ id: 'r2', match_type: 'regex', match_string: 'alpha [xyz]', priority: 2 }),
      rule({ id: 'r3', match_type: 'regex', match_string: 'alpha \\w', priority: 3 }),
      rule({ id: 'c', match_string: 'alpha', priority: 4 }),
    ],
    { regexBudgetMs: 50, clock: () => (now += 30) },
  );
  assert.is(set.match({ message: 'alpha beta', severity: null })?.rule.id, 'c', 'r3 would match but the budget was spent');
  assert.is(set.stats.regexTests, 2);
  assert.is(set.stats.budgetOverruns, 1);
  assert.equal(
    set.explain({ message: 'alpha beta', severity: null }).map((m) => m.rule.id),
    ['r3', 'c'],
    'explain has no budget',
  );
});

test('a pause during a fast regex (GC, a busy host) neither skips the remaining rules nor strikes the regex', () => {
  let now = 0;
  let reads = 0;
  const disabled: string[] = [];
  const set = compileRules(
    [
      rule({ id: 'r1', match_type: 'regex', match_string: 'alpha \\d', priority: 1 }),
      rule({ id: 'r2', match_type: 'regex', match_string: 'alpha [xyz]', priority: 2 }),
      rule({ id: 'r3', match_type: 'regex', match_string: 'alpha \\w', priority: 3 }),
      rule({ id: 'c', match_string: 'alpha', priority: 4 }),
    ],
    // The second clock read of each event (just after r1's test) jumps 200 ms, as if the process had stalled.
    { regexBudgetMs: 50, regexStrikes: 3, clock: () => (now += ++reads === 2 ? 200 : 1), onRegexBudgetExceeded: (id) => disabled.push(id) },
  );
  for (let i = 0; i < 5; i++) {
    reads = 0;
    assert.is(set.match({ message: 'alpha beta', severity: null })?.rule.id, 'r3', `event ${i}: every rule was evaluated`);
  }
  assert.is(set.stats.budgetOverruns, 0);
  assert.is(set.stats.pausesForgiven, 5);
  assert.equal(disabled, [], 'r1 was not blamed for the pause');
  assert.equal(set.disabledRules(), []);
});

test('a catastrophic regex stored before the write-time check cannot stall matching', () => {
  const rules = [
    rule({ id: 'evil', match_type: 'regex', match_string: '(a+)+$', priority: 1 }),
    rule({ id: 'b', match_string: 'b', priority: 2 }),
  ];
  // Generous budgets: these fail on a missing safeguard (seconds to forever), not on a slow machine.
  const whole = compileRules(rules, { regexBudgetMs: 1000, regexSubjectMax: 65_536 });
  // 2^28 backtracking steps without V8's linear-time fallback: an over-budget result rather than a hang.
  assert.is(whole.match({ message: 'a'.repeat(28) + 'b', severity: null })?.rule.id, 'b');
  assert.is(whole.stats.budgetOverruns, 0, 'linear-time fallback active');
  assert.is(whole.match({ message: 'a'.repeat(30_000) + 'b', severity: null })?.rule.id, 'b');
  assert.is(whole.stats.budgetOverruns, 0, 'returned within the budget');
  assert.is(whole.match({ message: 'aaaa', severity: null })?.rule.id, 'evil');
  // With the default subject cap the regex sees only the first 4096 characters, all 'a': its $ matches there.
  const capped = compileRules(rules, { regexBudgetMs: 1000 });
  assert.is(capped.match({ message: 'a'.repeat(30_000) + 'b', severity: null })?.rule.id, 'evil');
  assert.is(capped.stats.budgetOverruns, 0);
});

test('regexes see at most regexSubjectMax characters; contains rules see the whole message', () => {
  const set = compileRules(
    [
      rule({ id: 'end', match_type: 'regex', match_string: 'down$', priority: 1 }),
      rule({ id: 'tail', match_string: 'tail-marker', priority: 2 }),
    ],
    { regexSubjectMax: 100 },
  );
  assert.is(set.match({ message: 'x'.repeat(50) + ' down', severity: null })?.rule.id, 'end');
  assert.is(set.match({ message: 'x'.repeat(200) + ' tail-marker down', severity: null })?.rule.id, 'tail');
});

test('version is stable, order-independent and changes with any decision-relevant field', () => {
  const v = compileRules(SEED).version;
  assert.match(v, /^[0-9a-f]{16}$/);
  assert.is(compileRules([...SEED].reverse()).version, v);
  assert.is(compileRules([...SEED, rule({ id: '9', match_string: 'x', is_active: false })]).version, v, 'inactive rules do not count');
  assert.is(compileRules([...SEED, rule({ id: '9', match_string: 'x', description: 'a' })]).version !== v, true);
  const changed = SEED.map((r) => (r.id === '2' ? { ...r, prod_handling: 'page_only' as const } : r));
  assert.is.not(compileRules(changed).version, v);
  assert.is.not(compileRules([]).version, v);
});

test('stats count events and regex tests', () => {
  const set = compileRules([rule({ id: 'r', match_type: 'regex', match_string: 'abc\\d', priority: 1 })]);
  set.match({ message: 'abc1', severity: null });
  set.match({ message: 'zzz', severity: null });
  assert.equal({ ...set.stats }, { events: 2, regexTests: 1, budgetOverruns: 0, pausesForgiven: 0 });
});

test('an empty rule set matches nothing', () => {
  const set = compileRules([]);
  assert.is(set.match({ message: 'CRITICAL', severity: 0, trapOid: '.1.3' }), null);
  assert.equal(set.explain({ message: 'CRITICAL', severity: 0 }), []);
});

test('Aho–Corasick reports every occurrence, overlapping and nested, case-insensitively', () => {
  const ac = AhoCorasick.build([
    { pattern: 'he', value: 1 },
    { pattern: 'she', value: 2 },
    { pattern: 'his', value: 3 },
    { pattern: 'hers', value: 4 },
    { pattern: 'hers', value: 0 },
  ]);
  const hits: number[] = [];
  assert.is(
    ac.scan('uSHERS and HIS', (v, from, to) => (hits.push(...v.subarray(from, to)), true)),
    'done',
  );
  assert.equal(hits, [1, 2, 0, 4, 3], 'he+she end together (ascending), then hers (two values), then his');
  assert.is(
    ac.scan('Ärger with hers', () => true),
    'lowercase',
    'non-ASCII capitals need real lower-casing',
  );
  const lowered: number[] = [];
  assert.is(
    ac.scan('ärger with hers', (v, f, t) => (lowered.push(...v.subarray(f, t)), true), true),
    'done',
  );
  assert.equal(lowered, [1, 0, 4]);
  assert.is(
    ac.scan('she', () => false),
    'stopped',
  );
  assert.throws(() => AhoCorasick.build([{ pattern: '', value: 1 }]), /empty pattern/);
});

test('OID trie visits each prefix rule shortest first', () => {
  const t = new OidTrie();
  t.add('.1.3.6', 3);
  t.add('.1.3.6.1.4', 1);
  t.add('.1.3.6.1.4', 0);
  t.seal();
  const seen: number[][] = [];
  t.visit('.1.3.6.1.4.1', (v) => (seen.push([...v]), true));
  assert.equal(seen, [[3], [0, 1]]);
  const first: number[][] = [];
  t.visit('.1.3.6.1.4', (v) => (first.push([...v]), false));
  assert.equal(first, [[3]]);
});

test.run();
