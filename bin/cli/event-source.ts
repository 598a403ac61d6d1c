// The events `mutt send` sends: one from flags, every item of a file (a JSON array or object, or NDJSON — the
// v2.5 shapes the gateway accepts: hostname/timestamp/syslog_severity, trap_oid, variables), or a generated
// stream (host and message templates with {n}, the event's number, and {run}, this run's id). Items are plain
// JSON objects; the gateway (or, with --nats, the same normaliser) turns them into events.
//   const src = generated({ host: 'lab-{n}', hosts: 10, message: 'LINK-DOWN {n}', count: 1000 }); src.next()

import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { CliError } from '../cli-error.ts';
import { CommandFailed } from './session.ts';

export type Item = Record<string, unknown>;

export interface ItemSource {
  /** Total items, or null for an open-ended stream (--duration). */
  total: number | null;
  next(): Item | undefined;
}

export function fromList(items: Item[]): ItemSource {
  let i = 0;
  return { total: items.length, next: () => items[i++] };
}

/** Items of a .json (array or one object) or .ndjson / .jsonl file. Errors name --file and the line. */
export function readItemsFile(path: string): Item[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CommandFailed(`--file: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const ext = extname(path).toLowerCase();
  const ndjson = ext === '.ndjson' || ext === '.jsonl' || (ext !== '.json' && !/^\s*\[/.test(text) && text.trim().split('\n').length > 1);
  const check = (v: unknown, where: string): Item => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new CliError(`--file ${path}: ${where}: expected a JSON object (one event)`);
    return v as Item;
  };
  if (ndjson) {
    const out: Item[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        out.push(check(JSON.parse(line), `line ${i + 1}`));
      } catch (err) {
        if (err instanceof CliError) throw err;
        throw new CliError(`--file ${path}: line ${i + 1}: not valid JSON: ${(err as Error).message}`);
      }
    });
    return out;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new CliError(`--file ${path}: not valid JSON: ${(err as Error).message}`);
  }
  return Array.isArray(doc) ? doc.map((v, i) => check(v, `item ${i + 1}`)) : [check(doc, 'the document')];
}

export interface GeneratedOptions {
  run: string;
  host: string;
  /** Distinct hosts to cycle through ({n} in the host, else '-<k>' appended); 1 = the host as given. */
  hosts: number;
  message: string;
  severity?: string;
  trapOid?: string;
  kind?: string;
  /** null: until stopped (--duration). */
  count: number | null;
}

const fill = (template: string, n: number, run: string) => template.replace(/\{n\}/g, String(n)).replace(/\{run\}/g, run);

export function generated(o: GeneratedOptions): ItemSource {
  let n = 0;
  return {
    total: o.count,
    next() {
      if (o.count !== null && n >= o.count) return undefined;
      n++;
      const k = o.hosts > 1 ? (n - 1) % o.hosts : 0;
      const host = o.hosts > 1 ? (o.host.includes('{n}') ? o.host.replace(/\{n\}/g, String(k)) : `${o.host}-${k}`) : fill(o.host, n, o.run);
      const item: Item = { host, message: fill(o.message, n, o.run) };
      if (o.severity !== undefined) item.severity = o.severity;
      if (o.trapOid !== undefined) item.trap_oid = o.trapOid;
      if (o.kind !== undefined) item.kind = o.kind;
      return item;
    },
  };
}
