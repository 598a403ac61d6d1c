import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { apiFixture, KEYS, rule, type ApiFixture } from './fixture.ts';

const t = suite('rules API');
let f: ApiFixture;

t.before(async () => {
  f = await apiFixture();
});
t.after(async () => {
  await f?.close();
});

t('create, get, list: canonical form, ETag = revision, audit actor is the key name', async () => {
  const created = await f.call('POST', '/api/v2/rules', {
    body: { ...rule('link-down'), prod_handling: 'Page And Ticket', reason: 'CHG-1' },
  });
  assert.is(created.status, 201, created.text);
  assert.is(created.body.rule.prod_handling, 'page_and_ticket');
  assert.is(created.body.rule.created_by, 'ops');
  assert.match(created.body.rule.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.is(created.headers.get('etag'), `"${created.body.revision}"`);
  assert.is(created.headers.get('location'), '/api/v2/rules/link-down');

  const got = await f.call('GET', '/api/v2/rules/link-down', { key: KEYS.read });
  assert.is(got.status, 200);
  assert.is(got.body.match_string, 'link-down-needle');
  assert.is(got.headers.get('etag'), created.headers.get('etag'));

  const listed = await f.call('GET', '/api/v2/rules', { key: KEYS.read });
  assert.is(listed.status, 200);
  assert.ok(listed.body.rules.some((r: { id: string }) => r.id === 'link-down'));

  const audit = await f.call('GET', '/api/v2/audit/config?kind=rule&id=link-down', { key: KEYS.read });
  assert.is(audit.body.items.length, 1);
  assert.is(audit.body.items[0].actor, 'ops');
  assert.is(audit.body.items[0].operation, 'create');
  assert.is(audit.body.items[0].reason, 'CHG-1');
  assert.not.match(audit.text, KEYS.admin);
});

t('a missing id is generated', async () => {
  const { id: _drop, ...body } = rule('x');
  const r = await f.call('POST', '/api/v2/rules', { body });
  assert.is(r.status, 201, r.text);
  assert.match(r.body.id, /^rule-[0-9a-f]{8}$/);
});

t('validation errors are 400s naming the field, never 500', async () => {
  const cases: [unknown, string][] = [
    [{ ...rule('bad1'), prod_handling: 'sometimes' }, 'prod_handling'],
    [{ ...rule('bad2'), match_string: '' }, 'match_string'],
    [{ ...rule('bad3'), match_type: 'oid_prefix', trap_oid: 'not.an.oid' }, 'trap_oid'],
    [{ ...rule('bad4'), priority: 'high' }, 'priority'],
    [{ ...rule('_reserved') }, 'id'],
    [{ ...rule('bad5'), syslog_severity: 9 }, 'syslog_severity'],
  ];
  for (const [body, field] of cases) {
    const r = await f.call('POST', '/api/v2/rules', { body });
    assert.is(r.status, 400, `${field}: ${r.text}`);
    assert.ok(
      r.body.issues.some((i: { path: string }) => i.path === field),
      `${field}: ${r.text}`,
    );
  }
  const notJson = await f.call('POST', '/api/v2/rules', { raw: '{"id": "x",', headers: { 'content-type': 'application/json' } });
  assert.is(notJson.status, 400);
  assert.match(notJson.body.error, /not valid JSON/);
  const empty = await f.call('POST', '/api/v2/rules', { raw: '' });
  assert.is(empty.status, 400);
  const array = await f.call('POST', '/api/v2/rules', { body: [rule('arr')] });
  assert.is(array.status, 400);
});

t('a catastrophic regex is refused naming match_string; a safe one is stored', async () => {
  // Exponential and with a backreference: refused whether or not the analysis finishes in time (no timing here).
  const bad = await f.call('POST', '/api/v2/rules', { body: rule('redos', { match_type: 'regex', match_string: '^(a|a)*\\1b$' }) });
  assert.is(bad.status, 400, bad.text);
  assert.is(bad.body.issues[0].path, 'match_string');
  assert.match(bad.body.issues[0].message, /backtracking|linear-time fallback/i);
  assert.is((await f.call('GET', '/api/v2/rules/redos')).status, 404, 'nothing stored');
  const invalid = await f.call('POST', '/api/v2/rules', { body: rule('broken', { match_type: 'regex', match_string: '(unclosed' }) });
  assert.is(invalid.status, 400);
  assert.is(invalid.body.issues[0].path, 'match_string');
  const ok = await f.call('POST', '/api/v2/rules', {
    body: rule('iface', { match_type: 'regex', match_string: 'Interface (?P<if>Gi\\d+/\\d+) down' }),
  });
  assert.is(ok.status, 201, ok.text);
});

t('a duplicate id is 409', async () => {
  await f.call('POST', '/api/v2/rules', { body: rule('dup') });
  const again = await f.call('POST', '/api/v2/rules', { body: rule('dup') });
  assert.is(again.status, 409);
  assert.match(again.body.error, /already exists/);
});

t('PATCH changes only the given fields; PUT replaces; body id must match the path', async () => {
  await f.call('POST', '/api/v2/rules', { body: rule('edit', { priority: 50, description: 'keep me' }) });
  const patched = await f.call('PATCH', '/api/v2/rules/edit', { body: { priority: 5 } });
  assert.is(patched.status, 200, patched.text);
  assert.is(patched.body.rule.priority, 5);
  assert.is(patched.body.rule.description, 'keep me');
  assert.is(patched.body.rule.created_by, 'ops');

  const replaced = await f.call('PUT', '/api/v2/rules/edit', { body: rule('edit', { priority: 7 }) });
  assert.is(replaced.status, 200, replaced.text);
  assert.is(replaced.body.rule.description, '', 'omitted fields take defaults on PUT');
  assert.is(replaced.body.rule.created_at, patched.body.rule.created_at, 'created_at kept');

  const mismatch = await f.call('PUT', '/api/v2/rules/edit', { body: rule('other') });
  assert.is(mismatch.status, 400);
  assert.is(mismatch.body.issues[0].path, 'id');
  const renamed = await f.call('PATCH', '/api/v2/rules/edit', { body: { id: 'other' } });
  assert.is(renamed.status, 400);
  const empty = await f.call('PATCH', '/api/v2/rules/edit', { body: {} });
  assert.is(empty.status, 400);
  assert.match(empty.body.error, /no fields/);
  const badField = await f.call('PATCH', '/api/v2/rules/edit', { body: { dev_handling: 'maybe' } });
  assert.is(badField.status, 400);
  assert.is(badField.body.issues[0].path, 'dev_handling');
  const missing = await f.call('PATCH', '/api/v2/rules/nope', { body: { priority: 1 } });
  assert.is(missing.status, 404);
  const server = await f.call('PATCH', '/api/v2/rules/edit', { body: { created_by: 'mallory', updated_at: 1 } });
  assert.is(server.status, 400, 'only server-managed fields = nothing to update');
});

t('If-Match: the current revision wins, a stale one is 412 with the current ETag', async () => {
  const c = await f.call('POST', '/api/v2/rules', { body: rule('cas') });
  const rev = c.body.revision;
  const first = await f.call('PATCH', '/api/v2/rules/cas', { body: { priority: 1 }, headers: { 'If-Match': `"${rev}"` } });
  assert.is(first.status, 200);
  const stale = await f.call('PATCH', '/api/v2/rules/cas', { body: { priority: 2 }, headers: { 'If-Match': String(rev) } });
  assert.is(stale.status, 412);
  assert.is(stale.headers.get('etag'), `"${first.body.revision}"`);
  assert.is(stale.body.current, first.body.revision);
  const garbage = await f.call('PATCH', '/api/v2/rules/cas', { body: { priority: 2 }, headers: { 'If-Match': 'yesterday' } });
  assert.is(garbage.status, 400);
  assert.is(garbage.body.issues[0].path, 'If-Match');
  const staleDelete = await f.call('DELETE', '/api/v2/rules/cas', { headers: { 'If-Match': `"${rev}"` } });
  assert.is(staleDelete.status, 412);
  const got = await f.call('GET', '/api/v2/rules/cas');
  assert.is(got.body.priority, 1, 'the refused writes changed nothing');
});

t('concurrent PATCHes without If-Match both apply (retried CAS, nothing lost)', async () => {
  await f.call('POST', '/api/v2/rules', { body: rule('race') });
  const [a, b] = await Promise.all([
    f.call('PATCH', '/api/v2/rules/race', { body: { priority: 11 } }),
    f.call('PATCH', '/api/v2/rules/race', { body: { description: 'both' } }),
  ]);
  assert.is(a.status, 200);
  assert.is(b.status, 200);
  const got = await f.call('GET', '/api/v2/rules/race');
  assert.is(got.body.priority, 11);
  assert.is(got.body.description, 'both');
});

t('enable / disable, and list filters', async () => {
  await f.call('POST', '/api/v2/rules', { body: rule('filt-a', { team_assignment: 'WAN', description: 'BGP flap' }) });
  await f.call('POST', '/api/v2/rules', {
    body: rule('filt-b', { match_type: 'oid_prefix', match_string: null, trap_oid: '1.3.6.1.4.1.9' }),
  });
  const off = await f.call('POST', '/api/v2/rules/filt-a/disable');
  assert.is(off.status, 200);
  assert.is(off.body.rule.is_active, false);
  const inactive = await f.call('GET', '/api/v2/rules?active=false');
  assert.equal(
    inactive.body.rules.map((r: { id: string }) => r.id),
    ['filt-a'],
  );
  const wan = await f.call('GET', '/api/v2/rules?team=wan');
  assert.equal(
    wan.body.rules.map((r: { id: string }) => r.id),
    ['filt-a'],
  );
  const oid = await f.call('GET', '/api/v2/rules?match_type=oid_prefix');
  assert.equal(
    oid.body.rules.map((r: { id: string }) => r.id),
    ['filt-b'],
  );
  assert.is(oid.body.rules[0].trap_oid, '.1.3.6.1.4.1.9');
  const q = await f.call('GET', '/api/v2/rules?q=bgp');
  assert.equal(
    q.body.rules.map((r: { id: string }) => r.id),
    ['filt-a'],
  );
  const on = await f.call('POST', '/api/v2/rules/filt-a/enable');
  assert.is(on.body.rule.is_active, true);
  const bad = await f.call('GET', '/api/v2/rules?active=maybe');
  assert.is(bad.status, 400);
  assert.is(bad.body.issues[0].path, 'active');
  const badType = await f.call('GET', '/api/v2/rules?match_type=fuzzy');
  assert.is(badType.status, 400);
});

t('delete: gone from get and list, audit history kept, a second delete is 404', async () => {
  await f.call('POST', '/api/v2/rules', { body: rule('gone') });
  await f.call('PATCH', '/api/v2/rules/gone', { body: { priority: 3 } });
  const del = await f.call('DELETE', '/api/v2/rules/gone', { body: { reason: 'obsolete' } });
  assert.is(del.status, 200, del.text);
  assert.is(del.body.message, 'Rule deleted successfully');
  assert.is((await f.call('GET', '/api/v2/rules/gone')).status, 404);
  const list = await f.call('GET', '/api/v2/rules');
  assert.not.ok(list.body.rules.some((r: { id: string }) => r.id === 'gone'));
  const audit = await f.call('GET', '/api/v2/audit/config?kind=rule&id=gone&order=asc');
  assert.equal(
    audit.body.items.map((i: { operation: string }) => i.operation),
    ['create', 'update', 'delete'],
  );
  assert.is(audit.body.items[2].reason, 'obsolete');
  assert.is(audit.body.items[2].old_value.priority, 3);
  assert.is((await f.call('DELETE', '/api/v2/rules/gone')).status, 404);
  const again = await f.call('POST', '/api/v2/rules', { body: rule('gone') });
  assert.is(again.status, 201, 'a deleted id can be reused');
});

t('ids that cannot be KV keys are simply not found (never a 500)', async () => {
  for (const id of ['a*b', '%20', 'a..b', '.x', 'a>b']) {
    assert.is((await f.call('GET', `/api/v2/rules/${id}`)).status, 404, id);
    assert.is((await f.call('DELETE', `/api/v2/rules/${id}`)).status, 404, id);
    assert.is((await f.call('PATCH', `/api/v2/rules/${id}`, { body: { priority: 1 } })).status, 404, id);
  }
});

t('a value written around the API is reported, not hidden', async () => {
  const kv = await import('@nats-io/kv').then(({ Kvm }) => new Kvm(f.nc).open('mutt_rules'));
  await kv.put('hand-made', JSON.stringify({ id: 'hand-made', match_type: 'contains' }));
  await new Promise((r) => setTimeout(r, 100));
  const list = await f.call('GET', '/api/v2/rules');
  assert.ok(list.body.invalid.some((p: { id: string }) => p.id === 'hand-made'));
  const got = await f.call('GET', '/api/v2/rules/hand-made');
  assert.is(got.status, 400);
  await kv.delete('hand-made');
});

t.run();
