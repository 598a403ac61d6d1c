import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { encode } from '../../protocol/codec.ts';
import { EventAuditRecord } from '../../protocol/messages.ts';
import { Headers, subjects } from '../../protocol/subjects.ts';
import { apiFixture, KEYS, rule, type ApiFixture } from './fixture.ts';

const t = suite('/api/v1 aliases');
let f: ApiFixture;

t.before(async () => {
  f = await apiFixture();
  await f.call('POST', '/api/v2/rules', { body: rule('r1') });
  await f.call('POST', '/api/v2/dev-hosts', { body: { hostname: 'lab1' } });
  await f.call('POST', '/api/v2/teams', { body: { hostname: 'core1', team_assignment: 'NETO' } });
  await f.call('PUT', '/api/v2/config/moog_rate_limit', { body: { value: 60 } });
  const now = Date.now();
  for (let i = 1; i <= 5; i++) {
    const record: EventAuditRecord = {
      kind: 'handled',
      eventId: `e${i}`,
      correlationId: `c${i}`,
      at: now,
      eventTime: now,
      host: i % 2 ? 'core1' : 'edge1',
      ruleId: 'r1',
      decision: 'page_only',
      forwarded: true,
      environment: 'prod',
      team: 'NETO',
      severity: null,
      event: {
        kind: 'syslog',
        id: `e${i}`,
        correlationId: `c${i}`,
        host: 'core1',
        message: `m${i}`,
        severity: null,
        time: now,
        receivedAt: now,
        source: { input: 'http' },
        parse: 'json',
      },
    };
    const h = natsHeaders();
    h.set(Headers.decision, 'page_only');
    await f.js.publish(subjects.auditEvent(record.host, 'r1'), encode(EventAuditRecord, record), { headers: h });
  }
});
t.after(async () => {
  await f?.close();
});

function deprecated(h: globalThis.Headers, successor: string) {
  assert.is(h.get('deprecation'), 'true');
  assert.is(h.get('x-api-deprecated'), 'true');
  assert.match(h.get('sunset') ?? '', /GMT$/);
  assert.is(h.get('link'), `<${successor}>; rel="successor-version"`);
  assert.is(h.get('x-api-version'), '1');
  assert.is(h.get('x-api-supported-versions'), '2, 1');
}

t('read routes answer exactly what their v2 twin answers, plus deprecation headers', async () => {
  for (const [v1, v2] of [
    ['/api/v1/rules', '/api/v2/rules'],
    ['/api/v1/rules/r1', '/api/v2/rules/r1'],
    ['/api/v1/dev-hosts', '/api/v2/dev-hosts'],
    ['/api/v1/teams', '/api/v2/teams'],
    ['/api/v1/config', '/api/v2/config'],
    ['/api/v1/version', '/api/v2/version'],
  ]) {
    const [a, b] = await Promise.all([f.call('GET', v1, { key: KEYS.read }), f.call('GET', v2, { key: KEYS.read })]);
    assert.is(a.status, 200, v1);
    assert.equal(a.body, b.body, v1);
    assert.is(b.headers.get('deprecation'), null, `${v2} is not deprecated`);
    assert.is(b.headers.get('x-api-version'), '2');
  }
  const m1 = await f.call('GET', '/api/v1/metrics');
  const m2 = await f.call('GET', '/api/v2/metrics');
  assert.equal(Object.keys(m1.body), Object.keys(m2.body));
  assert.equal(m1.body.chart_24h.labels, m2.body.chart_24h.labels);
  assert.ok('current_rate_1m' in m1.body.summary && 'avg_rate_15m' in m1.body.summary && 'avg_rate_1h' in m1.body.summary, 'v2.5 fields');
  deprecated(m1.headers, '/api/v2/metrics');
  const s1 = await f.call('GET', '/api/v1/slo');
  assert.equal(
    s1.body.slos.map((s: { name: string }) => s.name),
    (await f.call('GET', '/api/v2/slo')).body.slos.map((s: { name: string }) => s.name),
  );
  assert.ok(Array.isArray(s1.body.slos) && typeof s1.body.timestamp === 'string');
});

t('deprecation headers ride on errors too (401, 404, 400)', async () => {
  const unauth = await f.call('GET', '/api/v1/rules', { key: null });
  assert.is(unauth.status, 401);
  deprecated(unauth.headers, '/api/v2/rules');
  const missing = await f.call('GET', '/api/v1/rules/nope');
  assert.is(missing.status, 404);
  assert.is(missing.body.error, "rule 'nope' not found");
  deprecated(missing.headers, '/api/v2/rules/{id}');
  const bad = await f.call('GET', '/api/v1/audit-logs?page=two');
  assert.is(bad.status, 400);
  assert.is(bad.body.issues[0].path, 'page');
});

t('v1 writes: v2.5 messages and statuses; PUT /api/v1/rules/:id is partial like v2.5', async () => {
  const created = await f.call('POST', '/api/v1/rules', { body: rule('legacy', { priority: 40, description: 'keep' }) });
  assert.is(created.status, 201);
  assert.is(created.body.message, 'Rule created successfully');
  assert.is(created.body.id, 'legacy');
  deprecated(created.headers, '/api/v2/rules');
  const updated = await f.call('PUT', '/api/v1/rules/legacy', { body: { priority: 41, reason: 'tune' } });
  assert.is(updated.status, 200, updated.text);
  assert.is(updated.body.message, 'Rule updated successfully');
  assert.is(updated.body.rule.description, 'keep', 'partial update');
  const empty = await f.call('PUT', '/api/v1/rules/legacy', { body: {} });
  assert.is(empty.status, 400);
  const deleted = await f.call('DELETE', '/api/v1/rules/legacy', { body: { reason: 'bye' } });
  assert.is(deleted.body.message, 'Rule deleted successfully');

  const dev = await f.call('POST', '/api/v1/dev-hosts', { body: { hostname: 'lab9' } });
  assert.equal([dev.status, dev.body.message], [201, 'Dev host added successfully']);
  assert.is((await f.call('POST', '/api/v1/dev-hosts', { body: { hostname: 'lab9' } })).status, 409);
  assert.is((await f.call('POST', '/api/v1/dev-hosts', { body: {} })).status, 400, 'v2.5 answered 500 for odd bodies');
  assert.is((await f.call('DELETE', '/api/v1/dev-hosts/lab9')).body.message, 'Dev host deleted successfully');
  assert.is((await f.call('DELETE', '/api/v1/dev-hosts/lab9')).status, 404);
  const team = await f.call('POST', '/api/v1/teams', { body: { hostname: 'edge9', team_assignment: 'WAN' } });
  assert.equal([team.status, team.body.message], [201, 'Team mapping added successfully']);
  assert.is(
    (await f.call('PUT', '/api/v1/teams/edge9', { body: { team_assignment: 'SEC' } })).body.message,
    'Team mapping updated successfully',
  );
  assert.is((await f.call('PUT', '/api/v1/teams/nope', { body: { team_assignment: 'SEC' } })).status, 404);
  assert.is((await f.call('DELETE', '/api/v1/teams/edge9')).body.message, 'Team mapping deleted successfully');

  const cfg = await f.call('PUT', '/api/v1/config/moog_rate_limit', { body: { value: 70, reason: 'x' } });
  assert.equal([cfg.body.key, cfg.body.old_value, cfg.body.new_value], ['moog_rate_limit', 60, 70]);
  assert.is((await f.call('PUT', '/api/v1/config/moog_rate_limit', { body: {} })).status, 400);
  assert.is((await f.call('PUT', '/api/v1/config/made_up', { body: { value: 1 } })).status, 400);
});

t('GET /api/v1/audit-logs: page-numbered event audit with v2.5 row names and ISO dates', async () => {
  const r = await f.call('GET', '/api/v1/audit-logs?limit=2&page=2');
  assert.is(r.status, 200, r.text);
  assert.equal(r.body.pagination, { page: 2, limit: 2, total: 5, pages: 3 });
  assert.equal(
    r.body.logs.map((l: { raw_message: string }) => l.raw_message),
    ['m3', 'm2'],
  );
  assert.match(r.body.logs[0].event_timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.is(r.body.logs[0].matched_rule_id, 'r1');
  assert.is(r.body.logs[0].forwarded_to_moog, true);
  const host = await f.call('GET', '/api/v1/audit-logs?hostname=core1');
  assert.is(host.body.pagination.total, 3);
  const clamped = await f.call('GET', '/api/v1/audit-logs?limit=1000');
  assert.is(clamped.body.pagination.limit, 200, 'v2.5 clamped the page size');
  const dated = await f.call('GET', '/api/v1/audit-logs?start_date=2000-01-01');
  assert.equal([dated.body.logs.length, dated.body.pagination.total, dated.body.pagination.pages], [5, null, null]);
  const beyond = await f.call('GET', '/api/v1/audit-logs?page=9');
  assert.equal(beyond.body.logs, []);
  assert.is((await f.call('GET', '/api/v1/audit-logs?page=1000&limit=200')).status, 400);
  assert.is((await f.call('GET', '/api/v1/audit-logs?rule_id=r1')).body.pagination.total, 5);
});

t('GET /api/v1/audit: config audit with changed_by, operation (any case), table_name, record_id', async () => {
  const r = await f.call('GET', '/api/v1/audit?changed_by=OP&operation=create&table_name=alert_rules');
  assert.is(r.status, 200, r.text);
  assert.ok(r.body.logs.length >= 2);
  const row = r.body.logs.find((l: { record_id: string }) => l.record_id === 'r1');
  assert.equal([row.changed_by, row.operation, row.table_name], ['ops', 'CREATE', 'alert_rules']);
  assert.match(row.changed_at, /Z$/);
  assert.is(row.new_values.id, 'r1');
  assert.is(row.old_values, null);
  assert.is(r.body.pagination.total, null);
  const byRecord = await f.call('GET', '/api/v1/audit?table_name=device_teams&record_id=core1');
  assert.equal(byRecord.body.pagination, { page: 1, limit: 50, total: 1, pages: 1 });
  assert.is((await f.call('GET', '/api/v1/audit?operation=UPSERT')).status, 400, 'v2.5 answered 500');
  assert.is((await f.call('GET', '/api/v1/audit?table_name=users')).status, 400);
  assert.is((await f.call('GET', '/api/v1/audit?changed_by=nobody')).body.logs.length, 0);
});

t('GET /api/v1/config/history works (v2.5 always answered 500)', async () => {
  const r = await f.call('GET', '/api/v1/config/history?page=1&limit=2');
  assert.is(r.status, 200, r.text);
  assert.ok(r.body.history.length >= 1);
  assert.ok(r.body.history.every((h: { table_name: string }) => h.table_name === 'dynamic_config'));
  assert.is(r.body.history[0].record_id, 'moog_rate_limit');
  assert.ok(r.body.pagination.total >= 2);
});

t('version is public on both paths', async () => {
  const r = await f.call('GET', '/api/v1/version', { key: null });
  assert.is(r.status, 200);
  assert.is(r.body.commit, 'abc123');
  assert.equal(r.body.supported_versions, ['v2', 'v1']);
  deprecated(r.headers, '/api/v2/version');
  const v2 = await f.call('GET', '/api/v2/version', { key: null });
  assert.is(v2.body.api_versions[1].status, 'deprecated');
  assert.match(v2.body.api_versions[1].sunset, /^2027-01-01T00:00:00/);
});

t.run();
