// Sign-in, sessions and request forgery: the cookie's attributes and content (never the key), CSRF tokens
// and same-origin checks on every POST, read-only keys, logout, idle expiry, revoked keys, the failure
// throttle, and sessions in KV shared by two gateway replicas.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KEYS, uiFixture, type UiFixture } from './fixture.ts';
import { CONTENT_SECURITY_POLICY } from '../../gateway/ui/security-headers.ts';
import { SessionManager, MemorySessionBackend, tokenId } from '../../gateway/ui/session/sessions.ts';

const t = suite('ui sessions');
let f: UiFixture;

t.before(async () => {
  f = await uiFixture();
});
t.after(async () => {
  await f?.close();
});

t('without a session every page redirects to the login page, which keeps where you were going', async () => {
  const a = f.agent();
  const r = await a.get('/ui/rules?q=x');
  assert.is(r.status, 303);
  assert.is(r.location, '/ui/login?next=%2Fui%2Frules%3Fq%3Dx');
  const login = await a.get(r.location!);
  assert.is(login.status, 200);
  assert.match(login.text, /<!DOCTYPE html>/);
  assert.match(login.text, /name="next" value="\/ui\/rules\?q=x"/);
  assert.ok(a.cookies.has('mutt_login'), 'login form token cookie');
  const sse = await a.get('/ui/events', { accept: 'text/event-stream' });
  assert.is(sse.status, 401);
});

t('login: a session cookie (HttpOnly, SameSite=Strict, not Secure over plain HTTP) that is not the key', async () => {
  const a = f.agent();
  await a.get('/ui/login');
  const before = f.logLines.length;
  const res = await a.post('/ui/login', { key: KEYS.admin, next: '/ui/rules' });
  assert.is(res.status, 303);
  assert.is(res.location, '/ui/rules');
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('mutt_session='))!;
  assert.ok(cookie, 'session cookie set');
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.match(cookie, /Path=\/ui/);
  assert.not.match(cookie, /Secure/);
  assert.not.match(cookie, /Max-Age|Expires/, 'ends with the browser');
  const token = a.cookies.get('mutt_session')!;
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.not.ok(cookie.includes(KEYS.admin));
  assert.not.ok(f.logLines.slice(before).join('').includes(KEYS.admin), 'key never logged');
  const page = await a.get('/ui/rules');
  assert.is(page.status, 200);
  assert.match(page.text, /data-testid="principal">ops/);
});

t('the cookie is Secure when the request came over TLS (X-Forwarded-Proto: https)', async () => {
  const a = f.agent();
  await a.get('/ui/login');
  const res = await a.post('/ui/login', { key: KEYS.admin }, { headers: { 'x-forwarded-proto': 'https', origin: 'https://localhost' } });
  assert.is(res.status, 303);
  assert.match(
    res.headers.getSetCookie().find((c) => c.startsWith('mutt_session='))!,
    /Secure/,
  );
});

t('wrong, missing and ingest-only keys are refused and counted; the next parameter cannot leave the UI', async () => {
  const a = f.agent();
  await a.get('/ui/login');
  let r = await a.post('/ui/login', { key: 'not-a-key-0123456789' });
  assert.is(r.status, 401);
  assert.match(r.text, /not valid/);
  assert.not.ok(a.cookies.has('mutt_session'));
  r = await a.post('/ui/login', { key: KEYS.ingest });
  assert.is(r.status, 403);
  assert.match(r.text, /read or admin scope/);
  r = await a.post('/ui/login', { key: '' });
  assert.is(r.status, 401);
  const metrics = await f.ctx.registry.getSingleMetricAsString('mutt_gateway_auth_failures_total');
  assert.match(metrics, /reason="invalid"[^}]*} [1-9]/);
  assert.match(metrics, /reason="scope"[^}]*} [1-9]/);
  r = await a.post('/ui/login', { key: KEYS.admin, next: '//evil.example/x' });
  assert.is(r.location, '/ui/');
  const b = f.agent();
  await b.get('/ui/login');
  r = await b.post('/ui/login', { key: KEYS.admin, next: 'https://evil.example/' });
  assert.is(r.location, '/ui/');
});

t('the login form needs its own token (login CSRF) and a same-origin post', async () => {
  const a = f.agent();
  await a.get('/ui/login');
  let r = await a.post('/ui/login', { key: KEYS.admin }, { csrf: 'forged-token-value-0123456789abcdefghijk' });
  assert.is(r.status, 403);
  assert.not.ok(a.cookies.has('mutt_session'));
  r = await a.post('/ui/login', { key: KEYS.admin }, { headers: { origin: 'https://evil.example' } });
  assert.is(r.status, 403);
  assert.match(r.text, /cross-origin/);
});

t('every POST needs the session CSRF token and a same-origin Origin (or Sec-Fetch-Site)', async () => {
  const a = f.agent();
  await a.login(KEYS.admin);
  const body = { hostname: 'csrf-host' };
  let r = await a.post('/ui/dev-hosts/add', body, { csrf: false });
  assert.is(r.status, 403);
  assert.match(r.text, /CSRF/);
  r = await a.post('/ui/dev-hosts/add', body, { csrf: 'x'.repeat(43) });
  assert.is(r.status, 403);
  r = await a.post('/ui/dev-hosts/add', body, { headers: { origin: 'http://evil.example' } });
  assert.is(r.status, 403);
  r = await a.post('/ui/dev-hosts/add', body, { headers: { origin: '', 'sec-fetch-site': 'cross-site' } });
  assert.is(r.status, 403);
  r = await a.post('/ui/dev-hosts/add', body, { headers: { origin: 'null' } });
  assert.is(r.status, 403);
  assert.is(f.services.devHosts.list().length, 0, 'nothing written by forged posts');
  // Another session's token is no good either.
  const other = f.agent();
  await other.login(KEYS.admin);
  r = await a.post('/ui/dev-hosts/add', body, { csrf: other.csrf });
  assert.is(r.status, 403);
  r = await a.post('/ui/dev-hosts/add', body);
  assert.is(r.status, 303);
  assert.is(f.services.devHosts.list().length, 1);
  // A JSON body is not a form.
  r = await a.post('/ui/dev-hosts/add', {}, { headers: { 'content-type': 'application/json' } });
  assert.is(r.status, 415);
});

t('a read-only key sees no write controls and gets 403 from every write route, even with a valid token', async () => {
  await f.services.rules.create(
    { id: 'ro-rule', match_string: 'x', prod_handling: 'page_only', dev_handling: 'ignore', team_assignment: 'T' },
    { actor: 'test', correlationId: 't' },
  );
  const a = f.agent();
  await a.login(KEYS.read);
  const pages = ['/ui/rules', '/ui/dev-hosts', '/ui/teams', '/ui/config', '/ui/dlq', '/ui/rules/ro-rule/edit'];
  for (const p of pages) {
    const r = await a.get(p);
    assert.is(r.status, 200, p);
    assert.match(r.text, /read-only/, p);
    const writeForms = [...r.text.matchAll(/<form method="post" action="([^"]+)"/g)]
      .map((m) => m[1])
      .filter((x) => x !== '/ui/logout' && x !== '/ui/rules/test#tester');
    assert.equal(writeForms, [], `${p} has no write forms`);
    assert.not.match(r.text, /<details class="confirm"/, `${p} has no delete buttons`);
  }
  assert.not.match((await a.get('/ui/rules')).text, /New rule/);
  const writes: [string, Record<string, string>][] = [
    ['/ui/rules/new', { id: 'x1', match_string: 'x', prod_handling: 'page_only', dev_handling: 'ignore', team_assignment: 'T' }],
    ['/ui/rules/ro-rule/delete', {}],
    ['/ui/rules/ro-rule/priority', { priority: '1' }],
    ['/ui/rules/ro-rule/active', { active: 'false' }],
    ['/ui/rules/ro-rule/edit', { match_string: 'y' }],
    ['/ui/dev-hosts/add', { hostname: 'ro-host' }],
    ['/ui/teams/import', { text: 'a,b' }],
    ['/ui/config/moog_manager', { value: 'X' }],
    ['/ui/config/moog_manager/reset', {}],
    ['/ui/dlq/purge', { confirm: 'yes' }],
    ['/ui/dlq/1/replay', {}],
  ];
  for (const [path, fields] of writes) {
    const r = await a.post(path, fields);
    assert.is(r.status, 403, path);
    assert.match(r.text, /read-only/, path);
  }
  assert.is((await a.get('/ui/rules/new')).status, 403);
  assert.ok((await f.services.rules.get('ro-rule')).rule.is_active, 'unchanged');
  // The tester is not a write: a read-only key may use it.
  const test = await a.post('/ui/rules/test', { message: 'x marks the spot', host: 'h1' });
  assert.is(test.status, 200);
  assert.match(test.text, /data-testid="test-rule">ro-rule/);
  await f.services.rules.remove('ro-rule', { actor: 'test', correlationId: 't' });
});

t('UI answers carry the strict CSP and friends; error pages too', async () => {
  const a = f.agent();
  const login = await a.get('/ui/login');
  assert.is(login.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  assert.ok(
    CONTENT_SECURITY_POLICY.startsWith(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
    ),
  );
  assert.is(login.headers.get('x-frame-options'), 'DENY');
  assert.is(login.headers.get('x-content-type-options'), 'nosniff');
  assert.is(login.headers.get('cache-control'), 'no-store');
  await a.login(KEYS.admin);
  const missing = await a.get('/ui/nope');
  assert.is(missing.status, 404);
  assert.is(missing.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  assert.not.match(login.text + missing.text, /<script>|<style>|style="| on[a-z]+="/i, 'no inline script or style');
  const css = await a.get('/ui/assets/styles.css');
  assert.is(css.status, 200);
  assert.match(css.headers.get('content-type')!, /text\/css/);
  assert.match(css.headers.get('cache-control')!, /max-age/);
  const js = await a.get('/ui/assets/dashboard.js');
  assert.match(js.headers.get('content-type')!, /javascript/);
  assert.is((await a.get('/ui/assets/nothing.js')).status, 404);
  const again = await a.get('/ui/assets/styles.css', { 'if-none-match': css.headers.get('etag')! });
  assert.is(again.status, 304);
});

t('logout ends the session: the old cookie no longer works', async () => {
  const a = f.agent();
  await a.login(KEYS.admin);
  const token = a.cookies.get('mutt_session')!;
  await a.get('/ui/');
  const r = await a.post('/ui/logout');
  assert.is(r.status, 303);
  assert.is(r.location, '/ui/login?bye');
  assert.not.ok(a.cookies.has('mutt_session'), 'cookie cleared');
  assert.is(await f.ui.sessions.backend.read(tokenId(token)), null, 'gone from the store');
  const replay = await f.agent().get('/ui/rules', { cookie: `mutt_session=${token}` });
  assert.is(replay.status, 303);
  assert.match(replay.location!, /^\/ui\/login/);
  // Logout itself needs the token: a forged logout does nothing.
  const b = f.agent();
  await b.login(KEYS.admin);
  assert.is((await b.post('/ui/logout', {}, { csrf: false })).status, 403);
  assert.is((await b.get('/ui/rules')).status, 200);
});

t('a revoked key ends its sessions; a new login gets a new token (no fixation)', async () => {
  const extra = await f.store.add({ name: 'temp', scopes: ['admin'] }, 'test');
  const a = f.agent();
  const planted = 'A'.repeat(43);
  a.cookies.set('mutt_session', planted);
  await a.login(extra.secret);
  assert.ok(a.cookies.get('mutt_session') !== planted, 'the server never adopts a token it did not issue');
  assert.is((await a.get('/ui/rules')).status, 200);
  const again = f.agent();
  await again.login(extra.secret);
  assert.ok(again.cookies.get('mutt_session') !== a.cookies.get('mutt_session'), 'every login gets its own token');
  await f.store.revoke('temp', 'test');
  const r = await a.get('/ui/rules');
  assert.is(r.status, 303);
  assert.match(r.location!, /^\/ui\/login/);
});

t('sessions end after the idle timeout and after their lifetime', async () => {
  let now = 1_000_000;
  const m = new SessionManager(new MemorySessionBackend(), {
    idleMs: 1000,
    absoluteMs: 5000,
    touchEveryMs: 100,
    sweepEveryMs: 0,
    now: () => now,
  });
  const { token } = await m.create({ name: 'ops', scopes: ['admin'] });
  now += 900;
  assert.ok(await m.get(token), 'used within the idle time');
  now += 900;
  assert.ok(await m.get(token), 'use refreshed it');
  now += 1001;
  assert.is(await m.get(token), null, 'idle too long');
  const s2 = await m.create({ name: 'ops', scopes: ['admin'] });
  for (let i = 0; i < 6; i++) {
    now += 900;
    if (i < 5) assert.ok(await m.get(s2.token), `busy ${i}`);
  }
  assert.is(await m.get(s2.token), null, 'past its lifetime however busy');
  await m.create({ name: 'a', scopes: ['read'] });
  now += 2000;
  await m.create({ name: 'b', scopes: ['read'] });
  assert.is(await m.sweep(), 1);
  assert.is((await m.backend.ids()).length, 1);
  assert.is(await m.get('not a token'), null);
  assert.is(await m.get(undefined), null);
});

t('too many failed sign-ins from one address are throttled (429), even with the right key', async () => {
  const a = f.agent();
  await a.get('/ui/login');
  for (let i = 0; i < 5; i++) await a.post('/ui/login', { key: `wrong-key-${i}-0123456789` });
  const r = await a.post('/ui/login', { key: KEYS.admin });
  assert.is(r.status, 429);
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  assert.not.ok(a.cookies.has('mutt_session'));
});

t('KV sessions: a login on one replica works on another, and a logout on one ends it on both', async () => {
  const r1 = await f.replica({ sessionStore: 'kv' });
  const r2 = await f.replica({ sessionStore: 'kv' });
  try {
    const a = f.agent(r1.app);
    await a.login(KEYS.admin);
    const token = a.cookies.get('mutt_session')!;
    const b = f.agent(r2.app);
    b.cookies.set('mutt_session', token);
    const page = await b.get('/ui/config');
    assert.is(page.status, 200, 'replica 2 knows the session');
    const stored = await f.nc
      .request('$JS.API.DIRECT.GET.KV_mutt_state', JSON.stringify({ last_by_subj: `$KV.mutt_state.ui.session.${tokenId(token)}` }))
      .then((m) => m.string())
      .catch(() => '');
    assert.not.ok(stored.includes(token), 'the store holds the hash, not the token');
    assert.not.ok(stored.includes(KEYS.admin), 'nor the key');
    const out = await b.post('/ui/logout');
    assert.is(out.status, 303);
    const after = await a.get('/ui/config');
    assert.is(after.status, 303, 'replica 1 sees the logout');
  } finally {
    await r1.close();
    await r2.close();
  }
});

t.run();
