// Hostile request bodies against the shipped process (`mutt up` with npm start's heap cap): bodies under the
// byte limit that JSON.parse would turn into an object graph far larger than the heap (1.7 million `{}`, an array
// nested 2.5 million deep, one event holding a million items or 600,000 members), NDJSON floods, and bodies at and just over the
// byte limit — to the ingest routes and to management routes (a read key's rule tester, an admin's host import).
// Each must be answered with a 2xx or a 4xx naming the limit, and after each a canary event must still reach
// the fake Moogsoft. Figures (time, RSS) are measured by bench/hostile-http.ts, not asserted here.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startShipped, type Shipped } from '../helpers/shipped.ts';
import { deep as deepOf, flood as floodOf, wide } from '../helpers/hostile-bodies.ts';

const BODY_LIMIT = 5 * 1024 * 1024; // MUTT_BODY_LIMIT_BYTES's default: these tests run the defaults
const READ_KEY = 'reader-Key-0123456789ABCDEFabcdef';
const ADMIN_KEY = 'shipped-admin-Key-0123456789abcdef';

let m: Shipped | undefined;

/** The shipped process, started again when a case before this one killed it (so each case shows its own result). */
async function shipped(): Promise<Shipped> {
  if (m && m.proc.child.exitCode === null && m.proc.child.signalCode === null) return m;
  await m?.stop().catch(() => undefined);
  m = await startShipped({ env: { MUTT_API_KEYS: `ops:ingest+read+admin:${ADMIN_KEY},reader:read:${READ_KEY}` } });
  return m;
}

const flood = (bytes = BODY_LIMIT) => floodOf(bytes);
const deep = (bytes = BODY_LIMIT) => deepOf(bytes);

interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const s = await shipped();
  const res = await fetch(`${s.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY, ...headers },
    body,
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* asserted below */
  }
  return { status: res.status, body: parsed, text };
}

/** A 4xx that names the limit: `exceeded` is its name, `limit` its value, and the message says both. */
function refusedFor(a: Answer, name: 'items' | 'depth' | 'values' | 'bytes', limit?: number) {
  assert.is(a.status, 413, `expected 413 for ${name}, got ${a.status}: ${a.text.slice(0, 300)}`);
  assert.is(a.body.exceeded, name, a.text.slice(0, 300));
  assert.type(a.body.limit, 'number');
  if (limit !== undefined) assert.is(a.body.limit, limit);
  const message = String(a.body.error ?? a.body.message);
  assert.ok(message.includes(String(a.body.limit)), `message names the limit: ${message}`);
}

async function canary() {
  const s = await shipped();
  assert.is(s.proc.child.exitCode, null, `the process died:\n${s.proc.output().slice(-2000)}`);
  await s.canary(30_000);
}

test.after(async () => {
  await m?.stop();
});

test('POST /api/v2/events: 1.7 million {} in 5 MiB is refused for its items, and the process lives on', async () => {
  refusedFor(await post('/api/v2/events', flood()), 'items', 10_000);
  await canary();
});

test('POST /api/v2/events: an array nested 2.5 million deep is refused for its depth', async () => {
  refusedFor(await post('/api/v2/events', deep()), 'depth');
  await canary();
});

test('POST /api/v2/events: one event holding 1.7 million items or 600,000 members is refused for its items or values', async () => {
  refusedFor(await post('/api/v2/events', `{"host":"h1","message":"m","fields":{"x":${flood(BODY_LIMIT - 100)}}}`), 'items', 10_000);
  refusedFor(await post('/api/v2/events', `{"host":"h1","message":"m","fields":${wide(BODY_LIMIT - 100)}}`), 'values');
  await canary();
});

test('POST /api/v2/events: NDJSON floods (1.7 million lines of {}, 5 MiB of blank lines)', async () => {
  refusedFor(
    await post('/api/v2/events', '{}\n'.repeat(Math.floor(BODY_LIMIT / 3)), { 'content-type': 'application/x-ndjson' }),
    'items',
    10_000,
  );
  const blank = await post('/api/v2/events', '\n'.repeat(BODY_LIMIT), { 'content-type': 'application/x-ndjson' });
  assert.is(blank.status, 400, blank.text);
  await canary();
});

test('POST /ingest and /api/v1/ingest (legacy answers): the flood and the deep array name their limit', async () => {
  const legacy = await post('/ingest', flood());
  refusedFor(legacy, 'items', 10_000);
  assert.is(legacy.body.status, 'error', 'v2.5 shape');
  refusedFor(await post('/api/v1/ingest', deep()), 'depth');
  await canary();
});

test('POST /api/v2/events at the byte limit is served (202), one byte over it is refused for its bytes', async () => {
  // 5,000 valid events padded to exactly the limit.
  const n = 5000;
  const events = Array.from({ length: n }, (_, i) => ({ host: `edge-${i}.example.com`, message: `at-limit ${i} `, severity: 'info' }));
  const base = JSON.stringify(events).length;
  const pad = BODY_LIMIT - base;
  events.forEach((e, i) => (e.message += 'x'.repeat(Math.floor(pad / n) + (i < pad % n ? 1 : 0))));
  const atLimit = JSON.stringify(events);
  assert.is(Buffer.byteLength(atLimit), BODY_LIMIT);
  const ok = await post('/api/v2/events', atLimit);
  assert.is(ok.status, 202, ok.text.slice(0, 300));
  assert.is(ok.body.accepted, n);
  refusedFor(await post('/api/v2/events', atLimit + ' '), 'bytes', BODY_LIMIT);
  refusedFor(await post('/ingest', atLimit + ' '), 'bytes', BODY_LIMIT);
  await canary();
});

test('POST /api/v2/rules/test with a read key: the flood, the deep array and a million proposed rules name their limit', async () => {
  const read = { 'x-api-key': READ_KEY };
  refusedFor(await post('/api/v2/rules/test', flood(), read), 'items');
  refusedFor(await post('/api/v2/rules/test', deep(), read), 'depth');
  refusedFor(await post('/api/v2/rules/test', `{"host":"h","message":"m","rules":${flood(BODY_LIMIT - 100)}}`, read), 'items', 10_000);
  refusedFor(await post('/api/v2/rules/test', `{"host":"h","message":"m","rules":[${wide(BODY_LIMIT - 100)}]}`, read), 'values');
  const atLimit = await post('/api/v2/rules/test', JSON.stringify({ host: 'h', message: 'x'.repeat(BODY_LIMIT - 40) }), read);
  assert.ok(atLimit.status >= 200 && atLimit.status < 500, `a 2xx or a 4xx: ${atLimit.status}`);
  await canary();
});

test('POST /api/v2/teams/import with an admin key: the flood and the deep array name their limit', async () => {
  refusedFor(await post('/api/v2/teams/import', flood()), 'items');
  refusedFor(await post('/api/v2/teams/import', deep()), 'depth');
  await canary();
});

test.run();
