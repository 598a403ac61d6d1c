// `mutt rules add | edit | disable | enable | rm`: one rule at a time from flags, without a CSV file, through the
// rules service the API uses (the same validation — schema and regex safety — and the same config audit).
// edit, disable and enable read the rule's revision and write only if it is still current (the API's If-Match):
// a rule someone changed meanwhile is reported, not overwritten; --revision N names the expected revision.
//   mutt rules add --id link-down --match LINK-3-UPDOWN --priority 10 --handling page_and_ticket --team NETO
//   mutt rules edit link-down --severity 3;  mutt rules disable link-down --reason CHG-12;  mutt rules rm link-down

import { CliError } from '../cli-error.ts';
import { actorName } from '../cli/identity.ts';
import { isoTime, printJson } from '../cli/format.ts';
import { withServices } from '../cli/session.ts';
import { normaliseSeverity } from '../../protocol/severity.ts';
import type { Rule } from '../../protocol/rules.ts';
import { ServiceError } from '../../gateway/services/errors.ts';
import type { RuleWriteResult } from '../../gateway/services/rules.ts';

/** Flags that set rule fields (add and edit). */
export const RULE_FIELD_FLAGS = {
  match: 'string',
  'match-type': 'string',
  'trap-oid': 'string',
  severity: 'string',
  priority: 'number',
  handling: 'string',
  'prod-handling': 'string',
  'dev-handling': 'string',
  team: 'string',
  description: 'string',
  active: 'boolean',
  inactive: 'boolean',
} as const;
const CHANGE_FLAGS = { reason: 'string', as: 'string' } as const;

export const RULE_EDIT_SPECS = {
  add: { id: 'string', ...RULE_FIELD_FLAGS, ...CHANGE_FLAGS, json: 'boolean' },
  edit: { ...RULE_FIELD_FLAGS, ...CHANGE_FLAGS, revision: 'number', json: 'boolean' },
  disable: { ...CHANGE_FLAGS, revision: 'number', json: 'boolean' },
  enable: { ...CHANGE_FLAGS, revision: 'number', json: 'boolean' },
  rm: { ...CHANGE_FLAGS, revision: 'number', json: 'boolean' },
} as const;

/** Which flag sets which rule field: a refused field is reported by the flag the operator typed. */
const FLAG_OF: Record<string, string> = {
  id: '--id',
  match_string: '--match',
  match_type: '--match-type',
  trap_oid: '--trap-oid',
  syslog_severity: '--severity',
  priority: '--priority',
  prod_handling: '--prod-handling (or --handling)',
  dev_handling: '--dev-handling (or --handling)',
  team_assignment: '--team',
  description: '--description',
  is_active: '--active/--inactive',
};

type Flags = Record<string, string | number | boolean>;

/** The rule fields the flags give (only those given). */
export function ruleFields(flags: Flags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (flags.match !== undefined) out.match_string = flags.match;
  if (flags['match-type'] !== undefined) {
    const t = String(flags['match-type']);
    if (!['contains', 'regex', 'oid_prefix'].includes(t))
      throw new CliError(`--match-type must be contains, regex or oid_prefix (got '${t}')`);
    out.match_type = t;
  }
  if (flags['trap-oid'] !== undefined) out.trap_oid = flags['trap-oid'] === 'none' ? null : flags['trap-oid'];
  if (flags.severity !== undefined) {
    if (flags.severity === 'none' || flags.severity === 'any') out.syslog_severity = null;
    else {
      const sev = normaliseSeverity(flags.severity);
      if (sev === null)
        throw new CliError(`--severity must be 0-7, a name (error, warning, ...) or none (got '${String(flags.severity)}')`);
      out.syslog_severity = sev;
    }
  }
  if (flags.priority !== undefined) out.priority = flags.priority;
  if (flags.handling !== undefined) out.prod_handling = out.dev_handling = flags.handling;
  if (flags['prod-handling'] !== undefined) out.prod_handling = flags['prod-handling'];
  if (flags['dev-handling'] !== undefined) out.dev_handling = flags['dev-handling'];
  if (flags.team !== undefined) out.team_assignment = flags.team;
  if (flags.description !== undefined) out.description = flags.description;
  if (flags.active === true && flags.inactive === true) throw new CliError('--active and --inactive exclude each other');
  if (flags.active === true) out.is_active = true;
  if (flags.inactive === true) out.is_active = false;
  return out;
}

/** A rule as the CLI prints it in JSON: stored fields, times in ISO 8601, the revision. */
export function ruleJson(rule: Rule, revision: number | null): Record<string, unknown> {
  const { created_at, updated_at, ...rest } = rule;
  return { ...rest, created_at: created_at ? isoTime(created_at) : null, updated_at: updated_at ? isoTime(updated_at) : null, revision };
}

/** One line: what the rule matches and what it does. */
export function ruleSummary(r: Rule): string {
  const what =
    r.match_type === 'oid_prefix'
      ? `trap OID under ${r.trap_oid}`
      : `${r.match_type} '${r.match_string}'${r.trap_oid ? ` and trap OID under ${r.trap_oid}` : ''}`;
  const sev = r.syslog_severity === null ? '' : `, severity ${r.syslog_severity}`;
  return `${what}${sev}, priority ${r.priority}: prod ${r.prod_handling}, dev ${r.dev_handling}, team ${r.team_assignment}${r.is_active ? '' : ' (disabled)'}`;
}

/** A refused write as one line naming the flags. */
function refused(err: unknown): never {
  if (err instanceof ServiceError && err.reason === 'invalid') {
    const issues = (err.issues ?? []).map((i) => `${FLAG_OF[i.path] ?? (i.path || 'rule')}: ${i.message}`);
    throw new CliError(issues.length ? `rule refused: ${issues.join('; ')}` : err.message);
  }
  throw err;
}

function revisionFlag(flags: Flags): number | undefined {
  if (flags.revision === undefined) return undefined;
  const n = Number(flags.revision);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--revision must be a whole number from 1 (got '${String(flags.revision)}')`);
  return n;
}

const change = (flags: Flags, ifMatch?: number) => ({
  actor: actorName(flags.as),
  correlationId: `cli-${process.pid}-${Date.now()}`,
  reason: flags.reason as string | undefined,
  ifMatch,
});

function report(verb: string, r: RuleWriteResult, json: boolean): number {
  if (json) printJson({ ...ruleJson(r.rule, r.revision), warnings: r.warnings });
  else {
    console.log(`${verb} rule ${r.rule.id} (revision ${r.revision}): ${ruleSummary(r.rule)}`);
    for (const w of r.warnings) console.log(`warning: ${w}`);
  }
  return 0;
}

export function addRule(flags: Flags): Promise<number> {
  if (flags.id === undefined) throw new CliError('--id is required (1-64 letters, digits, _ or -)');
  const input: Record<string, unknown> = { id: flags.id, ...ruleFields(flags) };
  for (const [field, flag] of [
    ['team_assignment', '--team'],
    ['prod_handling', '--handling (or --prod-handling)'],
    ['dev_handling', '--handling (or --dev-handling)'],
  ] as const) {
    if (input[field] === undefined) throw new CliError(`${flag} is required`);
  }
  if (input.match_string === undefined && input.match_type !== 'oid_prefix')
    throw new CliError('--match is required (or --match-type oid_prefix with --trap-oid)');
  return withServices('rules', async ({ services }) => {
    const r = await services.rules.create(input, change(flags)).catch(refused);
    return report('created', r, flags.json === true);
  });
}

export function editRule(id: string, flags: Flags): Promise<number> {
  const fields = ruleFields(flags);
  if (Object.keys(fields).length === 0)
    throw new CliError(
      `nothing to change: give at least one of ${Object.keys(RULE_FIELD_FLAGS)
        .map((f) => `--${f}`)
        .join(', ')}`,
    );
  return withServices('rules', async ({ services }) => {
    const expected = revisionFlag(flags) ?? (await services.rules.get(id)).revision;
    const r = await services.rules.patch(id, fields, change(flags, expected)).catch(refused);
    return report('updated', r, flags.json === true);
  });
}

export function setRuleActive(id: string, active: boolean, flags: Flags): Promise<number> {
  return withServices('rules', async ({ services }) => {
    const current = await services.rules.get(id);
    const expected = revisionFlag(flags) ?? current.revision;
    if (current.rule.is_active === active && flags.revision === undefined) {
      if (flags.json === true) printJson({ ...ruleJson(current.rule, current.revision), warnings: [] });
      else console.log(`rule ${id} is already ${active ? 'enabled' : 'disabled'} (revision ${current.revision}); nothing changed`);
      return 0;
    }
    const r = await services.rules.setActive(id, active, change(flags, expected)).catch(refused);
    return report(active ? 'enabled' : 'disabled', r, flags.json === true);
  });
}

export function removeRule(id: string, flags: Flags): Promise<number> {
  return withServices('rules', async ({ services }) => {
    const current = await services.rules.get(id);
    const expected = revisionFlag(flags) ?? current.revision;
    const r = await services.rules.remove(id, change(flags, expected));
    if (flags.json === true) printJson(ruleJson(current.rule, r.revision));
    else console.log(`removed rule ${r.id} (was revision ${r.revision}): ${ruleSummary(current.rule)}`);
    return 0;
  });
}
