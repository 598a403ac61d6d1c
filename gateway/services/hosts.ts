// Development hosts and device teams in KV mutt_hosts (`hostKey('dev'|'team', host)`, values DevHost /
// DeviceTeam): list, get, add, update, delete and bulk import, each write compare-and-set and recorded in the
// config audit (kind 'host' for development hosts, 'team' for device teams — v2.5 audited neither). The
// alerter follows the bucket by KV watch, so a change applies within a second.
//   const dev = new HostMapService('dev', bucket, audit)
//   await dev.add({ hostname: 'lab-sw1' }, change); await dev.import(items, 'replace', change)

import type { z } from 'zod';
import { DevHost, DeviceTeam, hostKey } from '../../protocol/rules.ts';
import type { ConfigAuditService } from './audit-config.ts';
import type { Change } from './change.ts';
import { ServiceError, zodIssues, type ServiceIssue } from './errors.ts';
import type { HostKind, ParsedImport } from './host-import.ts';
import type { JsonBucket } from './json-bucket.ts';
import { forEachWindowed } from './windowed.ts';
import { HostIndex, normaliseHost, shortHostName } from '../../actors/alerter/host-index.ts';
import { Interned } from '../../actors/runtime/interned.ts';

type Schemas = { dev: typeof DevHost; team: typeof DeviceTeam };
export type HostValue<K extends HostKind> = z.output<Schemas[K]>;

export interface HostRecord<K extends HostKind> {
  value: HostValue<K>;
  revision: number;
}

export interface ImportResult {
  mode: 'merge' | 'replace';
  created: string[];
  updated: string[];
  unchanged: number;
  deleted: string[];
}

/** KV writes of one import in flight at once: enough to hide the round trip (one at a time managed ~1,500
 *  entries/s), few enough that the unanswered requests stay small. Figures: docs/PERFORMANCE.md. */
const IMPORT_WINDOW = 256;

/** Host names per audit record of an import: 200,000 names in one record (~7 MB) would exceed the NATS
 *  message size and the record would be lost; each part stays well under 1 MB. */
const AUDIT_NAMES_PER_PART = 10_000;

/** The import's audit records: one when it is small, else parts of at most AUDIT_NAMES_PER_PART names each,
 *  numbered `part` of `parts` (the counts in every part are of that part; `unchanged` is in the first). */
export function auditParts(r: ImportResult): (ImportResult & { part?: number; parts?: number })[] {
  const names = [
    ...r.created.map((n) => ['created', n] as const),
    ...r.updated.map((n) => ['updated', n] as const),
    ...r.deleted.map((n) => ['deleted', n] as const),
  ];
  if (names.length === 0) return [];
  if (names.length <= AUDIT_NAMES_PER_PART) return [r];
  const parts: (ImportResult & { part: number; parts: number })[] = [];
  const total = Math.ceil(names.length / AUDIT_NAMES_PER_PART);
  for (let i = 0; i < total; i++) {
    const part: ImportResult & { part: number; parts: number } = {
      mode: r.mode,
      created: [],
      updated: [],
      unchanged: i === 0 ? r.unchanged : 0,
      deleted: [],
      part: i + 1,
      parts: total,
    };
    for (const [list, name] of names.slice(i * AUDIT_NAMES_PER_PART, (i + 1) * AUDIT_NAMES_PER_PART)) part[list].push(name);
    parts.push(part);
  }
  return parts;
}

export interface HostPage<K extends HostKind> {
  items: HostRecord<K>[];
  /** Entries matching the query in the whole list. */
  total: number;
  /** Pass as `cursor` for the next page; null on the last. */
  next: string | null;
}

/** FQDNs read for a short-name lookup in the rule tester: more sharing one short name than this is treated as
 *  ambiguous (the alerter's HostIndex, holding them all, would usually say the same). */
const SHORT_NAME_CANDIDATES = 1000;

const SCHEMAS: Schemas = { dev: DevHost, team: DeviceTeam };

/** Team names, notes and writers repeat across entries: one string each in the mirror. */
const repeated = new Interned(50_000);

/**
 * What the gateway's mirror of mutt_hosts keeps per entry: the value validated once (undefined when invalid),
 * its repeated strings shared. The mirror of 200,000 device teams then fits beside the alerter in `mutt up`.
 */
export function compactHostValue(value: unknown, key: string): unknown {
  const kind: HostKind | null = key.startsWith('dev.') ? 'dev' : key.startsWith('team.') ? 'team' : null;
  if (!kind) return undefined;
  const r = SCHEMAS[kind].safeParse(value);
  if (!r.success) return undefined;
  const v = r.data as Record<string, unknown>;
  for (const field of ['team_assignment', 'note', 'updated_by'])
    if (typeof v[field] === 'string') v[field] = repeated.of(v[field] as string);
  return v;
}
const AUDIT_KIND = { dev: 'host', team: 'team' } as const;
const LABEL = { dev: 'development host', team: 'device team mapping' } as const;
const SERVER_FIELDS = ['updated_at', 'updated_by', 'revision'];

function strip(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const out = { ...(input as Record<string, unknown>) };
  for (const f of SERVER_FIELDS) delete out[f];
  // 'core-sw1.example.com.' (an absolute FQDN, as DNS tools print it) is the same host: the alerter ignores a
  // trailing dot when it compares, so the entry is stored without it.
  if (typeof out.hostname === 'string') out.hostname = withoutTrailingDot(out.hostname.trim());
  return out;
}

function withoutTrailingDot(host: string): string {
  return host.length > 1 && host.endsWith('.') && !host.endsWith('..') ? host.slice(0, -1) : host;
}

/** hostKey() keeps a host's dots, so an empty label ('a..b', 'x..', '.lead') would make a KV key NATS refuses. */
const EMPTY_LABEL = "host names cannot start or end with '.' or contain '..'";
function hasEmptyLabel(hostname: string): boolean {
  const h = hostname.trim();
  return h.startsWith('.') || h.endsWith('.') || h.includes('..');
}

/** Same content, ignoring who wrote it when. */
function sameContent(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

export class HostMapService<K extends HostKind> {
  private readonly schema: Schemas[K];
  constructor(
    readonly kind: K,
    private readonly bucket: JsonBucket,
    private readonly audit: ConfigAuditService,
  ) {
    this.schema = SCHEMAS[kind];
  }

  private parse(input: unknown, prefix = ''): HostValue<K> {
    const r = this.schema.safeParse(strip(input));
    if (!r.success) throw new ServiceError('invalid', `invalid ${LABEL[this.kind]}`, zodIssues(r.error.issues, prefix));
    if (hasEmptyLabel(r.data.hostname))
      throw new ServiceError('invalid', `invalid ${LABEL[this.kind]}`, [
        { path: [prefix, 'hostname'].filter(Boolean).join('.'), message: EMPTY_LABEL },
      ]);
    return r.data as HostValue<K>;
  }

  private key(host: string): string {
    return hostKey(this.kind, withoutTrailingDot(host.trim()));
  }

  /** The entry under a key, when its stored value is valid (mirror values are validated by compactHostValue). */
  private cached(key: string): HostRecord<K> | undefined {
    const r = this.bucket.cached(key);
    return r && r.value !== undefined ? { value: r.value as HostValue<K>, revision: r.revision } : undefined;
  }

  /** This kind's keys in order (the lower-cased host name, as hostKey() spells it), sorted once per revision. */
  private sortedKeys(): string[] {
    const revision = this.bucket.revision;
    if (this.sorted?.revision !== revision) this.sorted = { revision, keys: this.bucket.keys(`${this.kind}.`).sort() };
    return this.sorted.keys;
  }
  private sorted: { revision: number; keys: string[] } | undefined;

  private matches(r: HostRecord<K>, needle: string | undefined): boolean {
    if (needle === undefined) return true;
    return `${r.value.hostname}\n${(r.value as { team_assignment?: string }).team_assignment ?? ''}`.toLowerCase().includes(needle);
  }

  /** All entries sorted by host name; `q` filters by substring of host (and team). For the CLI's own process
   *  and exports; the HTTP API and the UI page through page(). */
  list(q?: string): HostRecord<K>[] {
    return this.page({ q, limit: Infinity }).items;
  }

  /** How many valid entries there are. */
  count(): number {
    return this.page({ limit: 0 }).total;
  }

  /** One page of list(q): at most `limit` entries after the one whose cursor was returned before. */
  page(opts: { q?: string; limit: number; cursor?: string }): HostPage<K> {
    const needle = opts.q?.toLowerCase();
    const keys = this.sortedKeys();
    // The cursor is the host part of the last key shown (lower-cased, as hostKey() spells it): an operator can
    // also write "after this host name" by hand.
    const prefix = `${this.kind}.`;
    const after = opts.cursor === undefined ? undefined : prefix + opts.cursor.toLowerCase();
    const items: HostRecord<K>[] = [];
    let total = 0;
    let lastKey = '';
    let more = false;
    for (const key of keys) {
      const r = this.cached(key);
      if (!r || !this.matches(r, needle)) continue;
      total++;
      if (after !== undefined && key <= after) continue;
      if (items.length < opts.limit) {
        items.push(r);
        lastKey = key;
      } else more = true;
    }
    return { items, total, next: more ? lastKey.slice(prefix.length) : null };
  }

  /**
   * The team (device teams) or 'dev' (development hosts) the alerter would find for an event's host (HostIndex matching: exact, FQDN ↔ short name),
   * read from the few entries that can match rather than from every entry: a rule test against 200,000
   * device teams costs a handful of lookups.
   */
  async lookup(host: string): Promise<string | undefined> {
    // Indexed by what the alerter's index holds (the team, or 'dev'): FQDNs sharing a short name and a team
    // are one answer, not an ambiguity.
    const index = new HostIndex<string>();
    const h = normaliseHost(host);
    const add = (key: string) => {
      const r = this.cached(key);
      if (r) index.set(r.value.hostname, (r.value as { team_assignment?: string }).team_assignment ?? 'dev');
    };
    add(this.key(h));
    const short = shortHostName(h);
    if (short !== null) add(this.key(short));
    else if (!h.includes(':') && !h.includes('.')) {
      // A short-name event: every FQDN listed with that first label, found by the server's subject filter.
      let n = 0;
      for await (const key of await this.bucket.kv.keys(`${this.key(h)}.>`)) {
        add(key);
        if (++n >= SHORT_NAME_CANDIDATES) break;
      }
    }
    return index.get(host);
  }

  async get(host: string): Promise<HostRecord<K>> {
    const r = await this.bucket.get(this.key(host));
    const parsed = r ? this.schema.safeParse(r.value) : null;
    if (!r || !parsed?.success) throw new ServiceError('not_found', `${LABEL[this.kind]} '${host}' not found`);
    return { value: parsed.data as HostValue<K>, revision: r.revision };
  }

  async add(input: unknown, change: Change): Promise<HostRecord<K>> {
    const value = { ...this.parse(input), updated_at: Date.now(), updated_by: change.actor } as HostValue<K>;
    let revision: number;
    try {
      revision = await this.bucket.create(this.key(value.hostname), value);
    } catch (err) {
      if (err instanceof ServiceError && err.reason === 'exists')
        throw new ServiceError('exists', `${LABEL[this.kind]} '${value.hostname}' already exists`);
      throw err;
    }
    await this.audit.write({
      kind: AUDIT_KIND[this.kind],
      id: value.hostname.toLowerCase(),
      operation: 'create',
      actor: change.actor,
      newValue: value,
      reason: change.reason,
      correlationId: change.correlationId,
    });
    await this.bucket.settled(revision);
    return { value, revision };
  }

  /** Changes an existing entry (the host name itself cannot change: delete and add). */
  async update(host: string, input: unknown, change: Change): Promise<HostRecord<K>> {
    const current = await this.get(host);
    if (change.ifMatch !== undefined && change.ifMatch !== current.revision) {
      throw new ServiceError(
        'revision_mismatch',
        `'${host}' changed: expected revision ${change.ifMatch}, current is ${current.revision}`,
        undefined,
        { expected: change.ifMatch, current: current.revision },
      );
    }
    const body = strip(input);
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new ServiceError('invalid', 'expected a JSON object', [{ path: '', message: 'expected an object' }]);
    const given = (body as Record<string, unknown>).hostname;
    if (
      given !== undefined &&
      (typeof given !== 'string' || withoutTrailingDot(given.trim()).toLowerCase() !== current.value.hostname.toLowerCase())
    ) {
      throw new ServiceError('invalid', 'the host name cannot change; delete the entry and add the new one', [
        { path: 'hostname', message: `must be '${current.value.hostname}' (or omitted)` },
      ]);
    }
    const value = {
      ...this.parse({ ...current.value, ...(body as Record<string, unknown>), hostname: current.value.hostname }),
      updated_at: Date.now(),
      updated_by: change.actor,
    } as HostValue<K>;
    const revision = await this.bucket.update(this.key(host), value, current.revision);
    await this.audit.write({
      kind: AUDIT_KIND[this.kind],
      id: value.hostname.toLowerCase(),
      operation: 'update',
      actor: change.actor,
      oldValue: current.value,
      newValue: value,
      reason: change.reason,
      correlationId: change.correlationId,
    });
    await this.bucket.settled(revision);
    return { value, revision };
  }

  async remove(host: string, change: Change): Promise<HostRecord<K>> {
    const current = await this.get(host);
    await this.bucket.remove(this.key(host), change.ifMatch ?? current.revision);
    await this.audit.write({
      kind: AUDIT_KIND[this.kind],
      id: current.value.hostname.toLowerCase(),
      operation: 'delete',
      actor: change.actor,
      oldValue: current.value,
      reason: change.reason,
      correlationId: change.correlationId,
    });
    return current;
  }

  /**
   * Writes a whole list: every item is validated first (nothing is written when one is bad); 'merge' adds and
   * updates, 'replace' also deletes entries not in the list. The audit (operation 'import') lists the changes, in parts when there are many (auditParts).
   * Writes are pipelined (IMPORT_WINDOW in flight); a failed write stops the import, and what was written stays.
   * `onWritten` follows the writes (the CLI's progress line).
   */
  async import(
    parsed: ParsedImport,
    mode: 'merge' | 'replace',
    change: Change,
    onWritten?: (written: number, total: number) => void,
  ): Promise<ImportResult> {
    const issues: ServiceIssue[] = [...parsed.issues];
    const wanted = new Map<string, HostValue<K>>();
    parsed.items.forEach((item, i) => {
      const r = this.schema.safeParse(strip(item));
      if (!r.success) issues.push(...zodIssues(r.error.issues, parsed.where[i]));
      else if (hasEmptyLabel((r.data as HostValue<K>).hostname)) issues.push({ path: `${parsed.where[i]}.hostname`, message: EMPTY_LABEL });
      else wanted.set(this.key((r.data as HostValue<K>).hostname), r.data as HostValue<K>);
    });
    if (issues.length) throw new ServiceError('invalid', `import refused: ${issues.length} problem(s), nothing was written`, issues);
    if (parsed.items.length === 0 && mode === 'replace')
      throw new ServiceError('invalid', 'an empty list in replace mode would delete every entry; use merge, or delete explicitly', [
        { path: '', message: 'empty list' },
      ]);

    // Invalid stored values too: an import overwrites them (at their revision).
    const existing = new Map(this.bucket.list(`${this.kind}.`).map((r) => [r.key, r]));
    const result: ImportResult = { mode, created: [], updated: [], unchanged: 0, deleted: [] };
    const now = Date.now();
    const writes: { key: string; stored: HostValue<K>; revision?: number }[] = [];
    for (const [key, value] of wanted) {
      const prev = existing.get(key);
      if (prev && sameContent(prev.value as Record<string, unknown>, value as Record<string, unknown>)) {
        result.unchanged++;
        continue;
      }
      writes.push({ key, stored: { ...value, updated_at: now, updated_by: change.actor }, revision: prev?.revision });
      (prev ? result.updated : result.created).push(value.hostname);
    }
    let last = 0;
    let written = 0;
    await forEachWindowed(writes, IMPORT_WINDOW, async (w) => {
      const revision =
        w.revision === undefined ? await this.bucket.create(w.key, w.stored) : await this.bucket.update(w.key, w.stored, w.revision);
      last = Math.max(last, revision);
      onWritten?.(++written, writes.length);
    });
    if (mode === 'replace') {
      const gone = [...existing].filter(([key]) => !wanted.has(key));
      await forEachWindowed(gone, IMPORT_WINDOW, (entry) => this.bucket.remove(entry[0], entry[1].revision));
      for (const [key, prev] of gone)
        result.deleted.push(String((prev.value as { hostname?: string })?.hostname ?? key.slice(this.kind.length + 1)));
    }
    for (const part of auditParts(result)) {
      await this.audit.write({
        kind: AUDIT_KIND[this.kind],
        id: 'import',
        operation: 'import',
        actor: change.actor,
        newValue: part,
        reason: change.reason,
        correlationId: change.correlationId,
      });
    }
    await this.bucket.settled(last);
    return result;
  }
}
