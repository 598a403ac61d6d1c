// The web UI in real Chromium against the real pipeline: gateway, alerter and forwarder as processes on a
// throwaway nats-server with the fake Moogsoft (startPipeline), and the UI mounted on an in-test gateway app
// over the same NATS (services, key store, KV sessions — as the gateway composes them). Log in; create a rule
// (a refusal first, shown beside the field); test it; send a matching event through the gateway and find it in
// the event audit and on the live dashboard; an event whose text is an <img onerror> shows as text and runs
// nothing; a config change reaches the forwarder (the next alert carries it); a dead letter (Moogsoft 400)
// is replayed from its page; hosts and teams; a read-only key sees no write control and its forged POST is a
// 403; a cross-origin form post is refused; logout. A screenshot of every page goes to tests/artifacts/.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startPipeline, postEvents, type Pipeline } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';
import { KEYS, uiFixture, type UiFixture } from '../ui/fixture.ts';

const t = suite('web UI in Chromium');
const ARTIFACTS = 'tests/artifacts';
const XSS = '<img src=x onerror=alert(1)>';

let p: Pipeline;
let f: UiFixture;
let server: ServerType;
let base = '';
let browser: Browser;
let admin: BrowserContext;
let page: Page;
const dialogs: string[] = [];
const consoleErrors: string[] = [];

interface MoogEvent { manager?: string; description?: string; source?: string; custom_info?: { event_id?: string; rule?: string } }
const delivered = () => p.moog.events(0, 1_000_000).map((e) => e.event as MoogEvent);

async function shot(name: string, target: Page = page): Promise<void> {
  await target.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

function watch(pg: Page): Page {
  pg.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  pg.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  pg.on('pageerror', (e) => consoleErrors.push(e.message));
  return pg;
}

t.before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const [pipeline, launched] = await Promise.all([
    startPipeline(),
    chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }),
  ]);
  p = pipeline;
  browser = launched;
  await Promise.all([p.spawn('gateway'), p.spawn('alerter'), p.spawn('forwarder')]);
  f = await uiFixture({ natsUrl: p.nats.url, sessionStore: 'kv', pushEveryMs: 2000 });
  await new Promise<void>((resolve) => {
    server = serve({ fetch: f.app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      base = `http://127.0.0.1:${info.port}`;
      resolve();
    });
  });
  admin = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  page = watch(await admin.newPage());
});

t.after(async () => {
  await browser?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await f?.close();
  await p?.stop();
});

t('log in with an API key', async () => {
  await page.goto(`${base}/ui/`);
  assert.match(page.url(), /\/ui\/login$/);
  await shot('login');
  await page.fill('#f-key', KEYS.admin);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/ui/`);
  assert.is(await page.locator('[data-testid=principal]').innerText(), 'ops admin');
  const cookies = await admin.cookies();
  const session = cookies.find((c) => c.name === 'mutt_session')!;
  assert.ok(session.httpOnly);
  assert.is(session.sameSite, 'Strict');
  assert.not.ok(session.value.includes(KEYS.admin));
});

t('create a rule: an empty list first, a refused regex shown beside its field, then saved', async () => {
  await page.goto(`${base}/ui/rules`);
  assert.ok(await page.getByText('No rules yet — create one').isVisible());
  await shot('rules-empty');
  await page.click('[data-testid=new-rule]');
  await page.fill('#f-id', 'ui-link-down');
  await page.selectOption('#f-match_type', 'regex');
  await page.fill('#f-match_string', '(a+)+$');
  await page.fill('#f-team_assignment', 'NetOps');
  await page.fill('#f-priority', '10');
  await page.fill('#f-description', 'Link down, from the browser test');
  await page.click('[data-testid=save-rule]');
  const error = page.locator('[data-error-for=match_string]');
  assert.match(await error.innerText(), /backtracking/);
  await shot('rule-form-error');
  await page.fill('#f-match_string', 'UI-LINK-(DOWN|FLAP)');
  await page.fill('#f-reason', 'browser test');
  await page.click('[data-testid=save-rule]');
  await page.waitForURL(/\/ui\/rules\?done=created/);
  assert.match(await page.locator('[data-testid=flash-ok]').innerText(), /ui-link-down/);
  assert.ok(await page.locator('tr[data-rule="ui-link-down"]').isVisible());
  await page.click('tr[data-rule="ui-link-down"] a:has-text("ui-link-down")');
  await page.waitForURL(/\/ui\/rules\/ui-link-down\/edit/);
  await shot('rule-edit');
});

t('test a sample message against the rules', async () => {
  await page.goto(`${base}/ui/rules`);
  await page.fill('[data-testid=test-message]', '%LINK-3 UI-LINK-DOWN on Gi0/1');
  await page.fill('[data-testid=test-host]', 'core-sw1');
  await page.click('[data-testid=test-submit]');
  assert.is(await page.locator('[data-testid=test-rule]').innerText(), 'ui-link-down');
  assert.match(await page.locator('[data-testid=test-why]').innerText(), /UI-LINK/);
  await shot('rules');
});

t('an event sent through the gateway appears in the event audit and on the live dashboard', async () => {
  await page.goto(`${base}/ui/`);
  const before = Number(await page.locator('[data-dashboard]').getAttribute('data-updated'));
  const r = await postEvents(p.gatewayUrl, { host: 'ui-sw1.example.com', message: 'UI-LINK-DOWN on Gi0/7', severity: 'error' });
  assert.is(r.status, 202);
  await waitFor(() => delivered().some((e) => e.custom_info?.rule === 'ui-link-down'), 30_000, 'alert delivered');
  // The dashboard updates itself over SSE: a later push shows the event in this minute's count — or, when the
  // minute turned between the event and the push, in the last complete minute's.
  await page.waitForFunction((t0) => {
    const root = document.querySelector('[data-dashboard]');
    // No named helper here: the function runs in the page, where tsx's __name wrapper for named functions does not exist.
    const [thisMinute, lastMinute] = ['ingest.this_minute', 'ingest.rate_1m'].map((key) => Number((document.querySelector(`[data-stat="${key}"]`)?.textContent ?? '0').replace(/,/g, '')));
    return root !== null && Number(root.getAttribute('data-updated')) > t0 && (thisMinute >= 1 || lastMinute > 0);
  }, before, { timeout: 30_000 });
  assert.match(await page.locator('[data-live-status]').innerText(), /live/);
  assert.ok(await page.locator('tbody[data-table=processes] td', { hasText: 'alerter' }).first().isVisible());
  await shot('dashboard');
  await page.goto(`${base}/ui/audit/events?host=ui-sw1.example.com`);
  const row = page.locator('[data-testid=event-audit-table] tbody tr').first();
  assert.match(await row.innerText(), /ui-link-down/);
  assert.match(await row.innerText(), /UI-LINK-DOWN on Gi0\/7/);
  await page.selectOption('#f-decision', 'page_and_ticket');
  await page.click('form[data-testid=event-filters] button[type=submit]');
  await page.waitForURL(/decision=page_and_ticket/);
  assert.is(await page.locator('[data-testid=event-audit-table] tbody tr').count(), 1);
  await shot('event-audit');
});

t('an event whose text is markup is shown as text and runs nothing', async () => {
  const r = await postEvents(p.gatewayUrl, { host: 'ui-xss.example.com', message: XSS });
  assert.is(r.status, 202);
  await waitFor(async () => (await f.services.eventAudit.query({ host: 'ui-xss.example.com', order: 'desc', limit: 1 })).items.length === 1, 30_000, 'audit record');
  const res = await page.goto(`${base}/ui/audit/events?host=ui-xss.example.com`);
  assert.match(res!.headers()['content-security-policy'], /script-src 'self'/);
  const text = page.locator('[data-testid=event-message]').first();
  assert.is(await text.innerText(), XSS, 'the literal text is visible');
  assert.ok(await text.isVisible());
  assert.is(await page.locator('[data-testid=event-audit-table] img').count(), 0, 'no element was created from it');
  await page.waitForTimeout(300);
  assert.equal(dialogs, [], 'no script ran');
  await shot('event-audit-xss');
});

t('a config change reaches the forwarder within a second and is in the config audit', async () => {
  await page.goto(`${base}/ui/config`);
  await shot('config');
  const form = page.locator('[data-testid=set-moog_manager]');
  await form.locator('input[name=value]').fill('MUTT-UI');
  await form.locator('input[name=reason]').fill('browser test');
  const started = Date.now();
  await form.locator('button').click();
  await page.waitForURL(/done=set/);
  assert.is(await page.locator('[data-testid=value-moog_manager]').innerText(), 'MUTT-UI');
  await page.waitForTimeout(Math.max(0, 1000 - (Date.now() - started)));
  const r = await postEvents(p.gatewayUrl, { host: 'ui-sw2.example.com', message: 'UI-LINK-FLAP on Gi0/2' });
  assert.is(r.status, 202);
  await waitFor(() => delivered().some((e) => e.source === 'ui-sw2.example.com'), 30_000, 'alert after the change');
  assert.is(delivered().find((e) => e.source === 'ui-sw2.example.com')!.manager, 'MUTT-UI', 'the forwarder used the new value');
  await page.goto(`${base}/ui/config/moog_manager`);
  assert.match(await page.locator('[data-testid=config-history]').innerText(), /MUTT-UI/);
  await shot('config-key');
  await page.goto(`${base}/ui/audit/config?kind=config`);
  const auditText = await page.locator("[data-testid=config-audit-table]").innerText();
  assert.match(auditText, /ui:ops/);
  assert.match(auditText, /→ MUTT-UI/);
});

t('a dead letter (Moogsoft said 400) is shown decoded and replayed from its page', async () => {
  p.moog.control({ failNext: 1, failStatus: 400 });
  const r = await postEvents(p.gatewayUrl, { host: 'ui-dlq.example.com', message: 'UI-LINK-DOWN for the DLQ' });
  const [id] = ((await r.json()) as { ids: string[] }).ids;
  await waitFor(async () => (await f.services.dlq.list({ limit: 10 })).items.length === 1, 30_000, 'dead letter');
  await page.goto(`${base}/ui/dlq`);
  assert.match(await page.locator('[data-testid=dlq-table]').innerText(), /rejected[\s\S]*HTTP 400/);
  await shot('dlq');
  await page.locator('[data-testid=dlq-table] a', { hasText: 'Show' }).first().click();
  await page.waitForURL(/\/ui\/dlq\/\d+$/);
  assert.match(await page.locator('[data-testid=dlq-payload]').innerText(), /UI-LINK-DOWN for the DLQ/);
  await shot('dlq-entry');
  await page.click('[data-testid=replay]');
  await page.waitForURL(/done=replayed/);
  assert.match(await page.locator('[data-testid=flash-ok]').innerText(), /replayed/);
  await waitFor(() => delivered().some((e) => e.custom_info?.event_id === id), 30_000, 'delivered after replay');
  assert.ok(await page.getByText('No dead letters').first().isVisible());
});

t('development hosts and device teams: add and bulk import', async () => {
  await page.goto(`${base}/ui/dev-hosts`);
  await page.fill('#f-hostname', 'lab-sw1');
  await page.fill('#f-note', 'lab rack 3');
  await page.click('[data-testid=add-host]');
  await page.waitForURL(/done=added/);
  assert.ok(await page.locator('tr[data-host="lab-sw1"]').isVisible());
  await shot('dev-hosts');
  await page.goto(`${base}/ui/teams`);
  await page.fill('[data-testid=import-text]', 'core-sw1.example.com,NetOps\nedge1.example.com,WAN\nedge2.example.com');
  await page.fill('#f-default_team', 'Access');
  await page.click('[data-testid=import-submit]');
  await page.waitForURL(/done=imported/);
  assert.match(await page.locator('[data-testid=flash-ok]').innerText(), /3 added/);
  assert.is(await page.locator('[data-testid=team-table] tbody tr').count(), 3);
  await shot('teams');
});

t('a read-only key sees no write controls, and a forged POST with its own token is refused (403)', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 }, colorScheme: 'dark' });
  try {
    const ro = watch(await ctx.newPage());
    await ro.goto(`${base}/ui/login`);
    await ro.fill('#f-key', KEYS.read);
    await ro.click('button[type=submit]');
    await ro.waitForURL(`${base}/ui/`);
    assert.match(await ro.locator('[data-testid=principal]').innerText(), /viewer read-only/);
    await shot('dashboard-dark', ro);
    await ro.goto(`${base}/ui/rules`);
    assert.is(await ro.locator('[data-testid=new-rule]').count(), 0);
    assert.is(await ro.locator('details.confirm').count(), 0);
    assert.is(await ro.locator('form[method=post]:not([action="/ui/logout"]):not([action="/ui/rules/test#tester"])').count(), 0);
    await shot('rules-read-only', ro);
    for (const path of ['/ui/dlq', '/ui/config', '/ui/dev-hosts', '/ui/teams']) {
      await ro.goto(`${base}${path}`);
      assert.is(await ro.locator('form[method=post]:not([action="/ui/logout"])').count(), 0, path);
    }
    const status = await ro.evaluate(async () => {
      const csrf = (document.querySelector('input[name=_csrf]') as HTMLInputElement).value;
      const body = new URLSearchParams({ _csrf: csrf, hostname: 'forged-host' });
      const res = await fetch('/ui/dev-hosts/add', { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      return res.status;
    });
    assert.is(status, 403);
    assert.not.ok(f.services.devHosts.list().some((h) => h.value.hostname === 'forged-host'));
  } finally {
    await ctx.close();
  }
});

t('a form posted from another origin is refused even though the browser sends the cookie', async () => {
  const evil: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<form id=f method=post action="${base}/ui/dev-hosts/add"><input name=hostname value=evil-host></form><script>document.getElementById('f').submit()</script>`);
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
  try {
    const attacker = await admin.newPage();
    const res = attacker.waitForResponse((r) => r.url().endsWith('/ui/dev-hosts/add'));
    await attacker.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    assert.is((await res).status(), 403);
    assert.not.ok(f.services.devHosts.list().some((h) => h.value.hostname === 'evil-host'));
    await attacker.close();
  } finally {
    await new Promise<void>((r) => evil.close(() => r()));
  }
});

t('the config audit lists the changes of this run (the DLQ replay too); logout ends the session', async () => {
  await page.goto(`${base}/ui/audit/config`);
  assert.ok(await page.locator('[data-testid=config-audit-table] td', { hasText: 'replay' }).first().isVisible(), 'the DLQ replay is audited');
  await shot('config-audit');
  await page.goto(`${base}/ui/rules`);
  await page.click('header form[action="/ui/logout"] button');
  await page.waitForURL(/\/ui\/login\?bye/);
  assert.ok(await page.getByText('You are signed out.').isVisible());
  await page.goto(`${base}/ui/rules`);
  assert.match(page.url(), /\/ui\/login/);
  assert.equal(dialogs, [], 'no dialog opened during the whole run');
  assert.equal(consoleErrors.filter((e) => !/Failed to load resource/.test(e)), [], 'no script errors, no CSP violations');
});

t.run();
