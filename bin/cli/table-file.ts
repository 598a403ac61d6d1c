// Reads an export of v2.5's tables (or MUTT's own `mutt rules export`) into rows with their position in the
// file: CSV as psql writes it (header line names the columns, so the table is detected from it), or JSON — an
// array of row objects (json_agg), an array of host names, an object keyed by table name holding such arrays,
// or the {rules: [...]} body of GET /api/v2/rules. `--table` overrides detection. Row positions are "line N"
// for CSV and for JSON (the line where the element starts), so a rejected row can be found in an editor.
//   readTables(text, { name: 'rules.csv' }) -> [{ table: 'alert_rules', columns, rows: [{ where: 'line 2', values }] }]

import { extname } from 'node:path';
import { CliError } from '../cli-error.ts';
import { CsvError, parseCsv } from './csv.ts';
import { detectTable, isTableName, missingColumns, TABLE_NAMES, unknownColumns, type TableName } from './v25-tables.ts';

export interface SourceRow {
  /** 'line 7' (or 'item 3' when no line is known). */
  where: string;
  values: Record<string, unknown>;
  /** The row cannot be read at all (e.g. wrong number of CSV fields). */
  error?: string;
}

export interface SourceTable {
  table: TableName;
  columns: string[];
  rows: SourceRow[];
  warnings: string[];
}

export type FileFormat = 'csv' | 'json';

export function formatOf(name: string, text: string, given?: string): FileFormat {
  if (given !== undefined) {
    if (given !== 'csv' && given !== 'json') throw new CliError(`--format must be csv or json (got '${given}')`);
    return given;
  }
  const ext = extname(name).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return 'json';
  return /^\s*[[{]/.test(text) ? 'json' : 'csv';
}

function checkColumns(name: string, table: TableName, columns: string[], detected: boolean): string[] {
  const missing = missingColumns(table, columns);
  if (missing.length) {
    throw new CliError(
      `${name}: table ${table}${detected ? ' (detected from the columns)' : ''} needs column(s) ${missing.join(', ')}; found ${columns.join(', ') || 'none'}`,
    );
  }
  const unknown = unknownColumns(table, columns);
  return unknown.length ? [`ignoring column(s) ${table} does not have: ${unknown.join(', ')}`] : [];
}

function pickTable(name: string, columns: string[], forced: TableName | undefined): { table: TableName; detected: boolean } {
  if (forced) return { table: forced, detected: false };
  const table = detectTable(columns);
  if (!table)
    throw new CliError(
      `${name}: cannot tell which table the columns (${columns.join(', ') || 'none'}) belong to; give --table ${TABLE_NAMES.join('|')}`,
    );
  return { table, detected: true };
}

function readCsv(name: string, text: string, forced?: TableName): SourceTable[] {
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvError) throw new CliError(`${name}: ${err.message}`);
    throw err;
  }
  if (records.length === 0) throw new CliError(`${name}: empty file (expected a header line naming the columns)`);
  const [header, ...body] = records;
  if (header.cells.some((c) => c === null)) throw new CliError(`${name}: line ${header.line}: the header has an empty column name`);
  const columns = (header.cells as string[]).map((c) => c.trim());
  const { table, detected } = pickTable(name, columns, forced);
  const warnings = checkColumns(name, table, columns, detected);
  const rows = body.map((r): SourceRow => {
    const where = `line ${r.line}`;
    if (r.cells.length !== columns.length)
      return { where, values: {}, error: `expected ${columns.length} fields (${columns.join(',')}), found ${r.cells.length}` };
    return { where, values: Object.fromEntries(columns.map((c, i) => [c, r.cells[i]])) };
  });
  return [{ table, columns, rows, warnings }];
}

/** Start line of each element of the arrays at the top (the root array, or arrays that are values of the root object), by array in document order. */
export function arrayElementLines(text: string): number[][] {
  const arrays: number[][] = [];
  const stack: { kind: 'array' | 'object'; ordinal: number }[] = [];
  let line = 1;
  let expectingElement = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') {
      line++;
      continue;
    }
    if (/\s/.test(ch)) continue;
    const top = stack[stack.length - 1];
    if (expectingElement && ch !== ']' && top?.kind === 'array' && top.ordinal >= 0) arrays[top.ordinal].push(line);
    expectingElement = false;
    if (ch === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '\n') line++;
      }
    } else if (ch === '[') {
      const ordinal = stack.length <= 1 ? arrays.push([]) - 1 : -1;
      stack.push({ kind: 'array', ordinal });
      expectingElement = true;
    } else if (ch === '{') stack.push({ kind: 'object', ordinal: -1 });
    else if (ch === ']' || ch === '}') stack.pop();
    else if (ch === ',' && top?.kind === 'array') expectingElement = true;
  }
  return arrays;
}

function jsonRows(name: string, list: unknown[], lines: number[] | undefined, forced: TableName | undefined): SourceTable {
  const keys = new Set<string>();
  for (const item of list) if (item && typeof item === 'object' && !Array.isArray(item)) for (const k of Object.keys(item)) keys.add(k);
  const allStrings = list.length > 0 && list.every((x) => typeof x === 'string');
  const columns = allStrings ? ['hostname'] : [...keys];
  const { table, detected } =
    allStrings && !forced ? { table: 'development_hosts' as TableName, detected: true } : pickTable(name, columns, forced);
  const warnings = list.length ? checkColumns(name, table, allStrings ? ['hostname'] : columns, detected) : [];
  const rows = list.map((item, i): SourceRow => {
    const where = lines?.[i] !== undefined ? `line ${lines[i]}` : `item ${i + 1}`;
    if (typeof item === 'string') return { where, values: { hostname: item } };
    if (!item || typeof item !== 'object' || Array.isArray(item)) return { where, values: {}, error: 'expected an object (one row)' };
    return { where, values: item as Record<string, unknown> };
  });
  return { table, columns, rows, warnings };
}

function readJson(name: string, text: string, forced?: TableName): SourceTable[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${name}: not valid JSON: ${(err as Error).message}`);
  }
  const lines = arrayElementLines(text);
  if (Array.isArray(doc)) return [jsonRows(name, doc, lines[0], forced)];
  if (doc && typeof doc === 'object') {
    const obj = doc as Record<string, unknown>;
    const out: SourceTable[] = [];
    let ordinal = 0;
    for (const [k, v] of Object.entries(obj)) {
      if (!Array.isArray(v)) continue;
      const arrayLines = lines[ordinal++];
      const table = isTableName(k)
        ? k
        : k === 'rules'
          ? 'alert_rules'
          : k === 'hosts'
            ? 'development_hosts'
            : k === 'teams'
              ? 'device_teams'
              : null;
      if (!table) continue;
      if (forced && forced !== table) continue;
      out.push(jsonRows(`${name} (${k})`, v, arrayLines, table));
    }
    if (out.length) return out;
  }
  throw new CliError(`${name}: expected a JSON array of rows, or an object with ${TABLE_NAMES.join(' / ')} arrays`);
}

export function readTables(text: string, opts: { name: string; format?: string; table?: string }): SourceTable[] {
  if (opts.table !== undefined && !isTableName(opts.table))
    throw new CliError(`--table must be one of ${TABLE_NAMES.join(', ')} (got '${opts.table}')`);
  const forced = opts.table as TableName | undefined;
  return formatOf(opts.name, text, opts.format) === 'csv' ? readCsv(opts.name, text, forced) : readJson(opts.name, text, forced);
}
