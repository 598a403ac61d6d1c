import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { loadEnv } from '../../protocol/env.ts';
import { Bucket } from '../../protocol/streams.ts';
import {
  characterClasses,
  generateSecret,
  grants,
  hashSecret,
  KeySpecError,
  parseKeyList,
  parseKeySpec,
  secretProblem,
  verifySecret,
} from '../../gateway/auth/keys.ts';
import {
  addApiKey,
  listApiKeys,
  NoApiKeysError,
  openApiKeyStore,
  openKeysBucket,
  revokeApiKey,
  type ApiKeyStore,
} from '../../gateway/auth/store.ts';
import { authGuard, requireScope } from '../../gateway/auth/middleware.ts';
import { FailureThrottle } from '../../gateway/auth/throttle.ts';
import { throttleKey } from '../../gateway/auth/throttle-key.ts';
import { errorRenderer } from '../../gateway/http-error.ts';
import { correlationId } from '../../gateway/middleware/correlation.ts';
import type { GatewayEnv } from '../../gateway/middleware/context.ts';

const SECRET_INGEST = 'ingest-secret-0123456789';
const SECRET_ADMIN = 'admin-secret-0123456789abc';
const SECRET_READ = 'read-secret-0123456789abcd';

let nats: TestNats;
let nc: NatsConnection;
const stores: ApiKeyStore[] = [];
const logLines: string[] = [];
const log = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });

test.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  await provision(nc, loadEnv({ MUTT_STORAGE: 'memory' }));
});

test.after(async () => {
  for (const s of stores) await s.close();
  await nc?.close();
  await nats?.stop();
});

async function resetKeys() {
  const kvm = new Kvm(nc);
  await (await kvm.open(Bucket.keys)).destroy();
  await kvm.create(Bucket.keys, { history: 5 });
}

async function open(env: Record<string, string>, opts: { allowEmpty?: boolean } = {}) {
  const s = await openApiKeyStore(nc, loadEnv(env), { log, ...opts });
  stores.push(s);
  return s;
}

async function eventually(check: () => boolean | Promise<boolean>, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---- pure parts ----

test('key specs parse: scopes, secret containing ":", file comments', () => {
  assert.equal(parseKeySpec('rsyslog:ingest:abc:def:0123456789xyz', 'x'), {
    name: 'rsyslog',
    scopes: ['ingest'],
    secret: 'abc:def:0123456789xyz',
  });
  assert.equal(
    parseKeyList(` a:ingest+read:${SECRET_INGEST} , b:admin+admin:${SECRET_ADMIN},`, 'MUTT_API_KEYS', ',').map((k) => [k.name, k.scopes]),
    [
      ['a', ['ingest', 'read']],
      ['b', ['admin']],
    ],
  );
  const file = `# senders\n\nrsyslog:ingest:${SECRET_INGEST}\r\n  # ops\nops:admin+read:${SECRET_ADMIN}\n`;
  assert.equal(
    parseKeyList(file, 'keys.txt', '\n').map((k) => k.name),
    ['rsyslog', 'ops'],
  );
});

test('bad key specs are refused with a message that names the entry and never the secret', () => {
  const cases: [string, RegExp][] = [
    ['nocolons', /expected name:scope/],
    ['bad name!:ingest:0123456789abcdefgh', /key name/],
    ['x:write:0123456789abcdefgh', /unknown scope 'write'/],
    ['x:ingest:short', /secret is too weak \(5 characters/],
    [
      'x:ingest:password12345678',
      /secret is too weak \(16 characters, 2 character classes, 15 different\): it needs at least 20 characters mixing 3 of lower case, upper case, digits and symbols, or at least 32 characters/,
    ],
    ['x:ingest:has space 0123456789', /visible ASCII/],
  ];
  for (const [spec, re] of cases) {
    try {
      parseKeyList(`ok:ingest:${SECRET_INGEST},${spec}`, 'MUTT_API_KEYS', ',');
      assert.unreachable(spec);
    } catch (err) {
      assert.instance(err, KeySpecError);
      assert.match((err as Error).message, re);
      assert.match((err as Error).message, /MUTT_API_KEYS entry 2/);
      assert.not.ok((err as Error).message.includes('0123456789'), 'secret not echoed');
    }
  }
});

test('secret strength: 20+ characters of 3 classes, or 32+ characters; 8 different characters; generated ones pass', () => {
  const weak = [
    'password12345678',
    'password1234567890123',
    'abcdefghijklmnopqrst',
    'i'.repeat(40),
    'abababababababababababababababab12',
    'Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!',
  ];
  for (const s of weak) assert.match(secretProblem(s) ?? 'accepted', /too weak.*mutt keys add NAME --generate/, s);
  const strong = [
    'admin-secret-0123456789abcdef',
    'Correct-Horse-Battery9',
    '0123456789abcdef0123456789abcdef',
    generateSecret(),
    randomBytes(32).toString('hex'),
    randomBytes(24).toString('base64url'),
  ];
  for (const s of strong) assert.is(secretProblem(s), null, s);
  assert.is(characterClasses('aA1-'), 4);
  assert.is(characterClasses('abc123'), 2);
});

test('hashes are salted, verify in constant time, and scopes grant as documented', () => {
  const a = hashSecret(SECRET_INGEST);
  const b = hashSecret(SECRET_INGEST);
  assert.is.not(a.hash, b.hash);
  assert.ok(verifySecret(SECRET_INGEST, a) && verifySecret(SECRET_INGEST, b));
  assert.not.ok(verifySecret(SECRET_INGEST + 'x', a));
  assert.not.ok(JSON.stringify(a).includes(SECRET_INGEST));
  assert.match(generateSecret(), /^mutt_[A-Za-z0-9_-]{43}$/);
  assert.ok(grants(['admin'], 'read'));
  assert.not.ok(grants(['admin'], 'ingest'));
  assert.not.ok(grants(['read'], 'admin'));
  assert.not.ok(grants(['ingest'], 'read'));
  assert.ok(grants(['ingest', 'read'], 'read'));
});

test('throttle: blocks after maxFailures within the window, forgets after it, bounded memory', () => {
  let now = 1_000_000;
  const t = new FailureThrottle({ maxFailures: 3, windowMs: 10_000, maxTracked: 2, now: () => now });
  for (let i = 0; i < 3; i++) {
    assert.is(t.check('a').blocked, false);
    t.fail('a');
  }
  assert.equal(t.check('a'), { blocked: true, retryAfterSeconds: 10 });
  now += 4_500;
  assert.equal(t.check('a'), { blocked: true, retryAfterSeconds: 6 });
  now += 5_500;
  assert.is(t.check('a').blocked, false);
  t.fail('b');
  t.fail('c');
  t.fail('d');
  assert.is(t.tracked, 2);
});

test('throttle: an IPv6 /64 is one source (walking addresses inside it does not help), IPv4 per address, IPv4-mapped as IPv4', () => {
  const t = new FailureThrottle({ maxFailures: 3, windowMs: 60_000 });
  const walk = [
    '2001:db8:aa:bb::1',
    '2001:db8:aa:bb:1:2:3:4',
    '2001:0DB8:00aa:00bb:ffff:ffff:ffff:fffe',
    '[2001:db8:aa:bb::9]',
    'fe80::1%eth0',
  ];
  for (const a of walk.slice(0, 3)) t.fail(a);
  assert.equal(t.check('2001:db8:aa:bb:dead:beef::').blocked, true, 'another address of the same /64 is blocked');
  assert.equal(t.check(walk[3]).blocked, true);
  assert.is(t.check('2001:db8:aa:bc::1').blocked, false, 'the next /64 is not');
  assert.is(t.tracked, 1);

  const v4 = new FailureThrottle({ maxFailures: 2 });
  v4.fail('::ffff:192.0.2.10');
  v4.fail('192.0.2.10');
  assert.is(v4.check('192.0.2.10').blocked, true, 'IPv4-mapped and plain IPv4 are one address');
  assert.is(v4.check('::ffff:c000:20a').blocked, true, 'mapped address in hex form');
  assert.is(v4.check('192.0.2.11').blocked, false, 'IPv4 is per address');
  assert.is(throttleKey('2001:db8:1:2::7'), '2001:db8:1:2::/64');
  assert.is(throttleKey('::1'), '0:0:0:0::/64');
  assert.is(throttleKey('unknown'), 'unknown');
});

// ---- the KV store ----

test('bootstrap from MUTT_API_KEYS and a keys file; KV holds hashes only', async () => {
  await resetKeys();
  const dir = await mkdtemp(join(tmpdir(), 'mutt-keys-'));
  const file = join(dir, 'keys');
  await writeFile(file, `# file keys\nreader:read:${SECRET_READ}\n`);
  const store = await open({ MUTT_API_KEYS: `rsyslog:ingest:${SECRET_INGEST},ops:admin:${SECRET_ADMIN}`, MUTT_API_KEYS_FILE: file });
  assert.equal(store.verify(SECRET_INGEST), { name: 'rsyslog', scopes: ['ingest'] });
  assert.equal(store.verify(SECRET_ADMIN), { name: 'ops', scopes: ['admin'] });
  assert.equal(store.verify(SECRET_READ), { name: 'reader', scopes: ['read'] });
  assert.is(store.verify('nope-nope-nope-nope'), null);
  assert.is(store.verify(''), null);
  assert.is(store.activeCount(), 3);
  const kv = await openKeysBucket(nc);
  let dump = '';
  for await (const k of await kv.keys()) dump += k + (await kv.get(k))!.string();
  for (const s of [SECRET_INGEST, SECRET_ADMIN, SECRET_READ]) assert.not.ok(dump.includes(s), 'secret not stored');
  assert.match(dump, /"alg":"sha256"/);
  assert.equal(
    store.list().map((k) => [k.name, k.createdBy]),
    [
      ['ops', 'env'],
      ['reader', 'file'],
      ['rsyslog', 'env'],
    ],
  );
  assert.not.ok(JSON.stringify(store.list()).includes('hash'));
  await rm(dir, { recursive: true, force: true });
});

test('bootstrap is idempotent, updates changed scopes, and never revives a revoked key', async () => {
  await resetKeys();
  const env = { MUTT_API_KEYS: `rsyslog:ingest:${SECRET_INGEST},ops:admin:${SECRET_ADMIN}` };
  const first = await open(env);
  await open(env);
  assert.is((await listApiKeys(await openKeysBucket(nc))).length, 2, 'no duplicate records');
  const widened = await open({ MUTT_API_KEYS: `rsyslog:ingest+read:${SECRET_INGEST},ops:admin:${SECRET_ADMIN}` });
  assert.equal(widened.verify(SECRET_INGEST)?.scopes, ['ingest', 'read']);
  assert.is(await first.revoke('rsyslog', 'tester'), 1);
  assert.is(first.verify(SECRET_INGEST), null);
  const again = await open(env);
  assert.is(again.verify(SECRET_INGEST), null, 'revoked key stays revoked');
  const revoked = again.list().find((k) => k.name === 'rsyslog')!;
  assert.is(revoked.revokedBy, 'tester');
  assert.ok(logLines.some((l) => l.includes('was revoked; not restoring')));
});

test('a key added or revoked by another replica applies here without a restart (KV watch); rotation keeps both valid', async () => {
  await resetKeys();
  const a = await open({ MUTT_API_KEYS: `ops:admin:${SECRET_ADMIN}` });
  const b = await open({});
  assert.ok(b.verify(SECRET_ADMIN));
  const created = await a.add({ name: 'rsyslog', scopes: ['ingest'] }, 'ops');
  assert.match(created.secret, /^mutt_/);
  await eventually(() => b.verify(created.secret) !== null);
  const rotated = await a.add({ name: 'rsyslog', scopes: ['ingest'], secret: SECRET_INGEST }, 'ops');
  await eventually(() => b.verify(rotated.secret) !== null);
  assert.ok(b.verify(created.secret), 'old secret still valid during rotation');
  assert.is(await b.revoke('rsyslog', 'ops'), 2);
  await eventually(() => a.verify(created.secret) === null && a.verify(SECRET_INGEST) === null);
  assert.is(await b.revoke('rsyslog'), 0);
});

test('CLI functions work on the bucket without a store; bad input refused', async () => {
  await resetKeys();
  const kv = await openKeysBucket(nc);
  const k = await addApiKey(kv, { name: 'cli-key', scopes: ['read'] });
  assert.equal(
    (await listApiKeys(kv)).map((x) => [x.name, x.scopes, x.createdBy, x.id]),
    [['cli-key', ['read'], 'cli', k.id]],
  );
  assert.is((await revokeApiKey(kv, 'cli-key')).size, 1);
  assert.ok((await listApiKeys(kv))[0].revokedAt);
  for (const input of [
    { name: 'bad name', scopes: ['read' as const] },
    { name: 'x', scopes: [] },
    { name: 'x', scopes: ['read' as const], secret: 'short' },
  ]) {
    try {
      await addApiKey(kv, input);
      assert.unreachable();
    } catch (err) {
      assert.instance(err, KeySpecError);
    }
  }
  try {
    await revokeApiKey(kv, 'a.b');
    assert.unreachable();
  } catch (err) {
    assert.instance(err, KeySpecError);
  }
});

test('no keys at all: the store refuses to open with a clear message, unless allowEmpty', async () => {
  await resetKeys();
  try {
    await open({});
    assert.unreachable();
  } catch (err) {
    assert.instance(err, NoApiKeysError);
    assert.match((err as Error).message, /MUTT_API_KEYS=/);
    assert.match((err as Error).message, /openssl rand/);
  }
  const empty = await open({}, { allowEmpty: true });
  assert.is(empty.activeCount(), 0);
  try {
    await open({ MUTT_API_KEYS_FILE: '/nonexistent/keys' });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, KeySpecError);
    assert.match((err as Error).message, /ENOENT/);
  }
});

test('a malformed record in the bucket is ignored, not fatal', async () => {
  await resetKeys();
  const kv = await openKeysBucket(nc);
  await kv.put('junk.1', 'not json');
  const store = await open({ MUTT_API_KEYS: `ops:admin:${SECRET_ADMIN}` });
  assert.is(store.activeCount(), 1);
  await kv.put('junk.2', '{"name":"x"}');
  await eventually(() => logLines.some((l) => l.includes('malformed API key record')));
});

test('a record deleted from the bucket (e.g. by hand) is forgotten by every store', async () => {
  await resetKeys();
  const store = await open({ MUTT_API_KEYS: `ops:admin:${SECRET_ADMIN},rsyslog:ingest:${SECRET_INGEST}` });
  const kv = await openKeysBucket(nc);
  const rsyslogKey = [...(await listApiKeys(kv))].find((k) => k.name === 'rsyslog')!;
  assert.ok(store.verify(SECRET_INGEST));
  await kv.delete(`rsyslog.${rsyslogKey.id}`);
  await eventually(() => store.verify(SECRET_INGEST) === null);
  assert.is(store.activeCount(), 1);
});

// ---- the middleware ----

async function authApp(scope: 'ingest' | 'read' | 'admin', throttle = new FailureThrottle({ maxFailures: 3 })) {
  await resetKeys();
  const store = await open({ MUTT_API_KEYS: `rsyslog:ingest:${SECRET_INGEST},ops:admin:${SECRET_ADMIN},reader:read:${SECRET_READ}` });
  const registry = new Registry();
  const app = new Hono<GatewayEnv>();
  app.onError(errorRenderer(log));
  app.get('/x', correlationId(), requireScope(scope, { store, registry, log, throttle }), (c) => c.json(c.get('principal')));
  return { app, registry, store };
}

async function failures(registry: Registry, reason: string) {
  const m = (await registry.getSingleMetric('mutt_gateway_auth_failures_total')!.get()).values.find((v) => v.labels.reason === reason);
  return m?.value ?? 0;
}

test('401 missing / invalid, 403 scope, keys from X-API-Key or Bearer, never from the query string', async () => {
  const { app, registry } = await authApp('admin');
  logLines.length = 0;
  let res = await app.request('/x');
  assert.is(res.status, 401);
  assert.equal(await res.json(), { error: 'missing API key' });
  res = await app.request(`/x?api_key=${SECRET_ADMIN}`);
  assert.is(res.status, 401, 'query string key ignored');
  res = await app.request('/x', { headers: { 'X-API-Key': 'wrong-wrong-wrong-wrong' } });
  assert.is(res.status, 401);
  assert.equal(await res.json(), { error: 'invalid API key' });
  assert.ok(res.headers.get('x-correlation-id'));
  res = await app.request('/x', { headers: { 'X-API-KEY': SECRET_INGEST } });
  assert.is(res.status, 403);
  assert.equal(await res.json(), { error: "key 'rsyslog' lacks scope 'admin'" });
  res = await app.request('/x', { headers: { Authorization: `Bearer ${SECRET_ADMIN}` } });
  assert.is(res.status, 200);
  assert.equal(await res.json(), { name: 'ops', scopes: ['admin'] });
  res = await app.request('/x', { headers: { 'x-api-key': SECRET_ADMIN } });
  assert.is(res.status, 200);
  assert.is(await failures(registry, 'missing'), 2);
  assert.is(await failures(registry, 'invalid'), 1);
  assert.is(await failures(registry, 'scope'), 1);
  assert.ok(logLines.some((l) => l.includes('authentication refused')));
  for (const s of [SECRET_ADMIN, SECRET_INGEST, 'wrong-wrong-wrong-wrong'])
    assert.not.ok(logLines.join('').includes(s), 'key never logged');
});

test('admin implies read; read does not imply admin; admin does not imply ingest', async () => {
  const read = await authApp('read');
  assert.is((await read.app.request('/x', { headers: { 'X-API-Key': SECRET_ADMIN } })).status, 200);
  assert.is((await read.app.request('/x', { headers: { 'X-API-Key': SECRET_READ } })).status, 200);
  const ingest = await authApp('ingest');
  assert.is((await ingest.app.request('/x', { headers: { 'X-API-Key': SECRET_ADMIN } })).status, 403);
  const admin = await authApp('admin');
  assert.is((await admin.app.request('/x', { headers: { 'X-API-Key': SECRET_READ } })).status, 403);
});

test('brute force over a real socket: after 3 wrong keys the address gets 429 + Retry-After, even with the right key', async () => {
  const { app, registry } = await authApp('admin');
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as { port: number }).port;
  try {
    const call = (key: string) => fetch(`http://127.0.0.1:${port}/x`, { headers: { 'X-API-Key': key } });
    for (let i = 0; i < 3; i++) assert.is((await call(`guess-${i}-0123456789abcdef`)).status, 401);
    const blocked = await call(SECRET_ADMIN);
    assert.is(blocked.status, 429);
    const retry = Number(blocked.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    assert.equal(await blocked.json(), { error: 'too many failed authentication attempts', retryAfterSeconds: retry });
    assert.is(await failures(registry, 'throttled'), 1);
    assert.is(await failures(registry, 'invalid'), 3);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('authGuard: middlewares of one guard share the throttle across routes', async () => {
  await resetKeys();
  const store = await open({ MUTT_API_KEYS: `ops:admin:${SECRET_ADMIN}` });
  const guard = authGuard({ store, registry: new Registry(), throttle: new FailureThrottle({ maxFailures: 2 }) });
  const app = new Hono();
  app.onError(errorRenderer());
  app.get('/a', guard('read'), (c) => c.text('a'));
  app.get('/b', guard('admin'), (c) => c.text('b'));
  assert.is((await app.request('/b', { headers: { 'X-API-Key': SECRET_ADMIN } })).status, 200);
  assert.is((await app.request('/a', { headers: { 'X-API-Key': 'wrong-wrong-wrong-wrong' } })).status, 401);
  assert.is((await app.request('/b', { headers: { 'X-API-Key': 'wrong-wrong-wrong-wrong' } })).status, 401);
  assert.is((await app.request('/a', { headers: { 'X-API-Key': SECRET_ADMIN } })).status, 429, 'failures on /a and /b add up');
});

test.run();
