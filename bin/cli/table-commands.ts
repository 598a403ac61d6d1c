// `mutt rules import|export` and `mutt hosts import|export` share this: import reads one file (CSV or JSON of
// v2.5's alert_rules, development_hosts, device_teams — or several tables in one JSON object), plans each table
// (rejected rows with line and reason; create / update / unchanged per id), prints the plan and, unless
// --dry-run, writes it. Export writes the same formats back, so export -> import changes nothing.
//   return importTables('rules', flags, positionals)

import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CliError } from '../cli-error.ts';
import type { ManagementServices } from '../../gateway/services/index.ts';
import { toCsv } from './csv.ts';
import { printJson } from './format.ts';
import { actorName } from './identity.ts';
import { CommandFailed, withServices } from './session.ts';
import { readTables, formatOf } from './table-file.ts';
import { applyImport, planImport, type ImportOutcome, type ImportPlan } from './table-import.ts';
import { devHostToRow, exportColumns, isTableName, ruleToRow, teamToRow, TABLE_NAMES, type Row, type TableName } from './v25-tables.ts';

export const IMPORT_FLAGS = {
  table: 'string',
  format: 'string',
  'dry-run': 'boolean',
  reason: 'string',
  as: 'string',
  json: 'boolean',
} as const;
export const EXPORT_FLAGS = { table: 'string', format: 'string', out: 'string' } as const;

/** Prints a plan (and what was written): one line per create, update, rejection and failure. The lines are
 *  written in blocks, not one console.log each: a 200,000-row import spent seconds in console.log alone. */
function printPlan(file: string, plan: ImportPlan, outcome: ImportOutcome | null): void {
  const out = blockWriter();
  const n = (a: string) => plan.planned.filter((p) => p.action === a).length;
  out(
    `${plan.table} from ${file}: ${plan.rows} row(s): ${n('create')} to create, ${n('update')} to update, ${n('unchanged')} unchanged, ${plan.rejected.length} rejected`,
  );
  for (const w of plan.warnings) out(`  warning: ${w}`);
  for (const r of plan.rejected) out(`  ${r.where}${r.id ? ` (${r.id})` : ''}: REJECTED ${r.reason}`);
  for (const p of plan.planned) {
    if (p.action === 'create') out(`  ${p.where}: create ${p.id}`);
    else if (p.action === 'update') out(`  ${p.where}: update ${p.id}: ${p.changes.join('; ')}`);
  }
  const same = plan.planned.filter((p) => p.action === 'unchanged').map((p) => p.id);
  if (same.length) out(`  unchanged: ${same.slice(0, 20).join(', ')}${same.length > 20 ? `, … (${same.length} in all)` : ''}`);
  if (outcome) {
    out(`  written: ${outcome.created.length} created, ${outcome.updated.length} updated, ${outcome.unchanged} unchanged`);
    for (const f of outcome.failed) out(`  ${f.where} (${f.id}): FAILED ${f.reason}`);
  }
  out.flush();
}

function blockWriter(): ((line: string) => void) & { flush(): void } {
  let lines: string[] = [];
  const flush = () => {
    if (lines.length) process.stdout.write(lines.join('\n') + '\n');
    lines = [];
  };
  return Object.assign(
    (line: string) => {
      lines.push(line);
      if (lines.length >= 2000) flush();
    },
    { flush },
  );
}

export async function importTables(
  cmd: string,
  flags: Record<string, string | number | boolean>,
  file: string,
  only?: readonly TableName[],
): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CommandFailed(`<file>: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const tables = readTables(text, {
    name: basename(file),
    format: flags.format as string | undefined,
    table: flags.table as string | undefined,
  });
  const wrong = only ? tables.filter((t) => !only.includes(t.table)) : [];
  if (wrong.length)
    throw new CliError(
      `${basename(file)} holds ${wrong.map((t) => t.table).join(', ')}: use mutt ${wrong[0].table === 'alert_rules' ? 'rules' : 'hosts'} import (or --table)`,
    );
  const actor = actorName(flags.as);
  const dryRun = flags['dry-run'] === true;
  return withServices(cmd, async ({ services }) => {
    const results: { plan: ImportPlan; outcome: ImportOutcome | null }[] = [];
    for (const t of tables) {
      const plan = await planImport(services, t);
      const correlationId = `cli-import-${process.pid}-${Date.now()}`;
      const reason = (flags.reason as string | undefined) ?? `import of ${basename(file)}`;
      const outcome = dryRun
        ? null
        : await applyImport(services, plan, (p) => ({ actor, correlationId, reason: p ? `${reason} (${p.where})` : reason }));
      results.push({ plan, outcome });
    }
    if (flags.json === true) printJson({ file, dry_run: dryRun, tables: results });
    else {
      for (const r of results) printPlan(basename(file), r.plan, r.outcome);
      if (dryRun) console.log('dry run: nothing was written');
    }
    const bad = results.some((r) => r.plan.rejected.length > 0 || (r.outcome?.failed.length ?? 0) > 0);
    return bad ? 1 : 0;
  });
}

export function tableRows(services: ManagementServices, table: TableName): Row[] {
  if (table === 'alert_rules') {
    const byId = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
    return services.rules
      .all()
      .rules.map((r) => r.rule)
      .sort((a, b) => byId(a.id, b.id))
      .map(ruleToRow);
  }
  if (table === 'development_hosts') return services.devHosts.list().map((r) => devHostToRow(r.value));
  return services.teams.list().map((r) => teamToRow(r.value));
}

function project(rows: Row[], columns: string[]): Row[] {
  return rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null])));
}

export async function exportTables(cmd: string, flags: Record<string, string | number | boolean>, fallback: TableName): Promise<number> {
  const out = flags.out as string | undefined;
  const format = formatOf(out ?? '', '', (flags.format as string | undefined) ?? (out ? undefined : 'csv'));
  const table = (flags.table as string | undefined) ?? fallback;
  if (table !== 'all' && !isTableName(table))
    throw new CliError(`--table must be one of ${TABLE_NAMES.join(', ')} or all (got '${table}')`);
  if (table === 'all' && format === 'csv') throw new CliError('--table all needs --format json (a CSV file holds one table)');
  return withServices(cmd, async ({ services }) => {
    let text: string;
    let count = 0;
    if (table === 'all') {
      const doc: Record<string, Row[]> = {};
      for (const t of TABLE_NAMES) {
        const rows = tableRows(services, t);
        doc[t] = project(rows, exportColumns(t, rows));
        count += rows.length;
      }
      text = JSON.stringify(doc, null, 2) + '\n';
    } else {
      const rows = tableRows(services, table);
      const columns = exportColumns(table, rows);
      count = rows.length;
      text =
        format === 'csv'
          ? toCsv(
              columns,
              rows.map((r) => columns.map((c) => r[c] ?? null)),
            )
          : JSON.stringify(project(rows, columns), null, 2) + '\n';
    }
    if (out) {
      writeFileSync(out, text);
      console.error(`wrote ${count} row(s) of ${table} to ${out} (${format})`);
    } else process.stdout.write(text);
    return 0;
  });
}
