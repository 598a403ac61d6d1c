import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { encode } from '../../protocol/codec.ts';
import { EventAuditRecord, type Decision } from '../../protocol/messages.ts';
import { Headers, UNHANDLED_RULE, subjects } from '../../protocol/subjects.ts';
import { apiFixture, KEYS, type ApiFixture } from './fixture.ts';

const t = suite('audit API');
let f: ApiFixture;
let mid = 0;

async function audit(i: number, host: string, ruleId: string | null, decision: Decision) {
  const now = Date.now();
  const record: EventAuditRecord = {
    kind: ruleId ? 'handled' : 'unhandled',
    eventId: `e${i}`,
    correlationId: `c${i}`,
    at: now,
    eventTime: now - 1000,
    host,
    ruleId,
    decision,
    forwarded: decision !== 'ignore' && decision !== 'unhandled',
    environment: 'prod',
    team: ruleId ? 'NETO' : null,
    severity: 3,
    alertId: ruleId ? `alert:e${i}` : undefined,
    event: {
      kind: 'syslog',
      id: `e${i}`,
      correlationId: `c${i}`,
      host,
      message: `message ${i}`,
      severity: 3,
      time: now - 1000,
      receivedAt: now - 500,
      source: { input: 'http' },
      parse: 'json',
      raw: `<11>raw ${i}`,
    },
  };
  const h = natsHeaders();
  h.set(Headers.decision, decision);
  await f.js.publish(subjects.auditEvent(host, ruleId ?? UNHANDLED_RULE), encode(EventAuditRecord, record), { headers: h });
}

t.before(async () => {
  f = await apiFixture();
  // 1..40: core1.example.com/link-down page, edge2/_unhandled, core1/noisy ignore, rotating
  for (let i = 1; i <= 40; i++) {
    if (i === 21) {
      await new Promise((r) => setTimeout(r, 30));
      mid = Date.now();
      await new Promise((r) => setTimeout(r, 30));
    }
    const k = i % 3;
    if (k === 0) await audit(i, 'core1.example.com', 'link-down', 'page_and_ticket');
    else if (k === 1) await audit(i, 'edge2', null, 'unhandled');
    else await audit(i, 'CORE1.example.com', 'noisy', 'ignore');
  }
});
t.after(async () => {
  await f?.close();
});

t('events by host (any case) and rule via subject tokens, with exact totals', async () => {
  const host = await f.call('GET', '/api/v2/audit/events?host=core1.example.com&limit=500', { key: KEYS.read });
  assert.is(host.status, 200, host.text);
  assert.is(host.body.items.length, 26);
  assert.is(host.body.total, 26);
  assert.is(host.body.next_cursor, null);
  const rule = await f.call('GET', '/api/v2/audit/events?rule=link-down');
  assert.is(rule.body.total, 13);
  assert.ok(rule.body.items.every((i: { rule_id: string }) => i.rule_id === 'link-down'));
  const both = await f.call('GET', '/api/v2/audit/events?host=edge2&rule=_unhandled');
  assert.is(both.body.total, 14);
  const item = both.body.items[0];
  assert.is(item.event_id, 'e40', 'newest first');
  assert.is(item.decision, 'unhandled');
  assert.is(item.message, 'message 40');
  assert.match(item.at, /^\d{4}-\d\d-\d\dT.*Z$/);
  assert.match(item.received_at, /Z$/);
  assert.is(item.alert_id, null);
});

t('decision, forwarded and time filter per record (total omitted)', async () => {
  const ignore = await f.call('GET', '/api/v2/audit/events?decision=ignore');
  assert.is(ignore.body.items.length, 13);
  assert.is(ignore.body.total, null);
  const fwd = await f.call('GET', '/api/v2/audit/events?forwarded=true&limit=500');
  assert.ok(fwd.body.items.every((i: { forwarded: boolean }) => i.forwarded));
  assert.is(fwd.body.items.length, 13);
  const after = await f.call('GET', `/api/v2/audit/events?from=${new Date(mid).toISOString()}&order=asc`);
  assert.is(after.body.items[0].event_id, 'e21');
  assert.is(after.body.items.length, 20);
  const before = await f.call('GET', `/api/v2/audit/events?to=${mid}`);
  assert.is(before.body.items[0].event_id, 'e20');
});

t('cursor pagination walks every record once, both orders', async () => {
  for (const order of ['asc', 'desc']) {
    const ids: string[] = [];
    let cursor: number | null = null;
    do {
      const r: { body: { items: { event_id: string }[]; next_cursor: number | null } } = await f.call(
        'GET',
        `/api/v2/audit/events?limit=7&order=${order}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      ids.push(...r.body.items.map((i) => i.event_id));
      cursor = r.body.next_cursor;
    } while (cursor !== null);
    const expected = Array.from({ length: 40 }, (_, i) => `e${i + 1}`);
    assert.equal(ids, order === 'asc' ? expected : expected.reverse(), order);
  }
});

t('bad query parameters are 400s naming the parameter (v2.5 answered 500)', async () => {
  for (const [q, param] of [
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=ten', 'limit'],
    ['cursor=-1', 'cursor'],
    ['from=yesterday', 'from'],
    ['decision=maybe', 'decision'],
    ['forwarded=yes', 'forwarded'],
    ['order=sideways', 'order'],
  ]) {
    const r = await f.call('GET', `/api/v2/audit/events?${q}`);
    assert.is(r.status, 400, q);
    assert.is(r.body.issues[0].path, param, q);
  }
  const r = await f.call('GET', '/api/v2/audit/config?kind=planet');
  assert.is(r.status, 400);
  assert.is(r.body.issues[0].path, 'kind');
});

t('config audit: filters by kind, id, actor, operation; actor is the key name', async () => {
  await f.call('POST', '/api/v2/teams', { body: { hostname: 'a1', team_assignment: 'X' } });
  await f.call('PUT', '/api/v2/teams/a1', { body: { team_assignment: 'Y' } });
  await f.call('PUT', '/api/v2/config/moog_manager', { body: { value: 'M' } });
  const all = await f.call('GET', '/api/v2/audit/config');
  assert.is(all.body.total, 3);
  assert.equal(
    all.body.items.map((i: { kind: string }) => i.kind),
    ['config', 'team', 'team'],
  );
  const byId = await f.call('GET', '/api/v2/audit/config?id=a1');
  assert.is(byId.body.total, 2);
  const byOp = await f.call('GET', '/api/v2/audit/config?operation=update&kind=team');
  assert.is(byOp.body.items.length, 1);
  assert.is(byOp.body.total, null);
  const byActor = await f.call('GET', '/api/v2/audit/config?actor=ops');
  assert.is(byActor.body.items.length, 3);
  const nobody = await f.call('GET', '/api/v2/audit/config?actor=someone-else');
  assert.is(nobody.body.items.length, 0);
  assert.ok(all.body.items.every((i: { correlation_id: string }) => i.correlation_id.length > 0));
});

t('the correlation id of the request reaches the audit record', async () => {
  await f.call('PUT', '/api/v2/config/moog_manager', { body: { value: 'N' }, headers: { 'X-Correlation-ID': 'trace-me-42' } });
  const r = await f.call('GET', '/api/v2/audit/config?kind=config&limit=1');
  assert.is(r.body.items[0].correlation_id, 'trace-me-42');
});

t.run();
