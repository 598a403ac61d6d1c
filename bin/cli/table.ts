// Plain-text tables for human output: a header row, columns padded to their widest cell (numbers right-aligned),
// long cells cut with '…' so a row stays on one line. No colours: output is pasted into tickets and runbooks.
//   console.log(renderTable(['SEQ', 'STAGE'], [[12, 'forwarder']], { maxWidth: { STAGE: 20 } }))

export type Cell = string | number | boolean | null | undefined;

export interface TableOptions {
  /** Widest a column may get, by header; the default keeps any cell under 60 characters. */
  maxWidth?: Record<string, number>;
  /** Text for an empty table (default '(none)'). */
  empty?: string;
  indent?: string;
  /** `--wide`: print every cell whole. */
  wide?: boolean;
}

function text(c: Cell): string {
  if (c === null || c === undefined) return '-';
  if (typeof c === 'boolean') return c ? 'yes' : 'no';
  return String(c).replace(/[\r\n\t]+/g, ' ');
}

function cut(s: string, width: number): string {
  return s.length <= width ? s : s.slice(0, Math.max(1, width - 1)) + '…';
}

export function renderTable(headers: string[], rows: Cell[][], opts: TableOptions = {}): string {
  const indent = opts.indent ?? '';
  if (rows.length === 0) return `${indent}${opts.empty ?? '(none)'}`;
  const numeric = headers.map((_, i) => rows.every((r) => typeof r[i] === 'number' || r[i] === null || r[i] === undefined));
  const cells = rows.map((r) => headers.map((h, i) => cut(text(r[i]), opts.wide ? Infinity : (opts.maxWidth?.[h] ?? 60))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (r: string[]) =>
    indent +
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}
