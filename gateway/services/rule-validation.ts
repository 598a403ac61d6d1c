// What a rule write must pass: the RuleInput schema (canonical output: handling names, OID form, defaults) and,
// for regex rules, the write-time safety check of actors/alerter/regex.ts (invalid Python-dialect syntax or
// catastrophic backtracking is refused, naming the field). Server-managed fields in the input are ignored.
//   const { rule, warnings } = await validateRule({ id: 'r1', match_type: 'regex', match_string: '(a+)+$', ... })
//   // -> ServiceError('invalid', …, [{ path: 'match_string', message: 'catastrophic backtracking: …' }])

import { RuleInput, type Rule } from '../../protocol/rules.ts';
import { checkRegexSafetyAsync } from '../../actors/alerter/regex.ts';
import { ServiceError, zodIssues, type ServiceIssue } from './errors.ts';

/** Fields MUTT sets itself; a client sending them back (from a GET) is not an error. */
export const SERVER_FIELDS = ['created_at', 'created_by', 'updated_at', 'updated_by', 'revision'] as const;

export function withoutServerFields(input: unknown): Record<string, unknown> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return {};
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const f of SERVER_FIELDS) delete out[f];
  return out;
}

export interface ValidatedRule {
  rule: Rule;
  /** Accepted with a caveat (e.g. polynomial backtracking bounded by the linear-time fallback). */
  warnings: string[];
}

export interface ValidateOptions {
  pathPrefix?: string;
  regexTimeoutMs?: number;
  /** Whether this regex pattern needs the safety analysis (default: always). May throw a ServiceError to refuse
   *  it, e.g. when a request has used up its analyses; `path` names the match_string field. */
  analyse?: (pattern: string, path: string) => boolean;
}

export async function validateRule(input: unknown, opts: ValidateOptions = {}): Promise<ValidatedRule> {
  const prefix = opts.pathPrefix ?? '';
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ServiceError('invalid', 'a rule must be a JSON object', [{ path: prefix, message: 'expected an object' }]);
  }
  const parsed = RuleInput.safeParse(withoutServerFields(input));
  if (!parsed.success) throw new ServiceError('invalid', 'invalid rule', zodIssues(parsed.error.issues, prefix));
  const rule = parsed.data;
  const warnings: string[] = [];
  const path = [prefix, 'match_string'].filter(Boolean).join('.');
  if (rule.match_type === 'regex' && rule.match_string && (opts.analyse?.(rule.match_string, path) ?? true)) {
    const safety = await checkRegexSafetyAsync(rule.match_string, { timeoutMs: opts.regexTimeoutMs });
    if (!safety.ok) {
      const issue: ServiceIssue = { path, message: safety.reason };
      throw new ServiceError('invalid', `match_string: ${safety.reason}`, [issue]);
    }
    if (safety.warning) warnings.push(`match_string: ${safety.warning}`);
  }
  return { rule, warnings };
}
