// The bounds of one rule test (POST /api/v2/rules/test, the web UI's tester, `mutt rules test`). The endpoint
// takes a read key and runs operator-supplied patterns, so each kind of work it does has a limit of its own
// (docs/RULES.md, "Rule tester limits"), and a test over a limit is refused naming it — or, for regex time,
// answered with what was found so far and `complete: false`.
//   throw new RuleTestLimitError('busy', 429, 'the rule tester is busy: 8 tests are waiting; retry shortly')

import { ServiceError } from './errors.ts';

export const RULE_TEST_LIMITS = {
  /** Proposed rules in one request (every rule counts, copies too). */
  maxProposedRules: 1_000,
  /** Rules one test evaluates: stored + proposed, active and inactive, every copy counted. */
  maxEvaluations: 20_000,
  /** New regex patterns (not in the stored rules) one request may have analysed for safety. */
  maxNewPatterns: 50,
  /** Total safety-analysis time of those patterns, ms. */
  maxAnalysisMs: 10_000,
  /** Total regex time of the near-miss evaluation, ms; beyond it the answer is partial (`complete: false`). */
  regexBudgetMs: 1_000,
  /** Wall time of one test in the worker thread (validation and analysis included), ms; beyond it the worker is
   *  stopped and the test refused. Above maxAnalysisMs, so that a refusal names the analysis limit when that ran out. */
  timeoutMs: 20_000,
  /** Tests waiting for the worker thread; one more is refused with 429. */
  maxQueued: 8,
  /** Old-generation heap of the worker thread, MB; a test that needs more is refused. */
  workerHeapMb: 96,
} as const;

export type RuleTestLimits = { -readonly [K in keyof typeof RULE_TEST_LIMITS]: number };

/** A test refused for a limit of the tester (not for what it was asked): `status` is the HTTP answer. */
export class RuleTestLimitError extends ServiceError {
  constructor(
    readonly limit: 'busy' | 'timeout' | 'memory' | 'worker',
    readonly status: 422 | 429 | 503,
    message: string,
  ) {
    super('invalid', message, [{ path: '', message }], { limit });
    this.name = 'RuleTestLimitError';
  }
}
