// 3,000 random and hostile bodies against the three ingest routes: the answer is always a 2xx or a 4xx with a
// JSON body, never a 5xx, and the process survives. Seeded, so a failure names a reproducible case.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ingestFixture, INGEST_KEY, type IngestFixture } from './ingest-fixture.ts';
import { prng } from '../../bench/rules-engine.ts';

const SEED = Number(process.env.MUTT_FUZZ_SEED ?? 20251112);
const CASES = 3000;
let f: IngestFixture;

test.before(async () => {
  f = await ingestFixture({ MUTT_BODY_LIMIT_BYTES: String(256 * 1024) }, { maxEventsPerRequest: 500 });
});
test.after(async () => {
  await f?.close();
});

const rand = prng(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

const KEYS = [
  'host',
  'hostname',
  'message',
  'timestamp',
  'time',
  'severity',
  'syslog_severity',
  'trap_oid',
  'trapOid',
  'kind',
  'id',
  'varbinds',
  'variables',
  'fields',
  'facility',
  'program',
  'source',
  'source_ip',
  'version',
  'enterprise',
  'genericTrap',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '_correlation_id',
  'correlationId',
  'raw',
  'receivedAt',
  '',
];
const STRINGS = [
  '',
  ' ',
  'x',
  'router1.example.com',
  'Error',
  'crit',
  '7',
  '-1',
  '1.3.6.1.4.1.9',
  '.1.3.6',
  'trap',
  'syslog',
  '2025-11-08T12:00:00Z',
  'Mar  1 00:01:02',
  '1762603200',
  'a\nb',
  '\u0000',
  '\ud800',
  '💥'.repeat(3),
  '%s%n',
  '../../etc/passwd',
  '@{oid=1.3.6.1; value=2}',
  '{"nested":"json"}',
  'null',
];

function value(depth: number): unknown {
  const r = int(depth > 4 ? 6 : 9);
  switch (r) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return pick([0, -1, 7, 8, 1.5, 1e21, -0, 2 ** 53, 1762603200000]);
    case 3:
    case 4:
      return pick(STRINGS);
    case 5:
      return 'z'.repeat(int(3) === 0 ? 70_000 : int(300));
    case 6:
      return Array.from({ length: int(4) }, () => value(depth + 1));
    default:
      return object(depth + 1);
  }
}

function object(depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const n = int(7);
  for (let i = 0; i < n; i++)
    Object.defineProperty(o, pick(KEYS), { value: value(depth), enumerable: true, configurable: true, writable: true });
  return o;
}

function plausible(): Record<string, unknown> {
  const o: Record<string, unknown> = { hostname: pick(['r1', 'sw2.lab', '', ' ', 'x'.repeat(300)]), message: pick(['link down', '', 5]) };
  if (rand() < 0.5) o.timestamp = pick(STRINGS);
  if (rand() < 0.5) o[pick(KEYS)] = value(0);
  return o;
}

function deep(n: number, open: string, close: string, inner = '1'): string {
  return open.repeat(n) + inner + close.repeat(n);
}

interface Case {
  path: string;
  body: Uint8Array | string;
  type?: string;
  headers: Record<string, string>;
  label: string;
}

function makeCase(i: number): Case {
  const path = pick(['/ingest', '/api/v1/ingest', '/api/v2/events', '/api/v2/events']);
  const headers: Record<string, string> = {};
  if (rand() < 0.1) headers['Idempotency-Key'] = pick(['k', 'dup-key', 'x'.repeat(151), 'ünïcode', `fuzz-${i}`]);
  if (rand() < 0.1) headers['X-Correlation-ID'] = pick(['c', 'x'.repeat(300), 'with space', 'é']);
  const type = pick([
    'application/json',
    'application/json',
    'application/x-ndjson',
    'text/plain',
    'application/xml',
    '',
    'multipart/form-data; boundary=x',
    'application/vnd.api+json',
  ]);
  const kind = int(12);
  let body: Uint8Array | string;
  let label: string;
  switch (kind) {
    case 0:
      body = Uint8Array.from({ length: int(2000) }, () => int(256));
      label = 'random bytes';
      break;
    case 1:
      body = deep(pick([10, 100, 5000, 100_000]), '[', ']');
      label = 'deep array';
      break;
    case 2:
      body = `{"host":"h","message":"m","x":${deep(pick([31, 33, 2000, 50_000]), '{"a":', '}')}}`;
      label = 'deep object';
      break;
    case 3:
      body = JSON.stringify({ hostname: 'h', message: 'x'.repeat(pick([65_536, 65_537, 300_000])) });
      label = 'huge string';
      break;
    case 4: {
      const json = Buffer.from(JSON.stringify({ hostname: 'h', message: 'PLACEHOLDER' }));
      const at = json.indexOf('PLACEHOLDER');
      json[at] = pick([0xff, 0xc3, 0xed, 0x80]);
      json[at + 1] = pick([0x28, 0xa0, 0xff]);
      body = json;
      label = 'invalid UTF-8';
      break;
    }
    case 5:
      body = `{"__proto__":{"polluted":true},"hostname":"h","message":"m","constructor":{"prototype":{"polluted":true}}}`;
      label = 'prototype pollution';
      break;
    case 6:
      body = Array.from({ length: int(20) }, () =>
        rand() < 0.7 ? JSON.stringify(plausible()) : pick(['{', 'null', '[]', '"s"', '{"a":1}{"b":2}', '\u0000']),
      ).join(pick(['\n', '\r\n', '\n\n']));
      label = 'ndjson-ish';
      break;
    case 7:
      body = JSON.stringify(Array.from({ length: pick([0, 1, 3, 50, 501]) }, () => (rand() < 0.6 ? plausible() : value(0))));
      label = 'array';
      break;
    case 8:
      body = JSON.stringify(value(0)) ?? 'undefined';
      label = 'random JSON value';
      break;
    case 9:
      body = pick([
        '',
        ' ',
        'null',
        'true',
        '0',
        '""',
        '{}',
        '[]',
        '[{}]',
        '{"hostname":null}',
        '\ufeff{}',
        '{"a":1,}',
        'NaN',
        '{"a":"\\ud800"}',
      ]);
      label = 'edge literal';
      break;
    default:
      body = JSON.stringify(plausible());
      label = 'plausible object';
  }
  return { path, body, type, headers, label };
}

test(`${CASES} random or hostile bodies: always 2xx or 4xx with a JSON body, never 5xx`, async () => {
  const statuses = new Map<number, number>();
  for (let i = 0; i < CASES; i++) {
    const c = makeCase(i);
    const headers = new Headers({ 'X-API-Key': INGEST_KEY });
    if (c.type) headers.set('Content-Type', c.type);
    for (const [k, v] of Object.entries(c.headers)) {
      try {
        headers.set(k, v);
      } catch {
        // not a valid header value for fetch itself; skip the header
      }
    }
    let res: Response;
    try {
      res = await f.app.request(c.path, { method: 'POST', body: c.body as BodyInit, headers });
    } catch (err) {
      throw new Error(`case ${i} (${c.label}, seed ${SEED}) threw: ${(err as Error).stack}`, { cause: err });
    }
    const text = await res.text();
    const ok = (res.status >= 200 && res.status < 300) || (res.status >= 400 && res.status < 500);
    assert.ok(ok, `case ${i} (${c.label} on ${c.path}, seed ${SEED}) answered ${res.status}: ${text.slice(0, 300)}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      assert.unreachable(`case ${i} (${c.label}) answered non-JSON: ${text.slice(0, 200)}`);
    }
    assert.type(parsed, 'object');
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  }
  assert.is(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  // The mix must exercise both sides: some accepted, several kinds of refusal.
  assert.ok(
    [...statuses.keys()].some((s) => s < 300),
    `no 2xx at all: ${JSON.stringify([...statuses])}`,
  );
  for (const s of [400, 413, 415]) assert.ok(statuses.has(s), `no ${s}: ${JSON.stringify([...statuses])}`);
  if (process.env.MUTT_FUZZ_VERBOSE) console.log(JSON.stringify([...statuses].sort()));
  const stillServing = await f.post('/api/v2/events', { host: 'after-fuzz', message: 'alive' });
  assert.is(stillServing.status, 202);
});

test.run();
