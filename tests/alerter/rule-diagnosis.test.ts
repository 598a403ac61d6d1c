import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RuleInput, type Rule } from '../../protocol/rules.ts';
import { compileRules, type MatchInput } from '../../actors/alerter/rules.ts';
import { diagnoseEvent } from '../../actors/alerter/rule-diagnosis.ts';

function rule(fields: Record<string, unknown>): Rule {
  return RuleInput.parse({ prod_handling: 'page_and_ticket', dev_handling: 'ticket_only', team_assignment: 'NETO', ...fields });
}

const ev = (message: string, extra: Partial<MatchInput> = {}): MatchInput => ({ message, severity: null, ...extra });
const misses = (d: ReturnType<typeof diagnoseEvent>) => d.nearMisses.map((m) => [m.rule.id, m.reasons]);

// evaluate(): the engine's own tests applied to every active rule, with the conditions each text hit fails.

test('evaluate reports text hits that fail on severity or trap OID, with the reason in words', () => {
  const set = compileRules([
    rule({ id: 'sev', match_string: 'disk', syslog_severity: 3, priority: 1 }),
    rule({ id: 'oid', match_type: 'regex', match_string: 'disk \\w+', trap_oid: '.1.3.6.1.4.1.9', priority: 2 }),
    rule({ id: 'both', match_string: 'full', syslog_severity: 2, trap_oid: '.1.3.6.1.4.1.9', priority: 3 }),
    rule({ id: 'ok', match_string: 'disk', priority: 4 }),
    rule({ id: 'other', match_string: 'fan', priority: 5 }),
  ]);
  const e = set.evaluate(ev('disk full on /var', { severity: 5, trapOid: '.1.3.6.1.4.1.2021.1' }));
  assert.equal(
    e.hits.map((h) => [h.rule.id, h.failed]),
    [
      ['sev', ['severity']],
      ['oid', ['trap_oid']],
      ['both', ['severity', 'trap_oid']],
      ['ok', []],
    ],
  );
  assert.is(e.evaluated, 5);
  assert.is(e.skipped, 0);
  assert.is(e.stoppedBy, null);
  assert.match(e.hits[0].why, /contains 'disk'.*but severity 5 is not the rule's 3/);
  assert.match(e.hits[1].why, /trap OID \.1\.3\.6\.1\.4\.1\.2021\.1 is not under \.1\.3\.6\.1\.4\.1\.9/);
  assert.match(e.hits[2].why, /severity 5 is not the rule's 2 and trap OID/);
  const none = set.evaluate(ev('disk full', { severity: null }));
  assert.match(none.hits[0].why, /the event has no severity and the rule requires 3/);
  assert.match(none.hits[1].why, /the event has no trap OID and the rule requires one under \.1\.3\.6\.1\.4\.1\.9/);
});

test('evaluate: an oid_prefix rule whose OID matched but whose severity did not', () => {
  const set = compileRules([rule({ id: 'traps', match_type: 'oid_prefix', trap_oid: '.1.3.6.1.4.1.9', syslog_severity: 2 })]);
  const [h] = set.evaluate(ev('coldStart', { severity: 4, trapOid: '1.3.6.1.4.1.9.9.41' })).hits;
  assert.equal(h.failed, ['severity']);
  assert.match(h.why, /trap OID \.1\.3\.6\.1\.4\.1\.9\.9\.41 is under \.1\.3\.6\.1\.4\.1\.9, but severity 4/);
  assert.equal(set.evaluate(ev('coldStart', { severity: 2, trapOid: '.1.3.6.1.4.1.11' })).hits, [], 'another OID is no hit at all');
});

test('evaluate stops at its evaluation budget and counts the rest as skipped', () => {
  const set = compileRules(Array.from({ length: 10 }, (_, i) => rule({ id: `r${i}`, match_string: 'x', priority: i })));
  const e = set.evaluate(ev('x'), { maxEvaluations: 4 });
  assert.is(e.evaluated, 4);
  assert.is(e.skipped, 6);
  assert.is(e.stoppedBy, 'evaluations');
  assert.equal(
    e.hits.map((h) => h.rule.id),
    ['r0', 'r1', 'r2', 'r3'],
  );
});

test('evaluate stops once its regex time is spent; copies of one pattern cost one test', () => {
  let now = 0;
  const set = compileRules(
    [
      ...Array.from({ length: 1000 }, (_, i) =>
        rule({ id: `copy${String(i).padStart(4, '0')}`, match_type: 'regex', match_string: 'alpha \\w+', priority: 1 }),
      ),
      rule({ id: 'r2', match_type: 'regex', match_string: 'alpha [a-z]', priority: 2 }),
      rule({ id: 'r3', match_type: 'regex', match_string: 'beta', priority: 3 }),
      rule({ id: 'c', match_string: 'alpha', priority: 4 }),
    ],
    { clock: () => (now += 30) },
  );
  const e = set.evaluate(ev('alpha beta'), { maxRegexMs: 50 });
  assert.is(e.hits.length, 1001, 'the 1000 copies and r2');
  assert.is(e.regexMs, 60, 'two tests of 30 ms: the copies shared one');
  assert.is(e.stoppedBy, 'regex_time');
  assert.is(e.evaluated, 1001);
  assert.is(e.skipped, 2);
});

// diagnoseEvent(): the winner as the alerter picks it, and why each other text hit did not win.

const RULES = [
  rule({ id: 'link-crit', match_string: 'LINK-3-UPDOWN', syslog_severity: 2, priority: 5 }),
  rule({ id: 'link-down', match_string: 'LINK-3-UPDOWN', priority: 10 }),
  rule({ id: 'link-old', match_string: 'updown', priority: 1, is_active: false }),
  rule({ id: 'link-trap', match_type: 'regex', match_string: 'link-\\d-updown', trap_oid: '.1.3.6.1.6.3.1.1.5', priority: 7 }),
  rule({ id: 'generic-down', match_string: 'down', priority: 100 }),
  rule({ id: 'unrelated', match_string: 'fan failed', priority: 1 }),
];

test('diagnoseEvent: the winner, and near misses for severity, trap OID, inactive and priority', () => {
  const d = diagnoseEvent(RULES, ev('%LINK-3-UPDOWN: Interface Gi0/1, changed state to down', { severity: 3 }));
  assert.is(d.winner?.rule.id, 'link-down');
  assert.equal(
    d.matches.map((m) => m.rule.id),
    ['link-down', 'generic-down'],
  );
  assert.equal(misses(d), [
    ['link-old', ['inactive']],
    ['link-crit', ['severity']],
    ['link-trap', ['trap_oid']],
    ['generic-down', ['priority']],
  ]);
  const [old, crit, trap, generic] = d.nearMisses;
  assert.is(old.rule.is_active, false, 'the inactive rule is reported as stored');
  assert.match(old.why, /contains 'updown'.*, but the rule is disabled/);
  assert.match(crit.why, /severity 3 is not the rule's 2/);
  assert.match(trap.why, /the event has no trap OID/);
  assert.match(generic.why, /but 'link-down' comes first \(priority 10 before 100\)/);
  assert.is(d.activeRules, 5);
  assert.is(d.stoppedBy, null);
  assert.is(d.skipped, 0);
});

test('diagnoseEvent: an inactive rule that would also fail a condition names both reasons', () => {
  const d = diagnoseEvent(
    [rule({ id: 'off', match_string: 'disk', syslog_severity: 2, is_active: false })],
    ev('disk full', { severity: 4 }),
  );
  assert.is(d.winner, null);
  assert.equal(misses(d), [['off', ['inactive', 'severity']]]);
  assert.match(d.nearMisses[0].why, /severity 4 is not the rule's 2; and the rule is disabled/);
});

test('diagnoseEvent: nothing matches, nothing nearly matches', () => {
  const d = diagnoseEvent(RULES, ev('all quiet', { severity: 6 }));
  assert.is(d.winner, null);
  assert.equal(d.matches, []);
  assert.equal(d.nearMisses, []);
});

test('diagnoseEvent: a tie on priority is decided by id, and the reason says so', () => {
  const d = diagnoseEvent([rule({ id: 'b', match_string: 'x', priority: 3 }), rule({ id: 'a', match_string: 'x', priority: 3 })], ev('x'));
  assert.is(d.winner?.rule.id, 'a');
  assert.equal(misses(d), [['b', ['priority']]]);
  assert.match(d.nearMisses[0].why, /same priority 3; 'a' sorts first/);
});

test("diagnoseEvent: a rule the alerter's per-event regex budget never reached is a regex_budget near miss", () => {
  let now = 0;
  const rules = [
    rule({ id: 'r1', match_type: 'regex', match_string: 'alpha \\d', priority: 1 }),
    rule({ id: 'r2', match_type: 'regex', match_string: 'alpha [xyz]', priority: 2 }),
    rule({ id: 'r3', match_type: 'regex', match_string: 'alpha \\w', priority: 3 }),
    rule({ id: 'c', match_string: 'alpha', priority: 4 }),
  ];
  // Every clock read advances 30 ms: r1 and r2 spend the 50 ms budget, so match() never tries r3.
  const d = diagnoseEvent(rules, ev('alpha beta'), {}, { regexBudgetMs: 50, clock: () => (now += 30) });
  assert.is(d.winner?.rule.id, 'c');
  assert.equal(misses(d), [['r3', ['regex_budget']]]);
  assert.match(d.nearMisses[0].why, /per-event regex time budget ran out/);
});

test('diagnoseEvent: the evaluation budget covers inactive rules too; what it left out is counted', () => {
  const rules = [
    ...Array.from({ length: 3 }, (_, i) => rule({ id: `on${i}`, match_string: 'x', priority: i })),
    ...Array.from({ length: 3 }, (_, i) => rule({ id: `off${i}`, match_string: 'x', priority: i, is_active: false })),
  ];
  const whole = diagnoseEvent(rules, ev('x'), { maxEvaluations: 6 });
  assert.is(whole.stoppedBy, null);
  assert.is(whole.evaluated, 6);
  const part = diagnoseEvent(rules, ev('x'), { maxEvaluations: 4 });
  assert.is(part.winner?.rule.id, 'on0', 'the winner does not depend on the budget');
  assert.is(part.stoppedBy, 'evaluations');
  assert.is(part.evaluated, 4);
  assert.is(part.skipped, 2);
  const stopped = diagnoseEvent(rules, ev('x'), { maxEvaluations: 2 });
  assert.is(stopped.skipped, 4, 'the active pass ran out: every inactive rule is skipped');
  assert.ok(stopped.nearMisses.every((m) => m.rule.is_active));
});

test.run();
