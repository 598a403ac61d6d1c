// CSV as PostgreSQL's `\copy (...) to 'f.csv' csv header` writes it and reads it back: comma-separated, fields
// with a comma, quote, CR/LF (or leading/trailing space) in double quotes with "" for a quote, NULL as an
// unquoted empty field and the empty string as "". Records may span lines inside quotes; each parsed record
// keeps the line it starts on, so errors can say "line 7".
// Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with = + - @ (or tab / CR
// before one of them) as a formula, so an export opened in Excel could run what a rule's author typed. toCsv
// writes such a text cell with a leading ' (OWASP's advice: spreadsheets show the text, run nothing), and
// parseCsv takes that ' off again, so export -> import gives back the same value. A text that itself starts with
// ' before one of those characters gets one more ', so every value round-trips. Numbers are never prefixed.
//   parseCsv('id,match_string\n1,"a,b"\n2,\n') -> [{ line: 1, cells: ['id','match_string'] }, { line: 2, cells: ['1','a,b'] }, { line: 3, cells: ['2', null] }]
//   toCsv(['id', 'x'], [[1, null], [2, '']]) === 'id,x\n1,\n2,""\n'
//   toCsv(['m'], [['=HYPERLINK("x")']]) === 'm\n"\'=HYPERLINK(""x"")"\n'

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  /** null for an unquoted empty field (SQL NULL). */
  cells: (string | null)[];
}

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

/** A text a spreadsheet would run as a formula, or one that already carries the escape (see the header). */
const FORMULA_START = /^'*[=+\-@\t\r]/;
const ESCAPED_FORMULA = /^'+[=+\-@\t\r]/;

export function escapeFormula(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

export function unescapeFormula(s: string): string {
  return ESCAPED_FORMULA.test(s) ? s.slice(1) : s;
}

export function parseCsv(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let line = 1;
  let i = 0;
  const n = src.length;
  while (i < n) {
    const start = line;
    const cells: (string | null)[] = [];
    for (;;) {
      if (src[i] === '"') {
        let value = '';
        i++;
        for (;;) {
          if (i >= n) throw new CsvError(start, 'a quoted field is not closed');
          const ch = src[i];
          if (ch === '"') {
            if (src[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n') line++;
          value += ch;
          i++;
        }
        if (i < n && src[i] !== ',' && src[i] !== '\n' && src[i] !== '\r')
          throw new CsvError(line, `unexpected '${src[i]}' after a closing quote`);
        cells.push(unescapeFormula(value));
      } else {
        let j = i;
        while (j < n && src[j] !== ',' && src[j] !== '\n' && src[j] !== '\r') j++;
        const raw = src.slice(i, j);
        if (raw.includes('"')) throw new CsvError(line, 'a quote inside an unquoted field (quote the whole field)');
        cells.push(raw === '' ? null : unescapeFormula(raw));
        i = j;
      }
      if (src[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (src[i] === '\r') i++;
    if (src[i] === '\n') {
      i++;
      line++;
    }
    // A blank line is no record (psql never writes one; editors often leave one at the end).
    if (!(cells.length === 1 && cells[0] === null)) out.push({ line: start, cells });
  }
  return out;
}

export type CsvValue = string | number | boolean | null | undefined;

function field(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'boolean' ? (v ? 't' : 'f') : typeof v === 'string' ? escapeFormula(v) : String(v);
  return s === '' || /[",\r\n]/.test(s) || s.trim() !== s ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Header plus rows; booleans as t / f like psql. */
export function toCsv(header: string[], rows: CsvValue[][]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
}
