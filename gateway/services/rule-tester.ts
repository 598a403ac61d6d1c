// "Which rule would handle this event, and why?" — runs a sample event (message, host, severity, trap OID)
// through the rule set in effect (the mutt_rules bucket) or a proposed one, with the alerter's own engine
// (actors/alerter/rules.ts) and host logic (environment.ts), and answers as the alerter would decide:
// environment (dev/prod), the winning rule and why, the handling decision, whether it is forwarded, the team,
// and every other rule that also matches, best first. A proposal either overlays the current set (same id
// replaces, new ids add) or replaces it; each proposed rule passes the same validation as a write.
//   await tester.test({ message: '%LINK-3-UPDOWN …', host: 'core1', severity: 'error' }, { rules: [draft] })

import type { Decision, Environment } from '../../protocol/messages.ts';
import { normaliseOid } from '../../protocol/oid.ts';
import type { Rule } from '../../protocol/rules.ts';
import { normaliseSeverity } from '../../protocol/severity.ts';
import { isDevHost, teamForHost } from '../../actors/alerter/environment.ts';
import { compileRules, type InvalidRule } from '../../actors/alerter/rules.ts';
import { ServiceError, type ServiceIssue } from './errors.ts';
import type { HostMapService } from './hosts.ts';
import { validateRule } from './rule-validation.ts';
import type { RulesService } from './rules.ts';

/** New regex patterns (not in the stored rules) one test request may have analysed. */
export const MAX_NEW_PATTERNS = 50;

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

export interface RuleTestResult {
  ruleset: 'current' | 'proposed';
  /** Active rules evaluated, and the engine's version hash of them. */
  rules_evaluated: number;
  version: string;
  environment: Environment;
  matched: boolean;
  rule: Rule | null;
  /** Where the winning rule came from. */
  rule_source: 'current' | 'proposed' | null;
  why: string | null;
  decision: Decision;
  forwarded: boolean;
  team: string | null;
  /** Every matching rule, best first (the first is the winner). */
  matches: { id: string; priority: number; why: string; source: 'current' | 'proposed' }[];
  invalid_rules: InvalidRule[];
  warnings: string[];
}

export class RuleTester {
  constructor(private readonly rules: RulesService, private readonly devHosts: HostMapService<'dev'>, private readonly teams: HostMapService<'team'>, private readonly opts: { regexTimeoutMs?: number } = {}) {}

  async test(sample: SampleEvent, proposal?: Proposal): Promise<RuleTestResult> {
    const severity = sample.severity === undefined || sample.severity === null || sample.severity === '' ? null : normaliseSeverity(sample.severity);
    const issues: ServiceIssue[] = [];
    if (severity === null && sample.severity !== undefined && sample.severity !== null && sample.severity !== '') issues.push({ path: 'severity', message: 'expected 0–7 or a severity name (emergency … debug)' });
    const trapOid = sample.trap_oid ? normaliseOid(sample.trap_oid) : null;
    if (sample.trap_oid && !trapOid) issues.push({ path: 'trap_oid', message: `not a dotted-decimal OID: '${sample.trap_oid}'` });
    if (issues.length) throw new ServiceError('invalid', 'invalid sample event', issues);

    const current = this.rules.all().rules.map((r) => r.rule);
    const source = new Map<string, 'current' | 'proposed'>();
    let set: Rule[] = current;
    const warnings: string[] = [];
    if (proposal) {
      const proposed: Rule[] = [];
      const seen = new Set<string>();
      // The safety analysis costs up to regexTimeoutMs per pattern, and this endpoint takes a read key: patterns
      // of the stored rules (analysed when written) and repeats are not analysed again, and a request may bring
      // at most MAX_NEW_PATTERNS others — 10,000 new regexes would otherwise keep the analyser busy for hours.
      const known = new Set(current.filter((r) => r.match_type === 'regex' && r.match_string).map((r) => r.match_string!));
      const analysed = new Set<string>();
      const analyse = (pattern: string, path: string): boolean => {
        if (known.has(pattern) || analysed.has(pattern)) return false;
        if (analysed.size >= MAX_NEW_PATTERNS) {
          throw new ServiceError('invalid', `a test analyses at most ${MAX_NEW_PATTERNS} regex patterns that are not in the stored rules`, [
            { path, message: `more than ${MAX_NEW_PATTERNS} new regex patterns in one proposal; test fewer at a time (patterns of stored rules do not count)` },
          ]);
        }
        analysed.add(pattern);
        return true;
      };
      for (const [i, input] of proposal.rules.entries()) {
        const v = await validateRule(input, { pathPrefix: `rules.${i}`, regexTimeoutMs: this.opts.regexTimeoutMs, analyse });
        if (seen.has(v.rule.id)) throw new ServiceError('invalid', `rule id '${v.rule.id}' appears twice in the proposal`, [{ path: `rules.${i}.id`, message: 'duplicate id' }]);
        seen.add(v.rule.id);
        proposed.push(v.rule);
        warnings.push(...v.warnings.map((w) => `${v.rule.id}: ${w}`));
      }
      set = proposal.mode === 'replace' ? proposed : [...current.filter((r) => !seen.has(r.id)), ...proposed];
      for (const r of proposed) source.set(r.id, 'proposed');
    }
    const compiled = compileRules(set);
    const input = { message: sample.message, severity, trapOid: trapOid ?? undefined };
    const all = compiled.explain(input);
    const best = all[0] ?? null;
    const dev = new Set(this.devHosts.list().map((h) => h.value.hostname.toLowerCase()));
    const teams = new Map(this.teams.list().map((t) => [t.value.hostname.toLowerCase(), t.value.team_assignment]));
    const environment: Environment = isDevHost(dev, sample.host) ? 'dev' : 'prod';
    const from = (id: string) => source.get(id) ?? 'current';
    const decision: Decision = best ? (environment === 'dev' ? best.rule.dev_handling : best.rule.prod_handling) : 'unhandled';
    return {
      ruleset: proposal ? 'proposed' : 'current',
      rules_evaluated: compiled.rules.length,
      version: compiled.version,
      environment,
      matched: best !== null,
      rule: best?.rule ?? null,
      rule_source: best ? from(best.rule.id) : null,
      why: best?.why ?? null,
      decision,
      forwarded: decision !== 'ignore' && decision !== 'unhandled',
      team: best ? best.rule.team_assignment : teamForHost(teams, sample.host) ?? null,
      matches: all.map((m) => ({ id: m.rule.id, priority: m.rule.priority, why: m.why, source: from(m.rule.id) })),
      invalid_rules: [...compiled.invalid],
      warnings,
    };
  }
}
