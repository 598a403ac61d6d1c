// MUTT v2.5's PostgreSQL tables as exported with `psql \copy (select * from <table>) to 'f.csv' csv header` (or
// as a JSON array of rows, e.g. `select json_agg(t) from <table> t`), and MUTT's KV records written back in the
// same shape: which table a header belongs to, a row as the input of RuleInput / DevHost / DeviceTeam, and a
// stored record as a row. Pure: no I/O.
//   detectTable(['id', 'match_string', ...]) === 'alert_rules'
//   ruleToRow(rule) -> { id: 12, match_string: 'LINK-DOWN', ..., prod_handling: 'Page_and_ticket', is_active: true }

import type { Rule, DevHost, DeviceTeam } from '../../protocol/rules.ts';

export const TABLE_NAMES = ['alert_rules', 'development_hosts', 'device_teams'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

/** v2.5's columns in its order, then MUTT's optional extras (written only when some record uses them). */
export const COLUMNS: Record<TableName, { v25: readonly string[]; extra: readonly string[]; required: readonly string[] }> = {
  alert_rules: {
    v25: [
      'id',
      'match_string',
      'trap_oid',
      'syslog_severity',
      'match_type',
      'priority',
      'prod_handling',
      'dev_handling',
      'team_assignment',
      'is_active',
    ],
    extra: ['description'],
    required: ['id'],
  },
  development_hosts: { v25: ['hostname'], extra: ['note'], required: ['hostname'] },
  device_teams: { v25: ['hostname', 'team_assignment'], extra: [], required: ['hostname', 'team_assignment'] },
};

export function isTableName(s: string): s is TableName {
  return (TABLE_NAMES as readonly string[]).includes(s);
}

/** The table a set of column names (a CSV header, the keys of JSON rows) comes from, or null. */
export function detectTable(columns: readonly string[]): TableName | null {
  const has = (c: string) => columns.includes(c);
  if (['match_string', 'match_type', 'prod_handling', 'dev_handling', 'trap_oid'].some(has)) return 'alert_rules';
  if (has('hostname') && has('team_assignment')) return 'device_teams';
  if (has('hostname')) return 'development_hosts';
  return null;
}

export function unknownColumns(table: TableName, columns: readonly string[]): string[] {
  const known = new Set([...COLUMNS[table].v25, ...COLUMNS[table].extra]);
  return columns.filter((c) => !known.has(c));
}

export function missingColumns(table: TableName, columns: readonly string[]): string[] {
  return COLUMNS[table].required.filter((c) => !columns.includes(c));
}

/**
 * A row (CSV cells or JSON values; SQL NULL as null) as the fields the table's MUTT schema takes: only
 * columns the row has (absent ones keep the stored value on update), NULL in a NOT NULL column with a
 * default left out, id as text.
 */
export function rowToInput(table: TableName, row: Record<string, unknown>): Record<string, unknown> {
  const known = new Set([...COLUMNS[table].v25, ...COLUMNS[table].extra]);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (!known.has(k)) continue;
    if (v === null && ['match_type', 'priority', 'is_active', 'description', 'note'].includes(k)) continue;
    out[k] = k === 'id' && typeof v === 'number' ? String(v) : v;
  }
  return out;
}

const V25_HANDLING: Record<Rule['prod_handling'], string> = {
  page_and_ticket: 'Page_and_ticket',
  page_only: 'Page_only',
  ticket_only: 'Ticket_only',
  ignore: 'Ignore',
};

export type Row = Record<string, string | number | boolean | null>;

export function ruleToRow(r: Rule): Row {
  return {
    id: /^\d{1,15}$/.test(r.id) ? Number(r.id) : r.id,
    match_string: r.match_string,
    trap_oid: r.trap_oid,
    syslog_severity: r.syslog_severity,
    match_type: r.match_type,
    priority: r.priority,
    prod_handling: V25_HANDLING[r.prod_handling],
    dev_handling: V25_HANDLING[r.dev_handling],
    team_assignment: r.team_assignment,
    is_active: r.is_active,
    description: r.description,
  };
}

export function devHostToRow(h: DevHost): Row {
  return { hostname: h.hostname, note: h.note };
}

export function teamToRow(t: DeviceTeam): Row {
  return { hostname: t.hostname, team_assignment: t.team_assignment };
}

/** The columns to write: v2.5's, plus each extra column that some row fills. */
export function exportColumns(table: TableName, rows: Row[]): string[] {
  const extras = COLUMNS[table].extra.filter((c) => rows.some((r) => r[c] !== null && r[c] !== undefined && r[c] !== ''));
  return [...COLUMNS[table].v25, ...extras];
}
