// The rule set a test runs against: the stored rules, or a proposal overlaid on them (same id replaces, new ids
// add) or replacing them. Each proposed rule passes the same validation as a write, within the tester's limits
// (rule-test-limits.ts): the regex safety analysis runs only for patterns the stored rules do not already have,
// at most maxNewPatterns of them and maxAnalysisMs in all. Runs in the rule tester's worker thread
// (rule-tester-worker.ts): loading the analyser (recheck) alone blocks its thread for half a second, and its
// analyses are the costliest part of a test.
//   const { set, proposedIds } = await resolveRuleSet(current, { rules: [draft], mode: 'overlay' }, RULE_TEST_LIMITS)

import type { Rule } from '../../protocol/rules.ts';
import { ServiceError } from './errors.ts';
import type { RuleTestLimits } from './rule-test-limits.ts';
import { validateRule } from './rule-validation.ts';

export interface ProposalInput {
  rules: unknown[];
  mode?: 'overlay' | 'replace';
}

export interface ResolvedRuleSet {
  set: Rule[];
  /** Ids of the rules that came from the proposal. */
  proposedIds: string[];
  warnings: string[];
}

type Limits = Pick<RuleTestLimits, 'maxProposedRules' | 'maxNewPatterns' | 'maxAnalysisMs' | 'maxEvaluations'>;

export async function resolveRuleSet(
  current: Rule[],
  proposal: ProposalInput | undefined,
  L: Limits,
  regexTimeoutMs = 5000,
): Promise<ResolvedRuleSet> {
  const warnings: string[] = [];
  let set = current;
  const proposed: Rule[] = [];
  if (proposal) {
    if (proposal.rules.length > L.maxProposedRules) {
      throw new ServiceError('invalid', `a test takes at most ${L.maxProposedRules} proposed rules`, [
        {
          path: 'rules',
          message: `${proposal.rules.length} proposed rules; at most ${L.maxProposedRules} per test (every rule counts, copies too)`,
        },
      ]);
    }
    const seen = new Set<string>();
    // Patterns of the stored rules were analysed when written, and repeats need no second analysis.
    const known = new Set(current.filter((r) => r.match_type === 'regex' && r.match_string).map((r) => r.match_string!));
    const analysed = new Set<string>();
    const analysisEnds = Date.now() + L.maxAnalysisMs;
    const analyse = (pattern: string, path: string): boolean => {
      if (known.has(pattern) || analysed.has(pattern)) return false;
      if (analysed.size >= L.maxNewPatterns) {
        throw new ServiceError('invalid', `a test analyses at most ${L.maxNewPatterns} regex patterns that are not in the stored rules`, [
          {
            path,
            message: `more than ${L.maxNewPatterns} new regex patterns in one proposal; test fewer at a time (patterns of stored rules do not count)`,
          },
        ]);
      }
      if (Date.now() >= analysisEnds) {
        throw new ServiceError('invalid', `a test gets at most ${L.maxAnalysisMs} ms of regex safety analysis`, [
          {
            path,
            message: `the safety analysis of this proposal's new patterns used up the test's ${L.maxAnalysisMs} ms; test fewer or simpler new patterns at a time`,
          },
        ]);
      }
      analysed.add(pattern);
      return true;
    };
    for (const [i, input] of proposal.rules.entries()) {
      const timeout = Math.max(1, Math.min(regexTimeoutMs, analysisEnds - Date.now()));
      const v = await validateRule(input, { pathPrefix: `rules.${i}`, regexTimeoutMs: timeout, analyse });
      if (seen.has(v.rule.id))
        throw new ServiceError('invalid', `rule id '${v.rule.id}' appears twice in the proposal`, [
          { path: `rules.${i}.id`, message: 'duplicate id' },
        ]);
      seen.add(v.rule.id);
      proposed.push(v.rule);
      warnings.push(...v.warnings.map((w) => `${v.rule.id}: ${w}`));
    }
    set = proposal.mode === 'replace' ? proposed : [...current.filter((r) => !seen.has(r.id)), ...proposed];
  }
  if (set.length > L.maxEvaluations) {
    throw new ServiceError('invalid', `a test evaluates at most ${L.maxEvaluations} rules`, [
      {
        path: proposal ? 'rules' : '',
        message: `${set.length} rules to evaluate (stored and proposed, active and inactive); at most ${L.maxEvaluations} per test`,
      },
    ]);
  }
  return { set, proposedIds: proposed.map((r) => r.id), warnings };
}
