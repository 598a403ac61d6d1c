// Importing v2.5 tables into MUTT: every row is validated the way the management services validate a write
// (rules: RuleInput + regex safety; hosts: DevHost / DeviceTeam), rejected rows are reported with their line
// and reason, and the rest is compared with what is stored: create / update (with the changed fields) /
// unchanged per id. Without dry-run the changes are written through the services (compare-and-set, audited as
// the operator). Columns a file lacks keep their stored values (a v2.5 export has no rule description).
//   const plan = await planImport(services, table); printPlan(plan); if (!dryRun) await applyImport(services, plan, change)

import { DevHost, DeviceTeam, hostKey, type Rule } from '../../protocol/rules.ts';
import type { Change } from '../../gateway/services/change.ts';
import { ServiceError } from '../../gateway/services/errors.ts';
import type { ManagementServices } from '../../gateway/services/index.ts';
import { validateRule, withoutServerFields } from '../../gateway/services/rule-validation.ts';
import type { SourceTable } from './table-file.ts';
import { rowToInput, type TableName } from './v25-tables.ts';
import { ProgressLine } from './progress.ts';

export type Action = 'create' | 'update' | 'unchanged';

/** Host imports this long show a progress line on stderr while they write (200,000 take about a minute). */
const PROGRESS_FROM = 10_000;

export interface Rejected {
  where: string;
  id: string | null;
  reason: string;
}

export interface Planned {
  where: string;
  id: string;
  action: Action;
  /** For updates: 'field: old -> new'. */
  changes: string[];
  value: Record<string, unknown>;
  /** Revision the plan was made against (updates are compare-and-set on it). */
  revision?: number;
}

export interface ImportPlan {
  table: TableName;
  rows: number;
  rejected: Rejected[];
  planned: Planned[];
  warnings: string[];
}

export interface ImportOutcome {
  created: string[];
  updated: string[];
  unchanged: number;
  failed: Rejected[];
}

const RULE_FIELDS = [
  'id',
  'match_type',
  'match_string',
  'trap_oid',
  'syslog_severity',
  'priority',
  'prod_handling',
  'dev_handling',
  'team_assignment',
  'is_active',
  'description',
] as const;

const show = (v: unknown) => (v === null || v === undefined ? 'NULL' : typeof v === 'string' ? JSON.stringify(v) : String(v));

function diff(fields: readonly string[], before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return fields
    .filter((f) => JSON.stringify(before[f] ?? null) !== JSON.stringify(after[f] ?? null))
    .map((f) => `${f}: ${show(before[f])} -> ${show(after[f])}`);
}

function reasonOf(err: unknown): string {
  if (err instanceof ServiceError)
    return err.issues?.length ? err.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ') : err.message;
  return err instanceof Error ? err.message : String(err);
}

function zodReason(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.map(String).join('.') || '(row)'}: ${i.message}`).join('; ');
}

async function planRules(services: ManagementServices, src: SourceTable): Promise<ImportPlan> {
  const plan: ImportPlan = { table: src.table, rows: src.rows.length, rejected: [], planned: [], warnings: [...src.warnings] };
  const { rules, problems } = services.rules.all();
  const stored = new Map(rules.map((r) => [r.rule.id, r]));
  const broken = new Map(problems.map((p) => [p.id, p.error]));
  const seen = new Map<string, string>();
  for (const row of src.rows) {
    const rawId = row.values.id;
    const id = rawId === null || rawId === undefined ? null : String(rawId);
    if (row.error) {
      plan.rejected.push({ where: row.where, id, reason: row.error });
      continue;
    }
    if (id === null || id === '') {
      plan.rejected.push({ where: row.where, id: null, reason: 'id: required (the v2.5 rule id keeps the import repeatable)' });
      continue;
    }
    if (seen.has(id)) {
      plan.rejected.push({ where: row.where, id, reason: `duplicate id (first on ${seen.get(id)})` });
      continue;
    }
    seen.set(id, row.where);
    if (broken.has(id)) {
      plan.rejected.push({
        where: row.where,
        id,
        reason: `the stored rule '${id}' is invalid (${broken.get(id)}): remove it first (mutt rules rm ${id})`,
      });
      continue;
    }
    const current = stored.get(id);
    const input = { ...(current ? withoutServerFields(current.rule) : {}), ...rowToInput('alert_rules', row.values) };
    let rule: Rule;
    try {
      ({ rule } = await validateRule(input));
    } catch (err) {
      plan.rejected.push({ where: row.where, id, reason: reasonOf(err) });
      continue;
    }
    const value = Object.fromEntries(RULE_FIELDS.map((f) => [f, rule[f]]));
    if (!current) {
      plan.planned.push({ where: row.where, id, action: 'create', changes: [], value });
      continue;
    }
    const changes = diff(RULE_FIELDS, current.rule as Record<string, unknown>, value);
    plan.planned.push({
      where: row.where,
      id,
      action: changes.length ? 'update' : 'unchanged',
      changes,
      value,
      revision: current.revision,
    });
  }
  return plan;
}

function planHosts(services: ManagementServices, src: SourceTable): ImportPlan {
  const kind = src.table === 'device_teams' ? 'team' : 'dev';
  const schema = kind === 'team' ? DeviceTeam : DevHost;
  const fields = kind === 'team' ? ['hostname', 'team_assignment'] : ['hostname', 'note'];
  const plan: ImportPlan = { table: src.table, rows: src.rows.length, rejected: [], planned: [], warnings: [...src.warnings] };
  const service = kind === 'team' ? services.teams : services.devHosts;
  const stored = new Map(service.list().map((r) => [hostKey(kind, r.value.hostname), r]));
  const seen = new Map<string, string>();
  for (const row of src.rows) {
    const host = typeof row.values.hostname === 'string' ? row.values.hostname.trim() : null;
    if (row.error) {
      plan.rejected.push({ where: row.where, id: host, reason: row.error });
      continue;
    }
    const key = host ? hostKey(kind, host) : null;
    if (key && seen.has(key)) {
      plan.rejected.push({ where: row.where, id: host, reason: `duplicate host name (first on ${seen.get(key)})` });
      continue;
    }
    const current = key ? stored.get(key) : undefined;
    const parsed = schema.safeParse({ ...(current ? { ...current.value, hostname: host } : {}), ...rowToInput(src.table, row.values) });
    if (!parsed.success || !key || !host) {
      plan.rejected.push({ where: row.where, id: host, reason: parsed.success ? 'hostname: required' : zodReason(parsed.error.issues) });
      continue;
    }
    seen.set(key, row.where);
    const value = Object.fromEntries(fields.map((f) => [f, (parsed.data as Record<string, unknown>)[f]]));
    if (!current) {
      plan.planned.push({ where: row.where, id: host, action: 'create', changes: [], value });
      continue;
    }
    const changes = diff(fields, current.value as Record<string, unknown>, value);
    plan.planned.push({
      where: row.where,
      id: host,
      action: changes.length ? 'update' : 'unchanged',
      changes,
      value,
      revision: current.revision,
    });
  }
  return plan;
}

export async function planImport(services: ManagementServices, src: SourceTable): Promise<ImportPlan> {
  return src.table === 'alert_rules' ? planRules(services, src) : planHosts(services, src);
}

/** Writes the plan's creates and updates; a write that fails (e.g. someone changed the rule meanwhile) is reported, the rest goes on. */
export async function applyImport(services: ManagementServices, plan: ImportPlan, change: (p?: Planned) => Change): Promise<ImportOutcome> {
  const out: ImportOutcome = {
    created: [],
    updated: [],
    unchanged: plan.planned.filter((p) => p.action === 'unchanged').length,
    failed: [],
  };
  const todo = plan.planned.filter((p) => p.action !== 'unchanged');
  if (plan.table === 'alert_rules') {
    for (const p of todo) {
      try {
        if (p.action === 'create') {
          await services.rules.create(p.value, change(p));
          out.created.push(p.id);
        } else {
          await services.rules.replace(p.id, p.value, { ...change(p), ifMatch: p.revision });
          out.updated.push(p.id);
        }
      } catch (err) {
        out.failed.push({ where: p.where, id: p.id, reason: reasonOf(err) });
      }
    }
    return out;
  }
  if (todo.length === 0) return out;
  const service = plan.table === 'device_teams' ? services.teams : services.devHosts;
  let written = 0;
  const started = Date.now();
  const progress =
    todo.length >= PROGRESS_FROM
      ? new ProgressLine(() => {
          const perSecond = Math.round(written / Math.max(0.001, (Date.now() - started) / 1000));
          return `${plan.table}: ${written.toLocaleString('en-US')} of ${todo.length.toLocaleString('en-US')} written (${perSecond.toLocaleString('en-US')}/s)`;
        }).start()
      : null;
  try {
    const r = await service.import(
      { items: todo.map((p) => p.value), where: todo.map((p) => p.where), issues: [] },
      'merge',
      change(),
      (n) => (written = n),
    );
    out.created = out.created.concat(r.created); // not push(...): 200,000 arguments overflow the stack
    out.updated = out.updated.concat(r.updated);
    out.unchanged += r.unchanged;
  } catch (err) {
    for (const p of todo) out.failed.push({ where: p.where, id: p.id, reason: reasonOf(err) });
  } finally {
    progress?.done();
  }
  return out;
}
