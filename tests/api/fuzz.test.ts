// A seeded random fuzz of the management API (every operation of apiRegistry()): valid bodies of the write
// routes (rules, rule tests, dev hosts, device teams, host imports, config, DLQ operations) mutated one to
// three ways (dropped required field, wrong type, null, 100 KB strings, unicode and control characters, deep
// nesting, arrays for objects, numbers out of range, unknown and prototype keys, invalid and catastrophic
// regexes, duplicated ids), odd path parameters and query strings, wrong Content-Type, truncated or broken
// JSON, odd If-Match, and admin / read / ingest / missing / wrong keys. Per case: never a 5xx, never over 5 s,
// every 4xx is JSON {error}, every 400 names what is wrong (and the mutated field when it was the only fault),
// auth answers follow the key's scope. After: the gateway's own request metric counted every answer by status,
// nothing was logged as an unhandled error, and the seeded rules read back byte-identical.
//   FUZZ_SEED=123 FUZZ_CASES=5000 node --import tsx node_modules/uvu/bin.js tests/api 'fuzz\.test\.ts$'

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { Histogram, Counter } from 'prom-client';
import { prng } from '../../bench/rules-engine.ts';
import { deadLetter } from '../../actors/runtime/dead-letter.ts';
import { apiRegistry } from '../../gateway/api/management.ts';
import { FailureThrottle } from '../../gateway/auth/throttle.ts';
import type { OperationSpec } from '../../gateway/openapi/document.ts';
import { encode } from '../../protocol/codec.ts';
import { ConfigKeys } from '../../protocol/config-keys.ts';
import { IngestEvent } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { sampleEvent } from '../helpers/test-actor.ts';
import { apiFixture, KEYS, rule, type ApiFixture } from './fixture.ts';

const SEED_TEXT = process.env.FUZZ_SEED ?? process.env.MUTT_FUZZ_SEED ?? '20260301';
const SEED = Number(SEED_TEXT);
if (!Number.isSafeInteger(SEED)) throw new Error(`FUZZ_SEED must be an integer, not '${SEED_TEXT}'`);
const CASES = Number(process.env.FUZZ_CASES ?? 2400);
const HANG_MS = 5000;
const BODY_LIMIT = 5 * 1024 * 1024; // MUTT_BODY_LIMIT_BYTES default (the fixture does not set it)

const t = suite('management API fuzz');
let f: ApiFixture;

const rand = prng(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
const chance = (p: number) => rand() < p;

// ---------------------------------------------------------------- pools

const SEED_RULES = ['seed-contains', 'seed-oid', 'seed-regex'];
const FUZZ_RULES = ['fz-1', 'fz-2', 'fz-3', 'fz-4', 'fz-5', 'fz-6'];
const FUZZ_HOSTS = ['fz-h1', 'fz-h2.lab', 'FZ-H3.Example.COM', 'fz-h4'];
const CONFIG_NAMES = Object.keys(ConfigKeys) as (keyof typeof ConfigKeys)[];

/** Path segments (already URL-encoded) that are not a plausible id of anything. */
const HOSTILE_SEGMENTS = [
  'x'.repeat(65),
  'x'.repeat(256),
  '%00',
  '_under',
  '-dash',
  'a.b',
  'a..b',
  'host.',
  '.lead',
  '...',
  '%E2%82%AC',
  '%F0%9F%92%A5',
  '9'.repeat(30),
  '*',
  '%3E',
  'a%20b',
  '%2F',
  'a%2Fb',
  '%ZZ',
  '%E0%A4%A',
  'A'.repeat(64),
  '0',
  '-1',
  '1.5',
  '1e3',
  '0x10',
  'NaN',
  '__proto__',
  'constructor',
  'toString',
  '%27%3B--',
  '%0A',
  'null',
  'undefined',
  'test',
  'import',
  'enable',
];

/** Strings that break some constraint somewhere (or none): unicode, controls, separators, injections. */
const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\u0007bell',
  'a\nb',
  'tab\there',
  '\u202eevil',
  '\ud800',
  '\udfff',
  '💥'.repeat(3),
  'é',
  'ʻokina',
  '\ufeff',
  'a..b',
  'trailing.',
  '.leading',
  '.',
  '..',
  '*',
  '>',
  'a b',
  '%s%n',
  '../../etc/passwd',
  '${7*7}',
  '<script>alert(1)</script>',
  "'; DROP TABLE x;--",
  'x'.repeat(1001),
  'x'.repeat(64),
  'x'.repeat(65),
  'NETO',
  'null',
  'true',
  '0',
  '-1',
  '1e999',
];

/** Host names at the edge of what a KV key can hold (host names keep their dots in the key). */
const HOST_EDGES = [
  'a..b',
  'host.',
  '.lead',
  '.',
  '..',
  'UPPER..lower',
  'x'.repeat(255),
  'é'.repeat(200),
  'a=b',
  'a/b',
  '*',
  '>',
  'a_b',
  '-',
  'host.example.com.',
];

const QUERY_VALUES = [
  '',
  'x',
  '0',
  '1',
  '-1',
  '5',
  '500',
  '501',
  '1.5',
  'abc',
  'true',
  'false',
  '2',
  '1e999',
  'NaN',
  '2025-11-08T12:00:00Z',
  '2025-13-45',
  '2025-11-08',
  '1762603200000',
  '99999999999999999',
  'asc',
  'desc',
  'up',
  'merge',
  'replace',
  'NETO',
  'forwarder',
  'alerter',
  'retries_exhausted',
  'rule',
  'config',
  'create',
  'page_and_ticket',
  'contains',
  '1,6,24',
  '721',
  '1,2,3,4,5,6,7,8,9,10,11',
  '%00',
  '%ZZ',
  '%',
  '%E2%82%AC',
  encodeURIComponent('💥'),
  'x'.repeat(300),
  'A.B',
  '%20',
  '_unhandled',
  '__proto__',
];
const UNKNOWN_QUERY_KEYS = ['foo', '__proto__', 'constructor', 'limit[]', 'a%00b', '', 'x'.repeat(200)];

const IF_MATCH = [
  'garbage',
  '"abc"',
  'W/"5"',
  '*',
  '"999999999"',
  '"1", "2"',
  '9'.repeat(16),
  '""',
  '-1',
  'W/',
  '"1"',
  '1',
  '" 2 "',
  'W/"0"',
  '  ',
];
const REASONS = ['fuzz', 'x'.repeat(5000), '  ', 'CHG-1;DROP TABLE', 'tab\there', '"quoted"'];
const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  '',
  'application/json; charset=utf-16',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'text/csv',
  'application/vnd.api+json',
  'APPLICATION/JSON',
];
const GARBAGE = [
  'not json',
  '{',
  '[',
  '{"a":1,}',
  "{'a':1}",
  'NaN',
  '\ufeff{}',
  '{"a":"\\ud800"}',
  '\u0000',
  '{"a":1}{"b":2}',
  'undefined',
  '{"a":1e999}',
  '[1,2',
  '"unterminated',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '  \n\t  ',
];
const JSON_LITERALS = ['null', '[]', '"s"', '1e999', 'true', '0', '{}', '[{}]', '[[]]'];

/** Regexes for match_string: valid, invalid (Python dialect), catastrophic. Each safe-looking one costs a safety analysis. */
const REGEXES = [
  '^fuzz$',
  'x',
  '(a+)+$',
  '(x|x)*y',
  '^(\\w+\\s?)*$',
  '(.*a){12}',
  '[',
  '(',
  '*a',
  '\\',
  '(?P<n>a)(?P=n)',
  'a{2,1}',
  '(?<=a+)b',
  '(?P<',
  ')',
  '[z-a]',
  '(a|aa)+$',
  '(?i)((a*)*)*b',
];
const OIDS = ['1.3.6.1.4.1.9', '.1.3.6.1.6.3.1.1.5.3', '1.3.6.1.4.1.9.9.41.2'];
const HANDLINGS = ['page_and_ticket', 'page_only', 'ticket_only', 'ignore', 'Page-And-Ticket', ' ticket only '];
const TEAMS = ['NETO', 'WAN', 'SecOps'];

// ---------------------------------------------------------------- bodies

type Kind = 'string' | 'number' | 'bool' | 'any' | 'array' | 'enum' | 'time';
type Obj = Record<string, unknown>;

interface BodyPlan {
  body: Obj | unknown[];
  /** Fields the route documents, with their type (for wrong-type and out-of-range values). */
  fields: Record<string, Kind>;
  /** Fields whose absence is an error. */
  required: string[];
  /** Fields where an absurd value would fail only the related field. */
  extras?: (body: Obj) => { field: string; label: string } | null;
}

function validRule(id: string | undefined): Obj {
  const oid = chance(0.25);
  const r: Obj = {
    match_type: oid ? 'oid_prefix' : 'contains',
    prod_handling: pick(HANDLINGS),
    dev_handling: pick(HANDLINGS),
    team_assignment: pick(TEAMS),
  };
  if (id !== undefined) r.id = id;
  if (oid) r.trap_oid = pick(OIDS);
  else r.match_string = pick(['LINK-3-UPDOWN', 'fan failure', 'x', 'BGP neighbor down']);
  if (chance(0.4)) r.priority = pick([0, 1, 10, 100, 999_999, 1_000_000, '42']);
  if (chance(0.3)) r.syslog_severity = pick([0, 3, 7, null, '', '5']);
  if (chance(0.3)) r.description = pick(['fuzz rule', '', 'é💥']);
  if (chance(0.3)) r.is_active = pick([true, false, 't', 'false']);
  if (chance(0.2)) r.reason = 'fuzz';
  return r;
}

const RULE_FIELDS: Record<string, Kind> = {
  id: 'string',
  match_type: 'enum',
  match_string: 'string',
  trap_oid: 'string',
  syslog_severity: 'number',
  priority: 'number',
  prod_handling: 'enum',
  dev_handling: 'enum',
  team_assignment: 'string',
  is_active: 'bool',
  description: 'string',
};

function ruleRequired(body: Obj): string[] {
  return ['team_assignment', 'prod_handling', 'dev_handling', body.match_type === 'oid_prefix' ? 'trap_oid' : 'match_string'];
}

function validConfigValue(key: keyof typeof ConfigKeys): unknown {
  const alternatives: Partial<Record<keyof typeof ConfigKeys, unknown[]>> = {
    moog_rate_limit: [1, 1_000_000, '100'],
    moog_payload_format: ['events_api', 'rest_lam'],
    moog_rate_adaptive: [true, 'false'],
    moog_retry_statuses: [[429, 503], []],
    moog_severity_map: [[5, 5, 5, 4, 3, 2, 2, 1]],
    moog_rate_period: [0.1, 3600, '2.5'],
    breaker_failure_rate: [0.01, 1],
    unhandled_default_team: ['SecOps'],
    slo_window_hours: [1, 720],
    remediation_max_replays: [0, 100],
  };
  const alt = alternatives[key];
  return alt && chance(0.6) ? pick(alt) : structuredClone(ConfigKeys[key].default);
}

/** A valid body for an operation, or null when the route takes none. `params` are the decoded path parameters. */
function plan(op: OperationSpec, params: Record<string, string>): BodyPlan | null {
  const id = op.operationId.replace(/V1$/, '');
  switch (id) {
    case 'createRule': {
      const body = validRule(chance(0.9) ? pick(FUZZ_RULES) : undefined);
      return { body, fields: RULE_FIELDS, required: ruleRequired(body) };
    }
    case 'replaceRule': {
      const body = validRule(chance(0.5) ? params.id : undefined);
      return { body, fields: RULE_FIELDS, required: ruleRequired(body) };
    }
    case 'updateRule': {
      const good: Record<string, () => unknown> = {
        priority: () => int(1_000_001),
        description: () => pick(['patched', '']),
        team_assignment: () => pick(TEAMS),
        is_active: () => pick([true, false, 'f']),
        prod_handling: () => pick(HANDLINGS),
        dev_handling: () => pick(HANDLINGS),
        syslog_severity: () => pick([null, 0, 7]),
      };
      const body: Obj = {};
      for (const [k, make] of Object.entries(good)) if (chance(0.35)) body[k] = make();
      if (Object.keys(body).length === 0) body.priority = int(1000);
      return { body, fields: RULE_FIELDS, required: [] };
    }
    case 'testRules': {
      const body: Obj = {
        message: pick(['%LINK-3-UPDOWN: Interface Gi0/1, changed state to down', 'fan failure', '', 'x'.repeat(65536)]),
        host: pick(['core-sw1', ...FUZZ_HOSTS]),
      };
      if (chance(0.4)) body.severity = pick([3, 'error', 'warning', null, 0, 7]);
      if (chance(0.2)) body.trap_oid = pick([...OIDS, null]);
      if (chance(0.5)) {
        body.rules = Array.from({ length: 1 + int(3) }, (_, i) => validRule(`prop-${i}`));
        if (chance(0.5)) body.mode = pick(['overlay', 'replace']);
      }
      return {
        body,
        fields: { message: 'string', host: 'string', severity: 'any', trap_oid: 'string', rules: 'array', mode: 'enum' },
        required: ['message', 'host'],
      };
    }
    case 'deleteRule':
    case 'deleteDevHost':
    case 'deleteTeam':
    case 'resetConfig':
      return { body: chance(0.5) ? { reason: 'fuzz cleanup' } : {}, fields: { reason: 'string' }, required: [] };
    case 'addDevHost':
      return {
        body: {
          hostname: pick(FUZZ_HOSTS),
          ...(chance(0.5) ? { note: pick(['rack 3', '', 'é']) } : {}),
          ...(chance(0.2) ? { reason: 'fuzz' } : {}),
        },
        fields: { hostname: 'string', note: 'string', reason: 'string' },
        required: ['hostname'],
      };
    case 'addTeam':
      return {
        body: { hostname: pick(FUZZ_HOSTS), team_assignment: pick(TEAMS), ...(chance(0.2) ? { reason: 'fuzz' } : {}) },
        fields: { hostname: 'string', team_assignment: 'string', reason: 'string' },
        required: ['hostname', 'team_assignment'],
      };
    case 'updateDevHost':
      return {
        body: { note: pick(['moved', '', 'rack 4']), ...(chance(0.2) ? { hostname: params.hostname } : {}) },
        fields: { note: 'string', hostname: 'string', reason: 'string' },
        required: ['note'],
      };
    case 'updateTeam':
      return {
        body: { team_assignment: pick(TEAMS), ...(chance(0.2) ? { hostname: params.hostname } : {}) },
        fields: { team_assignment: 'string', hostname: 'string', reason: 'string' },
        required: ['team_assignment'],
      };
    case 'importDevHosts':
    case 'importTeams': {
      const team = id === 'importTeams';
      const body = Array.from({ length: 1 + int(4) }, () => {
        const host = pick(FUZZ_HOSTS);
        return chance(0.4)
          ? team
            ? `${host},${pick(TEAMS)}`
            : host
          : team
            ? { hostname: host, team_assignment: pick(TEAMS) }
            : { hostname: host, note: 'imported' };
      });
      return { body, fields: {}, required: [] };
    }
    case 'setConfig': {
      const key = (CONFIG_NAMES as string[]).includes(params.key) ? (params.key as keyof typeof ConfigKeys) : pick(CONFIG_NAMES);
      return {
        body: { value: validConfigValue(key), ...(chance(0.2) ? { reason: 'fuzz' } : {}) },
        fields: { value: 'any', reason: 'string' },
        required: ['value'],
      };
    }
    case 'replayDeadLetters':
    case 'purgeDeadLetters': {
      const body: Obj = {};
      if (chance(0.4)) body.stage = pick(['forwarder', 'alerter', 'ingest']);
      if (chance(0.3)) body.reason = pick(['retries_exhausted', 'schema_invalid', 'undecodable']);
      if (chance(0.2)) body.since = pick(['2025-11-08T12:00:00Z', 1762603200000, '2025-11-08']);
      if (chance(0.2)) body.comment = 'fuzz';
      if (id === 'replayDeadLetters') {
        if (chance(0.4)) body.limit = pick([1, 100, 1000]);
        return { body, fields: { stage: 'string', reason: 'enum', since: 'time', limit: 'number', comment: 'string' }, required: [] };
      }
      body.confirm = true;
      return {
        body,
        fields: { stage: 'string', reason: 'enum', since: 'time', confirm: 'bool', comment: 'string' },
        required: ['confirm'],
      };
    }
    default:
      return null;
  }
}

function wrongType(kind: Kind): unknown {
  switch (kind) {
    case 'string':
    case 'enum':
    case 'time':
      return pick([123, true, {}, [], { $ne: 1 }, -1.5]);
    // coerce.number() turns true and [] into numbers, so only values no coercion accepts
    case 'number':
      return pick<unknown>(['abc', {}, [1, 2], '1e', 'NaN', { valueOf: 1 }]);
    case 'bool':
      return pick(['yes', 2, {}, [], 'TRUE']);
    case 'array':
      return pick(['not a list', 5, { 0: 'a' }, true]);
    default:
      return pick([{ deep: [1, 2] }, [[[]]], 'abc', -1]);
  }
}

function outOfRange(kind: Kind): unknown {
  return kind === 'number' || kind === 'any'
    ? pick([-1, 8, 1_000_001, 1e21, -1e308, 1.5, 2 ** 53 + 2, 1001, 0, 7.000001])
    : pick([1e21, -1, 0.5, 2 ** 63]);
}

function deepMarker(): string {
  return `@@DEEP:${pick([40, 1000, 20_000, 120_000])}:${pick(['[', '{'])}@@`;
}

function expandDeep(text: string): string {
  return text.replace(/"@@DEEP:(\d+):([[{])@@"/g, (_m, n: string, open: string) => {
    const depth = Number(n);
    return open === '[' ? '['.repeat(depth) + '1' + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  });
}

const EXTRA_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'x'.repeat(1000),
  '',
  'id ',
  'ID',
  'revision',
  'created_at',
  'updated_by',
  'unknown_field',
  '$where',
];

function setKey(o: Obj, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
}

interface Mutated {
  body: unknown;
  labels: string[];
  /** The field the mutations targeted, when exactly one field mutation was applied. */
  fields: string[];
  /** Mutations that cannot be pinned on one field (extra keys, whole-body changes, duplicate ids). */
  other: number;
}

function mutate(op: OperationSpec, p: BodyPlan, n: number): Mutated {
  const out: Mutated = { body: p.body, labels: [], fields: [], other: 0 };
  if (Array.isArray(p.body)) {
    // host imports: break one item, or the list itself
    const list = [...p.body];
    for (let m = 0; m < n; m++) {
      const i = int(list.length);
      const kind = int(6);
      if (kind === 0) list[i] = pick(chance(0.5) ? HOST_EDGES : ODD_STRINGS);
      else if (kind === 1) list[i] = { hostname: pick(ODD_STRINGS), team_assignment: pick([...TEAMS, '', 5, null]) };
      else if (kind === 2) list[i] = pick([null, 5, [], true, [['nested']]]);
      else if (kind === 3) list.push(...Array.from({ length: pick([50, 300]) }, (_, k) => `bulk-${k}.fz`));
      else if (kind === 4) list[i] = `${pick(FUZZ_HOSTS)},${pick(['', 'x'.repeat(101), 'A,B,C'])}`;
      else list[i] = { hostname: deepMarker() };
      out.labels.push(`import item[${i}] kind ${kind}`);
      out.other++;
    }
    out.body = chance(0.1) ? { [pick(['hosts', 'teams', 'items', 'other'])]: list } : list;
    return out;
  }
  const body: Obj = { ...p.body };
  const names = Object.keys(p.fields);
  for (let m = 0; m < n; m++) {
    const kind = pick([
      'drop',
      'drop',
      'wrong',
      'wrong',
      'null',
      'huge',
      'unicode',
      'deep',
      'array',
      'range',
      'range',
      'extra',
      'nested',
      'regex',
      'dup',
      'odd',
    ]);
    const field = kind === 'drop' && p.required.length && chance(0.8) ? pick(p.required) : pick(names.length ? names : ['value']);
    switch (kind) {
      case 'drop':
        delete body[field];
        if (!p.required.includes(field) && field !== 'match_type') {
          // dropping an optional field is no fault (match_type defaults to contains, which may then lack match_string)
          out.labels.push(`drop optional ${field}`);
          continue;
        }
        break;
      case 'wrong':
        body[field] = wrongType(p.fields[field] ?? 'any');
        break;
      case 'null':
        body[field] = null;
        break;
      case 'huge':
        body[field] = 'x'.repeat(100 * 1024);
        break;
      case 'unicode':
        body[field] = field === 'hostname' && chance(0.6) ? pick(HOST_EDGES) : pick(ODD_STRINGS);
        break;
      case 'deep':
        body[field] = deepMarker();
        break;
      case 'array':
        body[field] = [body[field] ?? 'x'];
        break;
      case 'range':
        body[field] = outOfRange(p.fields[field] ?? 'any');
        break;
      case 'extra':
        setKey(body, pick(EXTRA_KEYS), pick([{ polluted: true }, 'x', 1, null, deepMarker()]));
        out.labels.push('extra key');
        out.other++;
        continue;
      case 'nested': {
        // a field inside the first proposed rule of a rule test
        const rules = body.rules;
        if (!Array.isArray(rules) || !rules.length) {
          out.labels.push('nested (no-op)');
          continue;
        }
        const first: Obj = { ...(rules[0] as Obj) };
        const g = pick(['team_assignment', 'prod_handling', 'priority', 'match_type', 'id']);
        if (chance(0.5)) delete first[g];
        else first[g] = wrongType(RULE_FIELDS[g]);
        body.rules = [first, ...rules.slice(1)];
        out.labels.push(`nested rules.0.${g}`);
        out.fields.push(`rules.0.${g}`);
        continue;
      }
      case 'regex': {
        const pattern = pick(REGEXES);
        if (Array.isArray(body.rules) && body.rules.length) {
          body.rules = [{ ...(body.rules[0] as Obj), match_type: 'regex', match_string: pattern }, ...body.rules.slice(1)];
          out.labels.push(`regex rules.0 ${JSON.stringify(pattern)}`);
          out.fields.push('rules.0.match_string');
        } else if ('team_assignment' in p.fields) {
          body.match_type = 'regex';
          body.match_string = pattern;
          out.labels.push(`regex ${JSON.stringify(pattern)}`);
          out.fields.push('match_string');
        } else {
          body[field] = pattern;
          out.labels.push(`regex-ish ${field}`);
          out.fields.push(field);
        }
        continue;
      }
      case 'dup':
        // a duplicated id: an existing (seeded or fuzzed) rule id, or the same host twice
        if ('id' in p.fields) body.id = pick([...SEED_RULES, ...FUZZ_RULES]);
        else if ('hostname' in p.fields) body.hostname = pick(FUZZ_HOSTS);
        else if (Array.isArray(body.rules) && body.rules.length) body.rules = [...body.rules, body.rules[0]];
        out.labels.push('duplicate id');
        out.other++;
        continue;
      default:
        body[field] = pick([...ODD_STRINGS, 0, -0, 1e308, true]);
    }
    out.labels.push(`${kind} ${field}`);
    // without match_type the rule is 'contains', which needs match_string: either may be named
    out.fields.push(kind === 'drop' && field === 'match_type' ? 'match_type|match_string' : field);
  }
  if (op.operationId.startsWith('createRule') || op.operationId === 'replaceRule') {
    // a rule id that is not a valid id names `id`
    if (typeof body.id === 'string' && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(body.id)) out.fields.push('id');
  }
  out.body = body;
  return out;
}

// ---------------------------------------------------------------- cases

type Role = 'admin' | 'read' | 'ingest' | 'none' | 'invalid';

interface Case {
  i: number;
  op: OperationSpec;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  role: Role;
  labels: string[];
  /** Set when exactly one field was broken and nothing else was odd: a 400 must name it. */
  field?: string;
  ifMatch?: string;
  bytes: number;
}

function paramValue(name: string, write: boolean, seqs: number[]): { raw: string; decoded: string; odd: boolean } {
  if (chance(0.22)) {
    const raw = pick(HOSTILE_SEGMENTS);
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // stays raw, as the router keeps it
    }
    return { raw, decoded, odd: true };
  }
  let v: string;
  if (name === 'id') v = !write && chance(0.3) ? pick(SEED_RULES) : pick(FUZZ_RULES);
  else if (name === 'hostname') v = pick(FUZZ_HOSTS);
  else if (name === 'key') v = pick(CONFIG_NAMES);
  else if (name === 'seq') v = String(seqs.length && chance(0.7) ? pick(seqs) : 1 + int(400));
  else v = 'x';
  return { raw: encodeURIComponent(v), decoded: v, odd: false };
}

function queryString(op: OperationSpec): { text: string; odd: boolean } {
  const keys = op.query ? Object.keys(op.query.shape) : [];
  if (op.operationId.startsWith('import') && chance(0.7)) {
    // mostly well-formed for imports, so the body decides
    const parts = [`mode=${chance(0.85) ? 'merge' : 'replace'}`];
    if (op.operationId === 'importTeams' && chance(0.5)) parts.push(`team=${pick(TEAMS)}`);
    return { text: '?' + parts.join('&'), odd: false };
  }
  if (!chance(keys.length ? 0.6 : 0.1)) return { text: '', odd: false };
  const parts: string[] = [];
  const n = 1 + int(4);
  for (let k = 0; k < n; k++) {
    const key = keys.length && chance(0.85) ? pick(keys) : pick(UNKNOWN_QUERY_KEYS);
    parts.push(chance(0.05) ? key : `${key}=${pick(QUERY_VALUES)}`);
  }
  return { text: '?' + parts.join(pick(['&', '&', '&', '&&', '&;'])), odd: true };
}

function makeCase(i: number, op: OperationSpec, seqs: number[]): Case {
  const labels: string[] = [];
  let odd = false;
  const write = op.method !== 'get';
  const params: Record<string, string> = {};
  const path = op.path.replace(/:([a-z]+)/g, (_m, name: string) => {
    const v = paramValue(name, write, seqs);
    params[name] = v.decoded;
    if (v.odd) {
      odd = true;
      labels.push(`param ${name}=${v.raw.slice(0, 40)}`);
    }
    return v.raw;
  });
  const q = queryString(op);
  if (q.odd) {
    odd = true;
    labels.push(`query ${q.text.slice(0, 80)}`);
  }

  const r = rand();
  const role: Role =
    op.scope === null
      ? r < 0.8
        ? 'none'
        : 'admin'
      : r < 0.76
        ? 'admin'
        : r < 0.9
          ? 'read'
          : r < 0.94
            ? 'ingest'
            : r < 0.97
              ? 'none'
              : 'invalid';
  const headers: Record<string, string> = {};
  if (role !== 'none')
    headers['X-API-Key'] = role === 'invalid' ? pick(['wrong-key-0123456789abcdef', KEYS.admin + 'x', ' ', 'Bearer x']) : KEYS[role];
  if (role === 'invalid' && chance(0.3)) {
    delete headers['X-API-Key'];
    headers.Authorization = pick(['Bearer nope', 'Basic YWRtaW46YWRtaW4=', 'Bearer', `Bearer ${KEYS.admin} extra`]);
  }
  let ifMatch: string | undefined;
  if (write && chance(0.12)) {
    ifMatch = pick(IF_MATCH);
    headers['If-Match'] = ifMatch;
    odd = true;
    labels.push(`If-Match ${JSON.stringify(ifMatch)}`);
  }
  if (write && chance(0.08)) headers['X-Change-Reason'] = pick(REASONS);
  if (chance(0.05)) headers['X-Correlation-ID'] = pick(['c', 'x'.repeat(300), 'with space', '../x']);

  let body: string | Uint8Array | undefined;
  let field: string | undefined;
  const p = plan(op, params);
  const isImport = op.operationId.startsWith('import');
  if (p) {
    const roll = rand();
    const n = roll < 0.2 ? 0 : roll < 0.75 ? 1 : 2 + int(2);
    const m = mutate(op, p, n);
    labels.push(...m.labels);
    if (m.fields.length === 1 && m.other === 0) field = m.fields[0];
    let text = JSON.stringify(m.body);
    if (isImport && Array.isArray(m.body) && chance(0.4)) {
      // the CSV form of the same list
      text =
        (chance(0.3) ? 'hostname,team\n# fuzz\n' : '') +
        m.body
          .map((x) =>
            typeof x === 'string'
              ? x
              : x && typeof x === 'object'
                ? Object.values(x as Obj)
                    .map(String)
                    .join(',')
                : String(x),
          )
          .join(pick(['\n', '\r\n', '\n\n']));
      headers['Content-Type'] = pick(['text/csv', 'text/plain', 'text/csv; charset=utf-8']);
      labels.push('csv');
    } else headers['Content-Type'] = 'application/json';
    text = expandDeep(text);
    const raw = rand();
    if (raw < 0.05) {
      text = text.slice(0, int(Math.max(1, text.length)));
      labels.push('truncated JSON');
      field = undefined;
    } else if (raw < 0.09) {
      text = pick(GARBAGE);
      labels.push(`garbage ${JSON.stringify(text.slice(0, 30))}`);
      field = undefined;
    } else if (raw < 0.12) {
      text = pick(JSON_LITERALS);
      labels.push(`literal ${text}`);
      field = undefined;
    } else if (raw < 0.14) {
      text = '';
      labels.push('empty body');
      field = undefined;
    } else if (raw < 0.16 && text.startsWith('{"')) {
      // the same key twice: JSON.parse keeps the last
      text =
        `{"${pick(Object.keys(p.fields).length ? Object.keys(p.fields) : ['x'])}":${JSON.stringify(pick(ODD_STRINGS))},` + text.slice(1);
      labels.push('duplicated key');
      field = undefined;
    } else if (raw < 0.165) {
      text = `{"value":"${'x'.repeat(BODY_LIMIT + 1000)}"}`;
      labels.push('over the body limit');
      field = undefined;
    }
    if (chance(0.07)) {
      headers['Content-Type'] = pick(CONTENT_TYPES);
      labels.push(`Content-Type ${JSON.stringify(headers['Content-Type'])}`);
      if (isImport) field = undefined;
    }
    if (chance(0.01)) {
      body = Uint8Array.from({ length: int(2000) }, () => int(256));
      labels.push('random bytes');
      field = undefined;
    } else body = text;
  } else if (write && chance(0.15)) {
    // routes without a body: whatever is sent is ignored
    body = pick([...GARBAGE, '{"id":"x"}']);
    headers['Content-Type'] = pick(['application/json', ...CONTENT_TYPES]);
    labels.push('body on a bodiless route');
  }
  if (odd || role !== 'admin') field = undefined;
  const bytes = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  return { i, op, path: path + q.text, headers, body, role, labels, field, ifMatch, bytes };
}

// ---------------------------------------------------------------- running

interface Answer {
  status: number;
  text: string;
  json: unknown;
  ms: number;
}

async function send(c: Case): Promise<Answer> {
  const headers = new Headers();
  for (const [k, v] of Object.entries(c.headers)) {
    try {
      headers.set(k, v);
    } catch {
      // not a header value fetch accepts; the case goes without it
    }
  }
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`HANG: no answer within ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    const res = await Promise.race([
      f.app.request(c.path, { method: c.op.method.toUpperCase(), headers, body: c.body as BodyInit | undefined }),
      hang,
    ]);
    const text = await Promise.race([res.text(), hang]);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

function describe(c: Case, a?: Answer): string {
  const body = c.body === undefined ? '' : typeof c.body === 'string' ? c.body.slice(0, 300) : `<${c.body.byteLength} bytes>`;
  return (
    `case ${c.i} (seed ${SEED}): ${c.op.method.toUpperCase()} ${c.path.slice(0, 200)} as ${c.role} [${c.labels.join('; ')}] body ${body}` +
    (a ? ` → ${a.status} in ${Math.round(a.ms)} ms: ${a.text.slice(0, 400)}` : '')
  );
}

async function statusCounts(): Promise<Map<string, number>> {
  const h = f.ctx.registry.getSingleMetric('mutt_gateway_request_duration_seconds') as Histogram<'route' | 'status'> | undefined;
  const out = new Map<string, number>();
  if (!h) return out;
  for (const v of (await h.get()).values) {
    if (!(v as { metricName?: string }).metricName?.endsWith('_count')) continue;
    const s = String(v.labels.status);
    out.set(s, (out.get(s) ?? 0) + v.value);
  }
  return out;
}

async function authFailureCount(): Promise<number> {
  const c = f.ctx.registry.getSingleMetric('mutt_gateway_auth_failures_total') as Counter<'reason'> | undefined;
  return c ? (await c.get()).values.reduce((s, v) => s + v.value, 0) : 0;
}

async function read(path: string): Promise<{ status: number; text: string; etag: string | null }> {
  const res = await f.app.request(path, { headers: { 'X-API-Key': KEYS.read } });
  return { status: res.status, text: await res.text(), etag: res.headers.get('etag') };
}

const seqs: number[] = [];
const seeded = new Map<string, { text: string; etag: string | null }>();

t.before(async () => {
  // A short regex budget keeps a regex write well under the hang limit (default is 5 s per analysis).
  f = await apiFixture({ regexTimeoutMs: 300, authThrottle: new FailureThrottle({ maxFailures: 1_000_000 }) });
  const post = async (path: string, body: unknown) => {
    const res = await f.app.request(path, {
      method: 'POST',
      headers: { 'X-API-Key': KEYS.admin, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(res.status === 201, `seeding ${path}: ${res.status} ${await res.text()}`);
  };
  await post('/api/v2/rules', rule('seed-contains', { priority: 5, description: 'seeded' }));
  await post('/api/v2/rules', rule('seed-oid', { match_type: 'oid_prefix', match_string: null, trap_oid: '1.3.6.1.4.1.9.9.41' }));
  await post('/api/v2/rules', rule('seed-regex', { match_type: 'regex', match_string: '^seed-[0-9]+$', is_active: false }));
  for (const id of ['fz-1', 'fz-2']) await post('/api/v2/rules', rule(id));
  await post('/api/v2/dev-hosts', { hostname: 'fz-h1', note: 'seeded' });
  await post('/api/v2/teams', { hostname: 'fz-h1', team_assignment: 'NETO' });
  for (let k = 0; k < 6; k++) {
    const h = natsHeaders();
    h.set('Mutt-Correlation-Id', `fuzz-${k}`);
    const ack = await deadLetter(f.js, {
      stage: pick(['alerter', 'forwarder']),
      reason: pick(['schema_invalid', 'retries_exhausted']),
      attempts: 3,
      firstError: 'boom',
      lastError: 'boom',
      firstSeenAt: Date.now() - 1000,
      originalSubject: 'mutt.events.syslog.test_host',
      originalStream: StreamName.events,
      originalSeq: k + 1,
      originalHeaders: h,
      originalPayload: k % 3 === 2 ? new Uint8Array([0xc1, 0xff]) : encode(IngestEvent, sampleEvent(`fz-ev-${k}`, 'hello')),
    });
    seqs.push(ack.seq);
  }
  for (const id of SEED_RULES) {
    const r = await read(`/api/v2/rules/${id}`);
    assert.is(r.status, 200, r.text);
    seeded.set(id, { text: r.text, etag: r.etag });
  }
});

t.after(async () => {
  await f?.close();
});

t(`${CASES} seeded random cases over every management route: no 5xx, no hang, every rejection JSON, counted and explained`, async () => {
  const ops = apiRegistry().operations;
  assert.ok(ops.length > 50, `${ops.length} operations`);
  const weight = (op: OperationSpec) => (op.body ? 4 : op.method !== 'get' ? 2 : 1);
  const bag = ops.flatMap((op) => Array.from({ length: weight(op) }, () => op));
  const statuses = new Map<number, number>();
  const perOp = new Map<string, number>();
  const metricBefore = await statusCounts();
  const authBefore = await authFailureCount();
  const started = performance.now();
  let slowest = { ms: 0, what: '' };
  let fieldChecked = 0;

  for (let i = 0; i < CASES; i++) {
    const op = i < ops.length ? ops[i] : pick(bag);
    const c = makeCase(i, op, seqs);
    let a: Answer;
    try {
      a = await send(c);
    } catch (err) {
      throw new Error(`${describe(c)} threw: ${(err as Error).stack}`, { cause: err });
    }
    statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    perOp.set(op.operationId, (perOp.get(op.operationId) ?? 0) + 1);
    if (a.ms > slowest.ms) slowest = { ms: a.ms, what: `case ${i} ${op.method.toUpperCase()} ${c.path.slice(0, 120)}` };

    assert.ok(a.status < 500, `5xx: ${describe(c, a)}`);
    assert.ok(a.status >= 200 && a.status !== 204, `unexpected status: ${describe(c, a)}`);
    if (a.status >= 400) {
      const body = a.json as { error?: unknown; issues?: unknown } | undefined;
      assert.ok(
        body !== null && typeof body === 'object' && typeof body.error === 'string' && body.error.trim() !== '',
        `4xx without a JSON {error}: ${describe(c, a)}`,
      );
    }
    // Auth follows the key, before anything else is looked at.
    if (op.scope === null) assert.ok(a.status !== 401 && a.status !== 403, `public route refused: ${describe(c, a)}`);
    else if (c.role === 'none' || c.role === 'invalid') assert.is(a.status, 401, `no valid key: ${describe(c, a)}`);
    else if (c.role === 'ingest' || (c.role === 'read' && op.scope === 'admin')) assert.is(a.status, 403, `scope: ${describe(c, a)}`);
    else assert.ok(a.status !== 401 && a.status !== 403, `a sufficient key refused: ${describe(c, a)}`);
    if (a.status === 412)
      assert.ok(c.ifMatch !== undefined && /\d/.test(c.ifMatch), `412 without a revision in If-Match: ${describe(c, a)}`);
    if (a.status === 413) {
      // A 413 names its limit: bytes only beyond the byte limit; items, depth or values measured before parsing.
      const exceeded = (a.json as { exceeded?: unknown } | undefined)?.exceeded;
      if (exceeded === 'bytes') assert.ok(c.bytes > BODY_LIMIT, `413 under the limit: ${describe(c, a)}`);
      else
        assert.ok(
          exceeded === 'items' || exceeded === 'depth' || exceeded === 'values',
          `413 without the limit it exceeded: ${describe(c, a)}`,
        );
    }
    if (a.status === 409) assert.ok(op.method === 'post' && /^(create|add)/.test(op.operationId), `409 on a non-create: ${describe(c, a)}`);

    if (a.status === 400) {
      // Every 400 explains itself: a non-empty issues list, each naming a place (a field, a line, a header, '' for
      // the whole body) and a reason.
      const body = a.json as { error: string; issues?: { path?: unknown; message?: unknown }[] };
      assert.ok(Array.isArray(body.issues) && body.issues.length > 0, `400 without issues: ${describe(c, a)}`);
      for (const issue of body.issues!) {
        assert.type(issue.path, 'string', `issue without a path: ${describe(c, a)}`);
        assert.ok(typeof issue.message === 'string' && issue.message.trim() !== '', `issue without a message: ${describe(c, a)}`);
      }
      if (c.field) {
        // The only thing wrong was one field: the answer names it.
        const names = c.field.split('|');
        const named = names.some(
          (field) =>
            body.issues!.some((x) => String(x.path).split('.').includes(field.split('.').pop()!) || String(x.path).includes(field)) ||
            body.error.includes(field),
        );
        assert.ok(named, `400 does not name '${c.field}': ${describe(c, a)}`);
        fieldChecked++;
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;

  // Every operation was exercised, and the mix produced successes and several kinds of refusal.
  for (const op of ops) assert.ok(perOp.has(op.operationId), `never exercised: ${op.operationId}`);
  const sorted = [...statuses].sort((x, y) => x[0] - y[0]);
  const count = (pred: (s: number) => boolean) => sorted.filter(([s]) => pred(s)).reduce((n, [, k]) => n + k, 0);
  const ok = count((s) => s < 300);
  const fivexx = count((s) => s >= 500);
  const line =
    `fuzz seed ${SEED}: ${CASES} cases, 2xx ${ok}, ` +
    sorted
      .filter(([s]) => s >= 300)
      .map(([s, k]) => `${s} ${k}`)
      .join(', ') +
    `, ${fivexx} 5xx; ${fieldChecked} field-naming checks; slowest ${Math.round(slowest.ms)} ms (${slowest.what}); ${seconds.toFixed(1)} s`;
  console.log(line);
  assert.ok(ok > CASES * 0.05, `too few successes: ${line}`);
  if (CASES >= 1000) {
    for (const s of [400, 401, 403, 404, 409]) assert.ok(statuses.has(s), `no ${s}: ${line}`);
    assert.ok(fieldChecked > CASES / 30, `only ${fieldChecked} single-field 400s checked: ${line}`);
  }

  // Every rejection counted: the gateway's own per-status request metric moved by exactly what the fuzz saw,
  // and its auth-failure counter by the 401s and 403s.
  const metricAfter = await statusCounts();
  for (const [s, k] of statuses) {
    const delta = (metricAfter.get(String(s)) ?? 0) - (metricBefore.get(String(s)) ?? 0);
    assert.is(delta, k, `mutt_gateway_request_duration_seconds_count{status="${s}"} moved by ${delta}, the fuzz saw ${k}`);
  }
  const totalDelta = [...metricAfter.values()].reduce((x, y) => x + y, 0) - [...metricBefore.values()].reduce((x, y) => x + y, 0);
  assert.is(totalDelta, CASES, 'the request metric counted every case once');
  assert.is((await authFailureCount()) - authBefore, (statuses.get(401) ?? 0) + (statuses.get(403) ?? 0), 'auth failures counted');

  const crashed = f.logLines.filter((l) => l.includes('unhandled error'));
  assert.is(
    crashed.length,
    0,
    `unhandled errors logged: ${crashed
      .slice(0, 3)
      .map((l) => l.slice(0, 800))
      .join('\n')}`,
  );
  assert.is(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  assert.is((Object.prototype as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
});

t('after the fuzz: seeded rules byte-identical, every list still answers valid JSON', async () => {
  for (const [id, before] of seeded) {
    const now = await read(`/api/v2/rules/${id}`);
    assert.is(now.status, 200, `${id}: ${now.text}`);
    assert.is(now.text, before.text, `rule ${id} changed`);
    assert.is(now.etag, before.etag, `rule ${id} revision changed`);
  }
  const list = await read('/api/v2/rules');
  assert.is(list.status, 200, list.text);
  const body = JSON.parse(list.text) as { rules: { id: string }[]; total: number; invalid: unknown[] };
  assert.ok(Array.isArray(body.rules) && body.total === body.rules.length, list.text.slice(0, 300));
  assert.equal(body.invalid, [], 'no stored rule fails validation');
  for (const [id, before] of seeded) assert.is(JSON.stringify(body.rules.find((r) => r.id === id)), before.text, `${id} in the list`);
  for (const path of [
    '/api/v2/dev-hosts',
    '/api/v2/teams',
    '/api/v2/config',
    '/api/v2/dlq',
    '/api/v2/audit/config?limit=500',
    '/api/v1/audit',
    '/api/v2/metrics',
  ]) {
    const r = await read(path);
    assert.is(r.status, 200, `${path}: ${r.text.slice(0, 300)}`);
    JSON.parse(r.text);
  }
});

t.run();
