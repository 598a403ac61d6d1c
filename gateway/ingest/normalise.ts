// One posted JSON item -> one IngestEvent, or the list of what is wrong with it (paths named as the sender
// named the fields). Pure: no I/O, the clock comes in through ctx. Accepts v2.5 names and v2 names:
//   host | hostname        message            time | timestamp (ISO 8601, epoch s/ms, RFC 3164, HTTP-date)
//   syslog_severity, severity (names or 0–7)  trapOid | trap_oid   facility   appName | app_name | program
//   procId | proc_id   msgId | msg_id   correlationId | correlation_id | _correlation_id   id (v2 only)
//   kind ('syslog' | 'trap')   trap extras: varbinds | variables, version, enterprise,
//   agentAddress | agent_address | source_ip, genericTrap, specificTrap
// Everything else is kept in `fields` (keys named `__proto__` are dropped; nesting is capped).
// Decisions (see docs/INGEST.md):
//   - kind is 'trap' only when the item says kind:'trap' or carries varbinds/variables; a syslog line relayed
//     from snmptrapd with a trap_oid stays syslog, with trapOid set (v2.5's test data has such events).
//   - host and, for syslog, message must be non-empty strings; a trap may omit both (host falls back to the
//     agent address, message is built from OID and varbinds), so v2.5's demo trap records are accepted.
//   - time may be absent (-> receive time); present but unreadable is an error, not a silent guess.
//   - an unrecognised severity becomes null and the sender's value stays in `fields`.
//   - on the legacy route (dialect 'legacy') an `id` field is ordinary data, never a dedupe key: v2.5 senders
//     may send any `id`, and honouring it could silently merge distinct events.
//   normaliseHttpEvent({ hostname: 'r1', message: 'x', syslog_severity: 'Error' }, { receivedAt, correlationId })

import { randomUUID } from 'node:crypto';
import { IngestEvent, type Varbind } from '../../protocol/messages.ts';
import { normaliseOid } from '../../protocol/oid.ts';
import { normaliseSeverity } from '../../protocol/severity.ts';
import type { Issue } from '../http-error.ts';
import { isSafeToken } from '../middleware/correlation.ts';
import { parseEventTime } from './time.ts';

export const RAW_MAX_CHARS = 32_768;
export const MESSAGE_MAX_CHARS = 65_536;
export const MAX_FIELD_DEPTH = 32;
export const MAX_VARBINDS = 1000;

export interface NormaliseContext {
  /** Receive time, epoch ms: the event's time when it states none. */
  receivedAt: number;
  /** Peer address of the HTTP request. */
  address?: string;
  correlationId: string;
  /** Event id when the item carries none (e.g. `${idempotencyKey}:${index}`); a UUID when absent. */
  id?: string;
  /** The item's text as received (an NDJSON line); JSON.stringify(item) when absent. Capped. */
  raw?: string;
  dialect?: 'v2' | 'legacy';
}

export type NormaliseResult = { ok: true; event: IngestEvent } | { ok: false; issues: Issue[] };

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\x00-\x1f\x7f]/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deeper than `max` levels of objects/arrays? Iterative, so hostile nesting cannot overflow the stack. */
function tooDeep(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d >= max) return true;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

/** A JSON value without `__proto__` keys at any depth (callers checked the depth first). */
function clean(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clean);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== '__proto__') out[k] = clean(v);
  return out;
}

function safeStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

const VARBIND_TEXT = /^@\{oid=([^;]*);\s*value=([\s\S]*)\}$/;

function parseVarbind(v: unknown): Varbind | string {
  if (typeof v === 'string') {
    const m = VARBIND_TEXT.exec(v.trim());
    if (!m) return 'expected {oid, value} or "@{oid=…; value=…}"';
    return { oid: normaliseOid(m[1]) ?? m[1].trim(), type: 'unknown', value: m[2].trim() };
  }
  if (!isObject(v)) return 'expected {oid, value} or "@{oid=…; value=…}"';
  if (typeof v.oid !== 'string' || v.oid.trim() === '') return 'oid: expected a non-empty string';
  const type = v.type === undefined || v.type === null ? 'unknown' : String(v.type);
  const raw = v.value;
  const value =
    raw === undefined || raw === null || typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean'
      ? (raw ?? null)
      : (safeStringify(clean(raw)) ?? null);
  return { oid: normaliseOid(v.oid) ?? v.oid.trim(), type, value };
}

const TRAP_VERSIONS: Record<string, 'v1' | 'v2c' | 'inform' | 'unknown'> = {
  v1: 'v1',
  '1': 'v1',
  v2c: 'v2c',
  v2: 'v2c',
  '2c': 'v2c',
  '2': 'v2c',
  inform: 'inform',
  unknown: 'unknown',
};

export function normaliseHttpEvent(body: unknown, ctx: NormaliseContext): NormaliseResult {
  if (!isObject(body)) return { ok: false, issues: [{ path: '', message: 'expected a JSON object' }] };
  const legacy = ctx.dialect === 'legacy';
  const issues: Issue[] = [];
  const used = new Set<string>();
  const issue = (path: string, message: string) => issues.push({ path, message });

  /** The first of `names` the item carries with a non-null value (null counts as absent and is dropped). */
  const pick = (...names: string[]): { name: string; value: unknown } | undefined => {
    let found: { name: string; value: unknown } | undefined;
    for (const name of names) {
      if (!Object.hasOwn(body, name)) continue;
      const value = body[name];
      if (value === null || value === undefined) {
        used.add(name);
        continue;
      }
      if (!found) {
        used.add(name);
        found = { name, value };
      }
    }
    return found;
  };
  const text = (names: string[], max: number): string | undefined => {
    const f = pick(...names);
    if (!f) return undefined;
    if (typeof f.value === 'number' && Number.isFinite(f.value)) return String(f.value);
    if (typeof f.value !== 'string') return void issue(f.name, 'expected a string');
    if (f.value.length > max) return void issue(f.name, `longer than ${max} characters`);
    return f.value;
  };

  // kind
  let kind: 'syslog' | 'trap' = 'syslog';
  const k = pick('kind');
  if (k) {
    if (k.value === 'syslog' || k.value === 'trap') kind = k.value;
    else issue('kind', "expected 'syslog' or 'trap'");
  } else if ((body.varbinds ?? null) !== null || (body.variables ?? null) !== null) kind = 'trap';

  // trap extras (read first: the agent address is the host of last resort)
  const varbinds: Varbind[] = [];
  let agentAddress: string | undefined;
  let version: 'v1' | 'v2c' | 'inform' | 'unknown' = 'unknown';
  let enterprise: string | undefined;
  let genericTrap: number | undefined;
  let specificTrap: number | undefined;
  if (kind === 'trap') {
    const vb = pick('varbinds', 'variables');
    if (vb) {
      if (!Array.isArray(vb.value)) issue(vb.name, 'expected an array');
      else if (vb.value.length > MAX_VARBINDS) issue(vb.name, `more than ${MAX_VARBINDS} varbinds`);
      else if (tooDeep(vb.value, MAX_FIELD_DEPTH)) issue(vb.name, `nested deeper than ${MAX_FIELD_DEPTH} levels`);
      else
        vb.value.forEach((item, i) => {
          const parsed = parseVarbind(item);
          if (typeof parsed === 'string') issue(`${vb.name}.${i}`, parsed);
          else varbinds.push(parsed);
        });
    }
    agentAddress = text(['agentAddress', 'agent_address', 'source_ip'], 255)?.trim() || undefined;
    const v = pick('version');
    if (v) {
      const mapped = TRAP_VERSIONS[String(v.value).toLowerCase()];
      if (mapped && (typeof v.value === 'string' || typeof v.value === 'number')) version = mapped;
      else issue(v.name, "expected 'v1', 'v2c', 'inform' or 'unknown'");
    }
    const ent = pick('enterprise');
    if (ent) {
      enterprise = normaliseOid(ent.value) ?? undefined;
      if (!enterprise) issue(ent.name, 'not a dotted-decimal OID');
    }
    for (const [name, set] of [
      ['genericTrap', (n: number) => (genericTrap = n)],
      ['specificTrap', (n: number) => (specificTrap = n)],
    ] as const) {
      const f = pick(name);
      if (!f) continue;
      const n = typeof f.value === 'string' && /^\d+$/.test(f.value.trim()) ? Number(f.value) : f.value;
      if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) set(n);
      else issue(name, 'expected a non-negative integer');
    }
  }

  // host
  const hostField = pick('host', 'hostname');
  let host: string | undefined;
  if (!hostField) {
    if (kind === 'trap' && agentAddress) host = agentAddress;
    else issue(legacy ? 'hostname' : 'host', 'required');
  } else if (typeof hostField.value !== 'string') issue(hostField.name, 'expected a string');
  else {
    const h = hostField.value.trim();
    if (h === '') issue(hostField.name, 'must not be empty');
    else if (h.length > 255) issue(hostField.name, 'longer than 255 characters');
    else if (CONTROL.test(h)) issue(hostField.name, 'must not contain control characters');
    else host = h;
  }

  // trap OID
  let trapOid: string | undefined;
  const oid = pick('trapOid', 'trap_oid');
  if (oid && !(typeof oid.value === 'string' && oid.value.trim() === '')) {
    trapOid = normaliseOid(oid.value) ?? undefined;
    if (!trapOid) issue(oid.name, 'not a dotted-decimal OID');
  }

  // message
  let message: string | undefined;
  const msg = pick('message');
  if (msg) {
    if (typeof msg.value !== 'string') issue('message', 'expected a string');
    else if (msg.value.length > MESSAGE_MAX_CHARS) issue('message', `longer than ${MESSAGE_MAX_CHARS} characters`);
    else if (kind === 'syslog' && msg.value.trim() === '') issue('message', 'must not be empty');
    else message = msg.value;
  } else if (kind === 'syslog') issue('message', 'required');
  if (message === undefined && kind === 'trap') {
    const parts = [agentAddress ?? host ?? '', trapOid ?? enterprise ?? '', ...varbinds.map((v) => `${v.oid}=${v.value}`)];
    message = parts.filter(Boolean).join(' ').slice(0, MESSAGE_MAX_CHARS);
  }

  // time
  let time = ctx.receivedAt;
  const t = pick('time', 'timestamp');
  if (t) {
    const parsed = parseEventTime(t.value, ctx.receivedAt);
    if (parsed === null) issue(t.name, 'unrecognised time: use ISO 8601, epoch seconds or milliseconds, or RFC 3164');
    else if (parsed !== undefined) time = parsed;
  }

  // severity: the first recognised of syslog_severity, severity; an unrecognised value stays in fields
  let severity: number | null = null;
  for (const name of ['syslog_severity', 'severity']) {
    if (!Object.hasOwn(body, name)) continue;
    const value = body[name];
    if (value === null) {
      used.add(name);
      continue;
    }
    const n = normaliseSeverity(value);
    if (n !== null && severity === null) {
      severity = n;
      used.add(name);
    }
  }

  const facility = text(['facility'], 64);
  const appName = kind === 'syslog' ? text(['appName', 'app_name', 'program'], 256) : undefined;
  const procId = kind === 'syslog' ? text(['procId', 'proc_id'], 256) : undefined;
  const msgId = kind === 'syslog' ? text(['msgId', 'msg_id'], 256) : undefined;

  // identity
  let correlationId = ctx.correlationId;
  const corr = pick('correlationId', 'correlation_id', '_correlation_id');
  if (corr) {
    if (isSafeToken(corr.value)) correlationId = corr.value;
    else used.delete(corr.name); // kept as data, the request's id applies
  }
  let id = ctx.id;
  if (!legacy) {
    const given = pick('id');
    if (given) {
      const value = typeof given.value === 'number' && Number.isSafeInteger(given.value) ? String(given.value) : given.value;
      if (isSafeToken(value)) id = value;
      else issue('id', 'expected 1-200 visible ASCII characters without spaces');
    }
  }

  // everything else -> fields
  const fields: Record<string, unknown> = {};
  const explicit = Object.hasOwn(body, 'fields') && !legacy ? body.fields : undefined;
  if (explicit !== undefined && explicit !== null && !isObject(explicit)) issue('fields', 'expected an object');
  for (const [key, value] of Object.entries(body)) {
    if (used.has(key) || key === '__proto__' || (key === 'fields' && explicit !== undefined)) continue;
    if (tooDeep(value, MAX_FIELD_DEPTH)) issue(key, `nested deeper than ${MAX_FIELD_DEPTH} levels`);
    else fields[key] = clean(value);
  }
  if (isObject(explicit)) {
    if (tooDeep(explicit, MAX_FIELD_DEPTH)) issue('fields', `nested deeper than ${MAX_FIELD_DEPTH} levels`);
    else for (const [key, value] of Object.entries(clean(explicit) as Record<string, unknown>)) fields[key] = value;
  }

  if (issues.length > 0 || host === undefined || message === undefined) return { ok: false, issues };

  const raw = (ctx.raw ?? safeStringify(body) ?? '').slice(0, RAW_MAX_CHARS);
  const base = {
    id: id ?? randomUUID(),
    correlationId,
    host,
    message,
    severity,
    time,
    receivedAt: ctx.receivedAt,
    source: ctx.address ? { input: 'http' as const, address: ctx.address } : { input: 'http' as const },
    ...(trapOid ? { trapOid } : {}),
    ...(facility !== undefined ? { facility } : {}),
    ...(raw ? { raw } : {}),
    ...(Object.keys(fields).length ? { fields } : {}),
  };
  const candidate =
    kind === 'trap'
      ? {
          kind,
          ...base,
          version,
          varbinds,
          ...(enterprise ? { enterprise } : {}),
          ...(agentAddress ? { agentAddress } : {}),
          ...(genericTrap !== undefined ? { genericTrap } : {}),
          ...(specificTrap !== undefined ? { specificTrap } : {}),
        }
      : {
          kind,
          ...base,
          parse: 'json' as const,
          ...(appName !== undefined ? { appName } : {}),
          ...(procId !== undefined ? { procId } : {}),
          ...(msgId !== undefined ? { msgId } : {}),
        };
  const parsed = IngestEvent.safeParse(candidate);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
  return { ok: true, event: parsed.data };
}
