// Alert rules in KV mutt_rules (key = rule id, value = the canonical RuleInput output plus created/updated
// at/by). Every write is validated (schema + regex safety), made with compare-and-set so two concurrent edits
// never silently overwrite each other (If-Match revision, else read-merge-write retried on a conflict), and
// recorded in the config audit. Deleting never depends on audit history. Lists come from a watched mirror.
//   const rules = new RulesService(bucket, audit)
//   const { rule, revision } = await rules.create(body, { actor: 'ops', correlationId })
//   await rules.patch('r1', { priority: 5 }, { actor: 'ops', correlationId, ifMatch: revision })

import { randomBytes } from 'node:crypto';
import { RuleInput, type Rule } from '../../protocol/rules.ts';
import type { ConfigAuditService } from './audit-config.ts';
import type { Change } from './change.ts';
import { ServiceError } from './errors.ts';
import type { JsonBucket } from './json-bucket.ts';
import { validateRule, withoutServerFields } from './rule-validation.ts';

export interface RuleRecord {
  rule: Rule;
  revision: number;
}

export interface RuleWriteResult extends RuleRecord {
  warnings: string[];
}

export interface RuleFilter {
  active?: boolean;
  team?: string;
  match_type?: Rule['match_type'];
  /** Case-insensitive text searched in id, description, match_string, trap_oid and team. */
  q?: string;
}

/** A stored value that no longer validates (written around the API): shown, never silently dropped. */
export interface StoredRuleProblem {
  id: string;
  revision: number;
  error: string;
}

const CAS_ATTEMPTS = 5;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function sortRules(a: Rule, b: Rule): number {
  return a.priority - b.priority || a.id.localeCompare(b.id);
}

export class RulesService {
  constructor(
    private readonly bucket: JsonBucket,
    private readonly audit: ConfigAuditService,
    private readonly opts: { regexTimeoutMs?: number } = {},
  ) {}

  /** Every valid stored rule, by priority then id, and the stored values that failed validation. */
  all(): { rules: RuleRecord[]; problems: StoredRuleProblem[] } {
    const rules: RuleRecord[] = [];
    const problems: StoredRuleProblem[] = [];
    for (const r of this.bucket.list()) {
      const parsed = RuleInput.safeParse(r.value);
      if (parsed.success && parsed.data.id === r.key) rules.push({ rule: parsed.data, revision: r.revision });
      else
        problems.push({
          id: r.key,
          revision: r.revision,
          error: parsed.success
            ? `stored under '${r.key}' but its id is '${parsed.data.id}'`
            : parsed.error.issues.map((i) => `${i.path.join('.') || '(rule)'}: ${i.message}`).join('; '),
        });
    }
    rules.sort((a, b) => sortRules(a.rule, b.rule));
    return { rules, problems };
  }

  list(f: RuleFilter = {}): RuleRecord[] {
    const q = f.q?.toLowerCase();
    return this.all().rules.filter(({ rule }) => {
      if (f.active !== undefined && rule.is_active !== f.active) return false;
      if (f.team !== undefined && rule.team_assignment.toLowerCase() !== f.team.toLowerCase()) return false;
      if (f.match_type !== undefined && rule.match_type !== f.match_type) return false;
      if (q !== undefined) {
        const text = [rule.id, rule.description, rule.match_string ?? '', rule.trap_oid ?? '', rule.team_assignment]
          .join('\n')
          .toLowerCase();
        if (!text.includes(q)) return false;
      }
      return true;
    });
  }

  async get(id: string): Promise<RuleRecord> {
    const r = await this.bucket.get(id);
    if (!r) throw new ServiceError('not_found', `rule '${id}' not found`);
    const parsed = RuleInput.safeParse(r.value);
    if (!parsed.success)
      throw new ServiceError(
        'invalid',
        `stored rule '${id}' is invalid; replace it (PUT) to repair`,
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      );
    return { rule: parsed.data, revision: r.revision };
  }

  /** Creates a rule; a missing id is generated. 'exists' when the id is taken. */
  async create(input: unknown, change: Change): Promise<RuleWriteResult> {
    if (!isObject(input)) throw new ServiceError('invalid', 'a rule must be a JSON object', [{ path: '', message: 'expected an object' }]);
    const body = withoutServerFields(input);
    if (body.id === undefined || body.id === null || body.id === '') body.id = `rule-${randomBytes(4).toString('hex')}`;
    const { rule, warnings } = await validateRule(body, this.opts);
    const now = Date.now();
    const stored: Rule = { ...rule, created_at: now, created_by: change.actor, updated_at: now, updated_by: change.actor };
    let revision: number;
    try {
      revision = await this.bucket.create(rule.id, stored);
    } catch (err) {
      if (err instanceof ServiceError && err.reason === 'exists') throw new ServiceError('exists', `rule '${rule.id}' already exists`);
      throw err;
    }
    await this.audit.write({
      kind: 'rule',
      id: rule.id,
      operation: 'create',
      actor: change.actor,
      newValue: stored,
      reason: change.reason,
      correlationId: change.correlationId,
    });
    await this.bucket.settled(revision);
    return { rule: stored, revision, warnings };
  }

  /** PUT: the body is the whole rule (omitted fields take their defaults); created_* are kept. */
  async replace(id: string, input: unknown, change: Change): Promise<RuleWriteResult> {
    if (!isObject(input)) throw new ServiceError('invalid', 'a rule must be a JSON object', [{ path: '', message: 'expected an object' }]);
    const body = withoutServerFields(input);
    // Not String(body.id): a deeply nested array would overflow the stack (a 500), a shallow one reads as its elements.
    const given =
      typeof body.id === 'string'
        ? `'${body.id.slice(0, 100)}'`
        : `of type ${body.id === null ? 'null' : Array.isArray(body.id) ? 'array' : typeof body.id}`;
    if (body.id !== undefined && body.id !== id)
      throw new ServiceError('invalid', `body id ${given} differs from the path id '${id}'`, [
        { path: 'id', message: `must be '${id}' (or omitted)` },
      ]);
    return this.write(id, change, () => ({ ...body, id }));
  }

  /** PATCH: the given fields change, the rest stays. */
  async patch(id: string, input: unknown, change: Change): Promise<RuleWriteResult> {
    if (!isObject(input))
      throw new ServiceError('invalid', 'a rule patch must be a JSON object', [{ path: '', message: 'expected an object' }]);
    const body = withoutServerFields(input);
    if (Object.keys(body).length === 0)
      throw new ServiceError('invalid', 'no fields to update', [{ path: '', message: 'give at least one rule field' }]);
    if (body.id !== undefined && body.id !== id)
      throw new ServiceError('invalid', `the id of a rule cannot change ('${id}')`, [
        { path: 'id', message: `must be '${id}' (or omitted)` },
      ]);
    return this.write(id, change, (current) => ({ ...withoutServerFields(current), ...body, id }));
  }

  setActive(id: string, active: boolean, change: Change): Promise<RuleWriteResult> {
    return this.write(id, change, (current) => ({ ...withoutServerFields(current), is_active: active }));
  }

  // Read, build, validate, compare-and-set; without If-Match a lost race is retried on the new value.
  private async write(id: string, change: Change, build: (current: Rule) => unknown): Promise<RuleWriteResult> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(id);
      if (change.ifMatch !== undefined && change.ifMatch !== current.revision) {
        throw new ServiceError(
          'revision_mismatch',
          `rule '${id}' changed: expected revision ${change.ifMatch}, current is ${current.revision}`,
          undefined,
          { expected: change.ifMatch, current: current.revision },
        );
      }
      const { rule, warnings } = await validateRule(build(current.rule), this.opts);
      const stored: Rule = {
        ...rule,
        created_at: current.rule.created_at,
        created_by: current.rule.created_by,
        updated_at: Date.now(),
        updated_by: change.actor,
      };
      let revision: number;
      try {
        revision = await this.bucket.update(id, stored, current.revision);
      } catch (err) {
        const retry =
          err instanceof ServiceError && err.reason === 'revision_mismatch' && change.ifMatch === undefined && attempt < CAS_ATTEMPTS;
        if (retry) continue;
        throw err;
      }
      await this.audit.write({
        kind: 'rule',
        id,
        operation: 'update',
        actor: change.actor,
        oldValue: current.rule,
        newValue: stored,
        reason: change.reason,
        correlationId: change.correlationId,
      });
      await this.bucket.settled(revision);
      return { rule: stored, revision, warnings };
    }
  }

  /** Deletes the rule (its audit history stays, and never blocks this). */
  async remove(id: string, change: Change): Promise<{ id: string; revision: number }> {
    const current = await this.bucket.get(id);
    if (!current) throw new ServiceError('not_found', `rule '${id}' not found`);
    const expected = change.ifMatch ?? current.revision;
    await this.bucket.remove(id, expected);
    await this.audit.write({
      kind: 'rule',
      id,
      operation: 'delete',
      actor: change.actor,
      oldValue: current.value,
      reason: change.reason,
      correlationId: change.correlationId,
    });
    return { id, revision: current.revision };
  }
}
