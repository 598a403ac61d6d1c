// "Which rule would handle this event, and why — and which rules nearly did?" Runs a sample event (message,
// host, severity, trap OID) through the rule set in effect (the mutt_rules bucket) or a proposed one, with the
// alerter's own engine (actors/alerter/rule-diagnosis.ts over rules.ts) and host matching (HostIndex, through HostMapService.lookup), and
// answers as the alerter would decide: environment (dev/prod), the winning rule and why, the handling decision,
// whether it is forwarded, the team, every other rule that also matches, and the near misses — rules whose
// text matched but that failed on severity, trap OID, active state or priority order. A proposal either
// overlays the current set (same id replaces, new ids add) or replaces it; each proposed rule passes the same
// validation as a write. The work is bounded (rule-test-limits.ts) and runs in a worker thread, so a test with
// slow patterns never stalls the process.
//   await tester.test({ message: '%LINK-3-UPDOWN …', host: 'core1', severity: 'error' }, { rules: [draft] })

import type { Decision, Environment } from '../../protocol/messages.ts';
import { normaliseOid } from '../../protocol/oid.ts';
import type { Rule } from '../../protocol/rules.ts';
import { normaliseSeverity } from '../../protocol/severity.ts';
import type { NearMissReason } from '../../actors/alerter/rule-diagnosis.ts';
import type { InvalidRule } from '../../actors/alerter/rules.ts';
import { ServiceError, type ServiceIssue } from './errors.ts';
import type { HostMapService } from './hosts.ts';
import { RULE_TEST_LIMITS, type RuleTestLimits } from './rule-test-limits.ts';
import { RuleTesterThread } from './rule-tester-thread.ts';
import type { RulesService } from './rules.ts';

/** New regex patterns (not in the stored rules) one test request may have analysed. */
export const MAX_NEW_PATTERNS = RULE_TEST_LIMITS.maxNewPatterns;

export interface SampleEvent {
  message: string;
  host: string;
  /** 0–7 or a name ('error', 'warning', …); absent = none. */
  severity?: number | string | null;
  trap_oid?: string | null;
}

export interface Proposal {
  rules: unknown[];
  /** 'overlay' (default): proposed rules replace same-id current ones and add the rest; 'replace': only the proposal. */
  mode?: 'overlay' | 'replace';
}

export type RuleSource = 'current' | 'proposed';

export interface NearMissView {
  id: string;
  priority: number;
  is_active: boolean;
  source: RuleSource;
  /** Why it did not win: severity, trap_oid (a condition failed), inactive, priority (another rule comes first),
   *  regex_budget (the alerter's per-event regex time ran out before it). */
  reasons: NearMissReason[];
  why: string;
}

export interface RuleTestResult {
  ruleset: RuleSource;
  /** Active rules evaluated, and the engine's version hash of them. */
  rules_evaluated: number;
  version: string;
  environment: Environment;
  matched: boolean;
  rule: Rule | null;
  /** Where the winning rule came from. */
  rule_source: RuleSource | null;
  why: string | null;
  decision: Decision;
  forwarded: boolean;
  team: string | null;
  /** Every matching rule, best first (the first is the winner). */
  matches: { id: string; priority: number; why: string; source: RuleSource }[];
  /** Rules whose text matched but that did not win, in evaluation order. */
  near_misses: NearMissView[];
  /** False when the regex time budget ran out: rules after that point were not evaluated for near misses. */
  complete: boolean;
  /** Rules left out of the near-miss evaluation by the budget. */
  skipped_rules: number;
  invalid_rules: InvalidRule[];
  warnings: string[];
}

export interface RuleTesterOptions extends Partial<RuleTestLimits> {
  /** Safety analysis time per new pattern (default 5000 ms). */
  regexTimeoutMs?: number;
}

export class RuleTester {
  private readonly limits: RuleTestLimits;
  private readonly thread: RuleTesterThread;

  constructor(
    private readonly rules: RulesService,
    private readonly devHosts: HostMapService<'dev'>,
    private readonly teams: HostMapService<'team'>,
    private readonly opts: RuleTesterOptions = {},
  ) {
    this.limits = { ...RULE_TEST_LIMITS, ...definedOnly(opts) };
    this.thread = new RuleTesterThread({
      timeoutMs: this.limits.timeoutMs,
      maxQueued: this.limits.maxQueued,
      heapMb: this.limits.workerHeapMb,
    });
  }

  /** Stops the worker thread; tests waiting for it are refused. */
  close(): void {
    this.thread.close();
  }

  async test(sample: SampleEvent, proposal?: Proposal): Promise<RuleTestResult> {
    const L = this.limits;
    const severity =
      sample.severity === undefined || sample.severity === null || sample.severity === '' ? null : normaliseSeverity(sample.severity);
    const issues: ServiceIssue[] = [];
    if (severity === null && sample.severity !== undefined && sample.severity !== null && sample.severity !== '')
      issues.push({ path: 'severity', message: 'expected 0–7 or a severity name (emergency … debug)' });
    const trapOid = sample.trap_oid ? normaliseOid(sample.trap_oid) : null;
    if (sample.trap_oid && !trapOid) issues.push({ path: 'trap_oid', message: `not a dotted-decimal OID: '${sample.trap_oid}'` });
    if (issues.length) throw new ServiceError('invalid', 'invalid sample event', issues);

    if (proposal && proposal.rules.length > L.maxProposedRules) {
      throw new ServiceError('invalid', `a test takes at most ${L.maxProposedRules} proposed rules`, [
        {
          path: 'rules',
          message: `${proposal.rules.length} proposed rules; at most ${L.maxProposedRules} per test (every rule counts, copies too)`,
        },
      ]);
    }
    const current = this.rules.all().rules.map((r) => r.rule);
    const input = { message: sample.message, severity, trapOid: trapOid ?? undefined };
    // Validation (with the regex safety analysis) and the evaluation both run in the worker thread.
    const a = await this.thread.run({
      current,
      proposal: proposal && { rules: proposal.rules, mode: proposal.mode },
      event: input,
      budget: { maxRegexMs: L.regexBudgetMs, maxEvaluations: L.maxEvaluations },
      limits: L,
      regexTimeoutMs: this.opts.regexTimeoutMs,
    });
    if (!a.ok) throw new ServiceError('invalid', a.invalid.message, a.invalid.issues);
    const d = a.diagnosis;
    const warnings = [...a.warnings];
    const source = new Map<string, RuleSource>(a.proposed.map((r) => [r.id, 'proposed']));
    const byId = new Map([...current, ...a.proposed].map((r) => [r.id, r]));
    const ruleOf = (id: string) => byId.get(id)!;
    const from = (id: string) => source.get(id) ?? 'current';
    const best = d.winner ? ruleOf(d.winner.id) : null;
    const environment: Environment = (await this.devHosts.lookup(sample.host)) !== undefined ? 'dev' : 'prod';
    const decision: Decision = best ? (environment === 'dev' ? best.dev_handling : best.prod_handling) : 'unhandled';
    if (d.stoppedBy !== null) {
      warnings.push(
        d.stoppedBy === 'regex_time'
          ? `incomplete: the test's regex time budget (${L.regexBudgetMs} ms) ran out; ${d.skipped} rule(s) after that point were not evaluated for near misses (the winner is still the alerter's)`
          : `incomplete: the test's evaluation budget (${L.maxEvaluations} rules) ran out; ${d.skipped} rule(s) were not evaluated for near misses`,
      );
    }
    return {
      ruleset: proposal ? 'proposed' : 'current',
      rules_evaluated: d.activeRules,
      version: d.version,
      environment,
      matched: best !== null,
      rule: best,
      rule_source: best ? from(best.id) : null,
      why: d.winner?.why ?? null,
      decision,
      forwarded: decision !== 'ignore' && decision !== 'unhandled',
      team: best ? best.team_assignment : ((await this.teams.lookup(sample.host)) ?? null),
      matches: d.matches.map((m) => ({ id: m.id, priority: ruleOf(m.id).priority, why: m.why, source: from(m.id) })),
      near_misses: d.nearMisses.map((m) => {
        const r = ruleOf(m.id);
        return { id: m.id, priority: r.priority, is_active: r.is_active, source: from(m.id), reasons: m.reasons, why: m.why };
      }),
      complete: d.stoppedBy === null,
      skipped_rules: d.skipped,
      invalid_rules: d.invalid,
      warnings,
    };
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
