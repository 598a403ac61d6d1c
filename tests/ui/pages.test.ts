// Every UI page over real services on a throwaway nats-server, through the forms a browser would send:
// dashboard and its SSE feed, rules (empty state, create, field errors, conflicts, priority order, enable,
// delete, tester), development hosts and teams (add, import, replace, delete), configuration (set, refusal,
// reset, history, propagation to a watching actor within a second, config audit), event audit (filters,
// paging, untrusted text escaped), config audit, and dead letters (show decoded, replay, purge confirmed).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { pino } from 'pino';
import { KEYS, uiFixture, type Agent, type UiFixture } from './fixture.ts';
import { waitFor } from '../helpers/wait.ts';
import { ConfigView } from '../../actors/runtime/config-view.ts';
import { encode } from '../../protocol/codec.ts';
import { DlqEntry, EventAuditRecord, IngestEvent, type Decision } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { Headers, subjects } from '../../protocol/subjects.ts';

const t = suite('ui pages');
let f: UiFixture;
let a: Agent;

const XSS = '<img src=x onerror=alert(1)>';

function event(host: string, message: string, i = 0): IngestEvent {
  return {
    kind: 'syslog',
    id: `ev-${host}-${i}`,
    correlationId: `corr-${host}-${i}`,
    host,
    message,
    severity: 3,
    time: Date.now(),
    receivedAt: Date.now(),
    source: { input: 'http' },
    parse: 'json',
  };
}

async function audit(host: string, rule: string | null, decision: Decision, forwarded: boolean, message: string, i = 0): Promise<void> {
  const rec: EventAuditRecord = {
    kind: rule === null ? 'unhandled' : 'handled',
    eventId: `ev-${host}-${i}`,
    correlationId: `corr-${host}-${i}`,
    at: Date.now(),
    eventTime: Date.now(),
    host,
    ruleId: rule,
    decision,
    forwarded,
    environment: 'prod',
    team: 'NETO',
    severity: 3,
    event: event(host, message, i),
  };
  const h = natsHeaders();
  h.set(Headers.decision, decision);
  await f.js.publish(subjects.auditEvent(host, rule ?? '_unhandled'), encode(EventAuditRecord, rec), { headers: h });
}

async function deadLetter(message: string, reason: DlqEntry['reason'] = 'rejected'): Promise<number> {
  const ev = event('dlq-host', message);
  const entry: DlqEntry = {
    reason,
    stage: 'forwarder',
    attempts: 1,
    firstError: 'HTTP 400 from Moogsoft',
    lastError: 'HTTP 400 from Moogsoft',
    firstSeenAt: Date.now(),
    lastSeenAt: Date.now(),
    originalSubject: subjects.event('syslog', 'dlq-host'),
    originalStream: StreamName.events,
    originalPayload: encode(IngestEvent, ev),
    status: 400,
    excerpt: '{"error":"bad"}',
    replays: 0,
  };
  const ack = await f.js.publish(subjects.dlqEntry('forwarder', reason), encode(DlqEntry, entry));
  return ack.seq;
}

const rule = (id: string, extra: Record<string, string> = {}) => ({
  id,
  match_type: 'contains',
  match_string: `${id}-needle`,
  priority: '100',
  prod_handling: 'page_and_ticket',
  dev_handling: 'ticket_only',
  team_assignment: 'NETO',
  is_active: 'true',
  ...extra,
});

t.before(async () => {
  f = await uiFixture({ pushEveryMs: 200 });
  a = f.agent();
  await a.login(KEYS.admin);
});
t.after(async () => {
  await f?.close();
});

t('dashboard: rates, chart of 24 hours, stages, DLQ, breaker, SLOs, processes; the SSE feed pushes updates', async () => {
  f.counters.add(7);
  await f.counters.flush();
  const page = await a.get('/ui/');
  assert.is(page.status, 200);
  assert.match(page.text, /<script src="\/ui\/assets\/dashboard\.js\?v=[0-9a-f]+" defer/);
  assert.is([...page.text.matchAll(/<rect class="bar" data-bar="/g)].length, 24);
  for (const table of ['stages', 'dlq', 'slo', 'processes', 'actors', 'streams'])
    assert.match(page.text, new RegExp(`data-table="${table}"`));
  assert.match(page.text, /data-stat="ingest\.this_minute" data-base-class="value">7</);
  assert.match(page.text, /alerter/);
  assert.match(page.text, /ingest_availability/);
  const res = await f.app.request('/ui/events', {
    headers: { cookie: `mutt_session=${a.cookies.get('mutt_session')}`, accept: 'text/event-stream' },
  });
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type')!, /text\/event-stream/);
  const reader = res.body!.getReader();
  let text = '';
  const started = Date.now();
  while ((text.match(/event: dashboard/g) ?? []).length < 2 && Date.now() - started < 5000)
    text += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  assert.ok((text.match(/event: dashboard/g) ?? []).length >= 2, 'two pushes');
  const data = JSON.parse(/data: (.*)/.exec(text)![1]);
  assert.is(data.stats['ingest.this_minute'].text, '7');
  assert.is(data.chart.bars.length, 24);
  assert.ok(Array.isArray(data.tables.stages));
});

const NO_RULES_BANNER =
  /<div class="flash error" role="alert" data-no-active-rules="true" data-testid="no-active-rules"( hidden="")?>([\s\S]*?)<\/div>/;

t('dashboard: with no active rule it says loudly that events will not alert, with a link to the rules page', async () => {
  const page = await a.get('/ui/');
  const banner = NO_RULES_BANNER.exec(page.text);
  assert.ok(banner, 'the banner is on the page');
  assert.is(banner[1], undefined, 'and not hidden');
  assert.match(banner[2], /No active rules: events will not alert/);
  assert.match(banner[2], /<a href="\/ui\/rules">/);
});

t('rules: an empty state, then create through the form; listed by priority then id', async () => {
  let page = await a.get('/ui/rules');
  assert.match(page.text, /No rules yet — create one/);
  for (const [id, priority] of [
    ['b-rule', '50'],
    ['a-rule', '50'],
    ['z-first', '5'],
  ]) {
    const r = await a.post('/ui/rules/new', rule(id, { priority, reason: 'CHG-7' }));
    assert.is(r.status, 303, id);
    assert.is(r.location, `/ui/rules?done=created&id=${id}`);
  }
  page = await a.get('/ui/rules?done=created&id=a-rule');
  assert.match(page.text, /Rule &#39;a-rule&#39; created\./);
  const order = [...page.text.matchAll(/<tr data-rule="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(order, ['z-first', 'a-rule', 'b-rule']);
  const stored = await f.services.rules.get('a-rule');
  assert.is(stored.rule.created_by, 'ui:ops');
  const audit = await f.services.configAudit.query({ kind: 'rule', id: 'a-rule', order: 'desc', limit: 5 });
  assert.is(audit.items[0].record.reason, 'CHG-7');
  assert.is(audit.items[0].record.actor, 'ui:ops');
});

t('dashboard: the no-active-rules warning is hidden once a rule is active, and comes back when none is', async () => {
  const hidden = async () => NO_RULES_BANNER.exec((await a.get('/ui/')).text)?.[1] !== undefined;
  await waitFor(hidden, 5000, 'the warning to go with active rules');
  const ids = f.services.rules.list({ active: true }).map((r) => r.rule.id);
  for (const id of ids) assert.is((await a.post(`/ui/rules/${id}/active`, { active: 'false' })).status, 303, id);
  await waitFor(async () => !(await hidden()), 5000, 'the warning back with every rule disabled');
  for (const id of ids) assert.is((await a.post(`/ui/rules/${id}/active`, { active: 'true' })).status, 303, id);
  await waitFor(hidden, 5000, 'the warning gone again');
});

t('rules: refusals are shown beside the field that caused them, with what was typed kept', async () => {
  let r = await a.post('/ui/rules/new', rule('bad-regex', { match_type: 'regex', match_string: '(a+)+$' }));
  assert.is(r.status, 400);
  assert.match(r.text, /<span class="field-error" data-error-for="match_string">[^<]*backtracking/);
  assert.match(r.text, /value="\(a\+\)\+\$"/, 'typed value kept');
  r = await a.post('/ui/rules/new', rule('bad-prio', { priority: 'soon' }));
  assert.is(r.status, 400);
  assert.match(r.text, /data-error-for="priority"/);
  r = await a.post('/ui/rules/new', rule('_reserved'));
  assert.match(r.text, /data-error-for="id"/);
  r = await a.post('/ui/rules/new', rule('oid-rule', { match_type: 'oid_prefix', trap_oid: '' }));
  assert.match(r.text, /data-error-for="trap_oid"/);
  r = await a.post('/ui/rules/new', rule('a-rule'));
  assert.is(r.status, 409);
  assert.match(r.text, /already exists/);
  await f.services.rules.get('bad-regex').then(
    () => assert.unreachable('not stored'),
    () => undefined,
  );
});

t('rules: edit with the revision it was loaded at; a concurrent change is a conflict, not an overwrite', async () => {
  const page = await a.get('/ui/rules/a-rule/edit');
  assert.is(page.status, 200);
  const revision = /name="revision" value="(\d+)"/.exec(page.text)![1];
  let r = await a.post('/ui/rules/a-rule/edit', { ...rule('a-rule', { match_string: 'edited', description: 'from the UI' }), revision });
  assert.is(r.status, 303);
  assert.is((await f.services.rules.get('a-rule')).rule.match_string, 'edited');
  r = await a.post('/ui/rules/a-rule/edit', { ...rule('a-rule', { match_string: 'stale' }), revision });
  assert.is(r.status, 409);
  assert.match(r.text, /Someone else changed it/);
  assert.is((await f.services.rules.get('a-rule')).rule.match_string, 'edited');
  assert.is((await a.get('/ui/rules/nope/edit')).status, 404);
});

t('rules: inline priority reorders, disable/enable, delete; filters', async () => {
  let r = await a.post('/ui/rules/b-rule/priority', { priority: '1' });
  assert.is(r.status, 303);
  let page = await a.get('/ui/rules');
  assert.equal(
    [...page.text.matchAll(/<tr data-rule="([^"]+)"/g)].map((m) => m[1]),
    ['b-rule', 'z-first', 'a-rule'],
  );
  r = await a.post('/ui/rules/b-rule/priority', { priority: '-3' });
  assert.is(r.status, 400);
  assert.match(r.text, /Priority of &#39;b-rule&#39; not changed/);
  r = await a.post('/ui/rules/z-first/active', { active: 'false' });
  assert.is(r.status, 303);
  assert.not.ok((await f.services.rules.get('z-first')).rule.is_active);
  page = await a.get('/ui/rules?active=false');
  assert.equal(
    [...page.text.matchAll(/<tr data-rule="([^"]+)"/g)].map((m) => m[1]),
    ['z-first'],
  );
  page = await a.get('/ui/rules?q=edited');
  assert.equal(
    [...page.text.matchAll(/<tr data-rule="([^"]+)"/g)].map((m) => m[1]),
    ['a-rule'],
  );
  page = await a.get('/ui/rules?q=nothing-like-this');
  assert.match(page.text, /No rule matches these filters/);
  r = await a.post('/ui/rules/z-first/delete');
  assert.is(r.status, 303);
  await f.services.rules.get('z-first').then(
    () => assert.unreachable('deleted'),
    () => undefined,
  );
  assert.is((await a.post('/ui/rules/z-first/delete')).status, 404);
});

t('rules: the tester names the winning rule and why, or says nothing matched; bad input is named', async () => {
  let r = await a.post('/ui/rules/test', { message: 'port b-rule-needle down', host: 'core1', severity: 'error' });
  assert.is(r.status, 200);
  assert.match(r.text, /data-testid="test-rule">b-rule/);
  assert.match(r.text, /data-testid="test-why">[^<]*b-rule-needle/);
  assert.match(r.text, /page and ticket/);
  assert.not.match(r.text, /data-testid="near-misses"/, 'no near-miss section when nothing else matched');
  // A rule whose text matches but whose severity filter does not: the tester names it and why.
  assert.is(
    (await a.post('/ui/rules/new', rule('crit-only', { match_string: 'other-needle', syslog_severity: '2', priority: '1' }))).status,
    303,
  );
  r = await a.post('/ui/rules/test', { message: 'other-needle port down', host: 'core1', severity: 'error' });
  assert.match(r.text, /No rule matches/);
  assert.match(r.text, /data-testid="near-miss-crit-only"/);
  assert.match(r.text, /data-testid="near-miss-reasons-crit-only">severity</);
  assert.is((await a.post('/ui/rules/crit-only/delete')).status, 303);
  r = await a.post('/ui/rules/test', { message: 'nothing here', host: 'core1' });
  assert.match(r.text, /No rule matches/);
  r = await a.post('/ui/rules/test', { message: 'x', host: 'h', severity: 'loud' });
  assert.is(r.status, 400);
  assert.match(r.text, /data-error-for="severity"/);
});

t('dev hosts: add, duplicate refused beside the field, bulk import (one bad line: nothing written), delete', async () => {
  let page = await a.get('/ui/dev-hosts');
  assert.match(page.text, /No development hosts yet — add one/);
  let r = await a.post('/ui/dev-hosts/add', { hostname: 'lab-sw1', note: 'lab' });
  assert.is(r.status, 303);
  r = await a.post('/ui/dev-hosts/add', { hostname: 'LAB-SW1' });
  assert.is(r.status, 400);
  assert.match(r.text, /already exists/);
  r = await a.post('/ui/dev-hosts/add', { hostname: 'has space' });
  assert.match(r.text, /data-error-for="hostname"/);
  r = await a.post('/ui/dev-hosts/import', { text: 'lab-sw2\n# comment\nlab-sw3,spare\nbad host\n', mode: 'merge' });
  assert.is(r.status, 400);
  assert.match(r.text, /Nothing was written/);
  assert.match(r.text, /line 4/);
  assert.is(f.services.devHosts.list().length, 1);
  r = await a.post('/ui/dev-hosts/import', { text: 'lab-sw2\n# comment\nlab-sw3,spare\n', mode: 'merge' });
  assert.is(r.status, 303);
  assert.match(r.location!, /created=2/);
  page = await a.get(r.location!);
  assert.match(page.text, /2 added, 0 changed, 0 unchanged, 0 deleted/);
  r = await a.post('/ui/dev-hosts/import', { text: '["lab-sw3"]', mode: 'replace' });
  assert.is(r.status, 303);
  assert.equal(
    f.services.devHosts.list().map((h) => h.value.hostname),
    ['lab-sw3'],
  );
  r = await a.post('/ui/dev-hosts/delete', { hostname: 'lab-sw3' });
  assert.is(r.status, 303);
  assert.is(f.services.devHosts.list().length, 0);
});

t('device teams: add, change a team inline, import with a default team', async () => {
  let r = await a.post('/ui/teams/add', { hostname: 'core1', team_assignment: 'NetOps' });
  assert.is(r.status, 303);
  r = await a.post('/ui/teams/add', { hostname: 'core2', team_assignment: '' });
  assert.is(r.status, 400);
  assert.match(r.text, /data-error-for="team_assignment"/);
  r = await a.post('/ui/teams/update', { hostname: 'core1', team_assignment: 'WAN' });
  assert.is(r.status, 303);
  assert.is((await f.services.teams.get('core1')).value.team_assignment, 'WAN');
  r = await a.post('/ui/teams/import', { text: 'edge1\nedge2,Edge', default_team: 'Access', mode: 'merge' });
  assert.is(r.status, 303);
  assert.is((await f.services.teams.get('edge1')).value.team_assignment, 'Access');
  const page = await a.get('/ui/teams?q=edge');
  assert.equal(
    [...page.text.matchAll(/<tr data-host="([^"]+)"/g)].map((m) => m[1]),
    ['edge1', 'edge2'],
  );
});

t('device teams: a long list is shown 200 rows at a time with a link to the next page', async () => {
  const text = Array.from({ length: 205 }, (_, i) => `bulk-${String(i).padStart(3, '0')},Bulk`).join('\n');
  const r = await a.post('/ui/teams/import', { text, mode: 'merge' });
  assert.is(r.status, 303, r.text);
  const rows = (html: string) => [...html.matchAll(/<tr data-host="([^"]+)"/g)].map((m) => m[1]);
  const first = await a.get('/ui/teams?q=bulk-');
  assert.is(rows(first.text).length, 200);
  assert.match(first.text, /200 shown of 205 matching/);
  const next = first.text.match(/<a href="([^"]+)" data-testid="next-page">/);
  assert.ok(next, 'a next-page link');
  const second = await a.get(next![1].replace(/&amp;/g, '&'));
  assert.equal(rows(second.text), ['bulk-200', 'bulk-201', 'bulk-202', 'bulk-203', 'bulk-204']);
  assert.not.match(second.text, /data-testid="next-page"/);
});

t('config: each key with description, default and value; a set reaches a watching actor within 1 s and is audited', async () => {
  const watcher = await ConfigView.open(f.nc, pino({ level: 'silent' }));
  try {
    let page = await a.get('/ui/config');
    assert.match(page.text, /moog_manager/);
    assert.match(page.text, /manager field of the REST LAM event/);
    assert.match(page.text, /data-testid="value-moog_manager">MUTT</);
    const started = Date.now();
    const r = await a.post('/ui/config/moog_manager', { value: 'MUTT-UI', reason: 'rename' });
    assert.is(r.status, 303);
    await waitFor(() => watcher.get().moog_manager === 'MUTT-UI', 1000, 'the actor view to see the change');
    assert.ok(Date.now() - started < 1000);
    page = await a.get(r.location!);
    assert.match(page.text, /moog_manager changed/);
    assert.match(page.text, /data-testid="value-moog_manager">MUTT-UI</);
    const rec = (await f.services.configAudit.query({ kind: 'config', id: 'moog_manager', order: 'desc', limit: 1 })).items[0].record;
    assert.is(rec.actor, 'ui:ops');
    assert.is(rec.reason, 'rename');
    // Typed values: numbers, booleans, arrays as JSON.
    assert.is((await a.post('/ui/config/moog_rate_limit', { value: '75' })).status, 303);
    await waitFor(() => watcher.get().moog_rate_limit === 75, 1000, 'moog_rate_limit 75');
    assert.is((await a.post('/ui/config/moog_rate_adaptive', { value: 'true' })).status, 303);
    assert.is((await a.post('/ui/config/moog_severity_map', { value: '[5,5,5,4,3,2,1,1]' })).status, 303);
    assert.equal((await f.services.config.get('moog_severity_map')).value, [5, 5, 5, 4, 3, 2, 1, 1]);
    // Refused beside the field, value kept.
    const bad = await a.post('/ui/config/moog_rate_limit', { value: '0' });
    assert.is(bad.status, 400);
    assert.match(bad.text, /data-error-for="moog_rate_limit"/);
    assert.match(bad.text, /moog_rate_limit not changed/);
    const badDetail = await a.post('/ui/config/moog_severity_map', { value: '[1,2]', from: 'detail' });
    assert.is(badDetail.status, 400);
    assert.match(badDetail.text, /<h1 class="mono">moog_severity_map/);
    assert.is((await a.post('/ui/config/no_such_key', { value: '1' })).status, 404);
    // History and reset.
    const detail = await a.get('/ui/config/moog_manager');
    assert.match(detail.text, /data-testid="config-history"/);
    assert.match(detail.text, /MUTT-UI/);
    assert.match(detail.text, /rename/);
    assert.is((await a.post('/ui/config/moog_manager/reset', { from: 'detail' })).status, 303);
    await waitFor(() => watcher.get().moog_manager === 'MUTT', 1000, 'reset to reach the actor');
    assert.is((await a.get('/ui/config/nope')).status, 404);
  } finally {
    watcher.stop();
  }
});

t('event audit: filters by host, rule, decision, forwarded and time; pages by cursor; event text stays text', async () => {
  let page = await a.get('/ui/audit/events');
  assert.match(page.text, /No events audited yet/);
  for (let i = 0; i < 30; i++) await audit('sw1.example.com', 'b-rule', 'page_and_ticket', true, `b-rule-needle ${i}`, i);
  await audit('sw2.example.com', null, 'unhandled', false, XSS, 99);
  await audit('sw2.example.com', 'a-rule', 'ignore', false, 'ignored one', 100);
  page = await a.get('/ui/audit/events?host=sw2.example.com');
  assert.is(page.status, 200);
  assert.ok(page.text.includes('&lt;img src=x onerror=alert(1)&gt;'), 'escaped');
  assert.not.ok(page.text.includes(XSS), 'never raw');
  assert.not.match(page.text, /<img/);
  page = await a.get('/ui/audit/events?decision=unhandled');
  assert.is([...page.text.matchAll(/<tr data-seq=/g)].length, 1);
  page = await a.get('/ui/audit/events?rule=a-rule&forwarded=false');
  assert.is([...page.text.matchAll(/<tr data-seq=/g)].length, 1);
  assert.match(page.text, /ignored one/);
  page = await a.get('/ui/audit/events?host=sw1.example.com&limit=25');
  assert.is([...page.text.matchAll(/<tr data-seq=/g)].length, 25);
  assert.match(page.text, /25 shown of 30 matching/);
  assert.match(page.text, /b-rule-needle 29/, 'newest first');
  const next = /href="([^"]+)" data-testid="next-page"/.exec(page.text)![1].replace(/&amp;/g, '&');
  page = await a.get(next);
  assert.is([...page.text.matchAll(/<tr data-seq=/g)].length, 5);
  assert.match(page.text, /b-rule-needle 0</);
  assert.not.match(page.text, /data-testid="next-page"/);
  page = await a.get('/ui/audit/events?from=2000-01-01T00:00&to=2000-01-02T00:00');
  assert.match(page.text, /No events match these filters/);
  page = await a.get('/ui/audit/events?from=yesterday');
  assert.is(page.status, 400);
  assert.match(page.text, /data-error-for="from"/);
});

t('config audit: filters by kind, who, operation; links to what changed', async () => {
  let page = await a.get('/ui/audit/config?kind=rule');
  assert.is(page.status, 200);
  assert.match(page.text, /href="\/ui\/rules\/a-rule\/edit"/);
  assert.match(page.text, /match_string: a-rule-needle → edited/);
  page = await a.get('/ui/audit/config?kind=config&operation=reset');
  assert.is([...page.text.matchAll(/<tr data-seq=/g)].length, 1);
  page = await a.get('/ui/audit/config?actor=nobody');
  assert.match(page.text, /No changes match these filters/);
  for (let i = 0; i < 10; i++) assert.is((await a.post('/ui/config/remediation_batch_size', { value: String(100 + i) })).status, 303);
  page = await a.get('/ui/audit/config?actor=ui:ops&limit=25');
  assert.is([...page.text.matchAll(/<tr data-seq=/g)].length, 25);
  assert.match(page.text, /data-testid="next-page"/);
  assert.is((await a.get('/ui/audit/config?operation=explode')).status, 400);
});

t('dead letters: list, show the decoded payload, replay, purge one (confirmed) and purge by filter (confirmation page)', async () => {
  let page = await a.get('/ui/dlq');
  assert.match(page.text, /No dead letters/);
  const s1 = await deadLetter(XSS);
  const s2 = await deadLetter('second', 'retries_exhausted');
  const s3 = await deadLetter('third', 'retries_exhausted');
  page = await a.get('/ui/dlq');
  assert.match(page.text, new RegExp(`data-seq="${s1}"`));
  assert.match(page.text, /forwarder · rejected: 1/);
  const show = await a.get(`/ui/dlq/${s1}`);
  assert.is(show.status, 200);
  assert.match(show.text, /data-testid="dlq-payload">[^<]*&quot;host&quot;: &quot;dlq-host&quot;/);
  assert.ok(show.text.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.not.match(show.text, /<img/);
  const before = (await f.jsm.streams.info(StreamName.events)).state.messages;
  let r = await a.post(`/ui/dlq/${s1}/replay`);
  assert.is(r.status, 303);
  assert.match(r.location!, /done=replayed/);
  assert.is((await f.jsm.streams.info(StreamName.events)).state.messages, before + 1, 'back on MUTT_EVENTS');
  assert.is((await a.get(`/ui/dlq/${s1}`)).status, 404, 'gone from the DLQ');
  r = await a.post(`/ui/dlq/${s2}/purge`);
  assert.is(r.status, 303);
  const confirm = await a.get('/ui/dlq/purge?reason=retries_exhausted');
  assert.is(confirm.status, 200);
  assert.match(confirm.text, /data-testid="purge-count">1</);
  r = await a.post('/ui/dlq/purge', { dlq_reason: 'retries_exhausted' });
  assert.is(r.status, 303, 'without confirm: back to the confirmation page');
  assert.match(r.location!, /\/ui\/dlq\/purge/);
  assert.ok(await f.services.dlq.show(s3));
  r = await a.post('/ui/dlq/purge', { dlq_reason: 'retries_exhausted', confirm: 'yes', reason: 'cleanup' });
  assert.is(r.status, 303);
  assert.match(r.location!, /done=purged-many&n=1/);
  page = await a.get('/ui/dlq');
  assert.match(page.text, /No dead letters/);
  const ops = await f.services.configAudit.query({ kind: 'dlq', order: 'desc', limit: 10 });
  assert.equal(
    ops.items.map((i) => i.record.operation),
    ['purge', 'purge', 'replay'],
  );
  assert.is(ops.items[0].record.reason, 'cleanup');
  assert.is((await a.get('/ui/dlq?reason=nonsense')).status, 400);
});

t.run();
