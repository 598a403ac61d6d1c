// Bulk host lists as operators have them: a JSON array (of host names, of objects, or the `{hosts}` / `{teams}`
// body a GET returned) or CSV text, one `hostname[,team]` per line (`hostname[,note]` for development hosts),
// with '#' comments, blank lines and an optional `hostname,…` header line. Turns them into plain objects for
// the DevHost / DeviceTeam schemas; reports unusable lines by number. Pure: no NATS.
//   parseHostCsv('team', 'core1.example.com,NETO\n# spare\nedge2,WAN') -> { items: [{hostname, team_assignment}, …] }

import type { ServiceIssue } from './errors.ts';

export type HostKind = 'dev' | 'team';

export interface ParsedImport {
  items: Record<string, unknown>[];
  /** Where each item came from ('line 3', '[2]'), for error messages. */
  where: string[];
  issues: ServiceIssue[];
}

function cells(line: string): string[] {
  return line.split(',').map((c) =>
    c
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim(),
  );
}

/** CSV text → items. `defaultTeam` fills lines without a team (teams only). */
export function parseHostCsv(kind: HostKind, text: string, defaultTeam?: string): ParsedImport {
  const out: ParsedImport = { items: [], where: [], issues: [] };
  let headerAllowed = true;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [host, second = '', ...rest] = cells(line);
    if (headerAllowed && host.toLowerCase() === 'hostname') {
      headerAllowed = false;
      return;
    }
    headerAllowed = false;
    const where = `line ${i + 1}`;
    if (kind === 'dev') out.items.push({ hostname: host, note: [second, ...rest].filter(Boolean).join(', ') });
    else {
      const team = second || defaultTeam;
      if (!team) {
        out.issues.push({ path: where, message: 'no team: write hostname,team (or pass ?team= for lines without one)' });
        return;
      }
      out.items.push({ hostname: host, team_assignment: team });
    }
    out.where.push(where);
  });
  return out;
}

/** A parsed JSON body → items: an array, or an object holding one under `hosts`, `teams` or `items`. */
export function parseHostJson(kind: HostKind, body: unknown, defaultTeam?: string): ParsedImport {
  const out: ParsedImport = { items: [], where: [], issues: [] };
  const list = Array.isArray(body)
    ? body
    : body !== null && typeof body === 'object'
      ? ((body as Record<string, unknown>).hosts ?? (body as Record<string, unknown>).teams ?? (body as Record<string, unknown>).items)
      : undefined;
  if (!Array.isArray(list)) {
    out.issues.push({ path: '', message: 'expected a JSON array of hosts (or {hosts: […]} / {teams: […]})' });
    return out;
  }
  list.forEach((entry, i) => {
    const where = `[${i}]`;
    if (typeof entry === 'string') {
      const parsed = parseHostCsv(kind, entry, defaultTeam);
      if (parsed.issues.length || parsed.items.length !== 1) {
        out.issues.push({ path: where, message: parsed.issues[0]?.message ?? 'expected one host name' });
        return;
      }
      out.items.push(parsed.items[0]);
    } else if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) {
      const item = { ...(entry as Record<string, unknown>) };
      if (kind === 'team' && item.team_assignment === undefined) item.team_assignment = item.team ?? defaultTeam;
      delete item.team;
      out.items.push(item);
    } else {
      out.issues.push({ path: where, message: 'expected a host name or an object' });
      return;
    }
    out.where.push(where);
  });
  return out;
}
