import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { apiRegistry } from '../../gateway/api/management.ts';
import { FailureThrottle } from '../../gateway/auth/throttle.ts';
import { apiFixture, KEYS, rule, type ApiFixture } from './fixture.ts';

const t = suite('management API authentication and scopes');
let f: ApiFixture;

const sample: Record<string, string> = { id: 'r1', hostname: 'h1', key: 'moog_rate_limit', seq: '1' };
const concrete = (path: string) => path.replace(/:([a-z]+)/g, (_m, name: string) => sample[name]);
const operations = () => apiRegistry().operations;

t.before(async () => {
  // One shared address (no socket under app.request): a roomy throttle so only the throttle test trips it.
  f = await apiFixture({ authThrottle: new FailureThrottle({ maxFailures: 100_000 }) });
  await f.call('POST', '/api/v2/rules', { body: rule('r1') });
});
t.after(async () => {
  await f?.close();
});

t('every route with a scope: no key → 401, unknown key → 401, and nothing is changed', async () => {
  for (const op of operations()) {
    const path = concrete(op.path);
    const none = await f.call(op.method.toUpperCase(), path, { key: null, body: op.method === 'get' ? undefined : {} });
    if (op.scope === null) {
      assert.is(none.status, 200, `${op.method} ${op.path} is public`);
      continue;
    }
    assert.is(none.status, 401, `${op.method} ${op.path}`);
    assert.is(none.body.error, 'missing API key');
    assert.is(none.headers.get('www-authenticate'), 'Bearer');
    const wrong = await f.call(op.method.toUpperCase(), path, {
      key: 'not-a-real-key-0123456789',
      body: op.method === 'get' ? undefined : {},
      headers: { 'X-Forwarded-For': '10.9.9.9' },
    });
    assert.is(wrong.status, 401, `${op.method} ${op.path}`);
    assert.is(wrong.body.error, 'invalid API key');
    assert.not.match(wrong.text, /not-a-real-key/);
  }
  assert.is((await f.call('GET', '/api/v2/rules/r1')).body.priority, 100, 'unchanged');
});

t('writes need admin: a read key gets 403 naming the key and scope; an ingest key cannot read', async () => {
  for (const op of operations()) {
    if (op.scope === null) continue;
    const path = concrete(op.path);
    if (op.scope === 'admin') {
      const r = await f.call(op.method.toUpperCase(), path, { key: KEYS.read, body: op.method === 'get' ? undefined : {} });
      assert.is(r.status, 403, `${op.method} ${op.path}`);
      assert.is(r.body.error, "key 'viewer' lacks scope 'admin'");
    } else {
      const r = await f.call(op.method.toUpperCase(), path, { key: KEYS.ingest, body: op.method === 'get' ? undefined : {} });
      assert.is(r.status, 403, `${op.method} ${op.path}`);
      assert.is(r.body.error, "key 'sender' lacks scope 'read'");
    }
  }
});

t('the key may come as Authorization: Bearer, never as a query parameter', async () => {
  const bearer = await f.call('GET', '/api/v2/rules', { key: null, headers: { Authorization: `Bearer ${KEYS.read}` } });
  assert.is(bearer.status, 200);
  const query = await f.call('GET', `/api/v2/rules?api_key=${KEYS.admin}`, { key: null });
  assert.is(query.status, 401);
  const adminReads = await f.call('GET', '/api/v2/rules', { key: KEYS.admin });
  assert.is(adminReads.status, 200, 'admin implies read');
});

t('repeated failures are throttled: 429 with Retry-After, even for a right key', async () => {
  // The gateway as shipped, with a brake that is reachable in two requests.
  const g = await apiFixture({ authThrottle: new FailureThrottle({ maxFailures: 2 }) });
  try {
    for (let i = 0; i < 2; i++) assert.is((await g.call('GET', '/api/v2/rules', { key: 'wrong-key-0123456789abcdef' })).status, 401);
    const blocked = await g.call('GET', '/api/v2/rules', { key: KEYS.admin });
    assert.is(blocked.status, 429);
    assert.match(blocked.headers.get('retry-after') ?? '', /^\d+$/);
  } finally {
    await g.close();
  }
});

t('no secret in logs or audit; the actor is the key name', async () => {
  await f.call('PATCH', '/api/v2/rules/r1', { body: { priority: 9 } });
  const audit = await f.call('GET', '/api/v2/audit/config?kind=rule&id=r1');
  assert.is(audit.body.items[0].actor, 'ops');
  const logs = f.logLines.join('\n');
  for (const secret of Object.values(KEYS)) {
    assert.not.ok(logs.includes(secret), 'secret in logs');
    assert.not.ok(audit.text.includes(secret), 'secret in audit');
  }
});

t.run();
