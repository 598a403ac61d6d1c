// The web UI in real Chromium against the product as it ships: `bin/mutt.js up` as a process (startShipped: npm
// start's node flags, a working directory of its own, a throwaway nats-server, the fake Moogsoft), signed in
// through the login form, so the page carries every header and middleware the gateway sends. Every form: the
// dashboard's no-active-rules warning; rule create (a refusal first, shown beside the field), edit, priority,
// disable / enable, delete; the tester; an event found in the event audit and on the live dashboard; an event
// whose text is an <img onerror> shows as text and runs nothing; a config change reaches the forwarder; dead
// letters (Moogsoft 400) replayed and purged from their pages; dev hosts and teams; a read-only key sees no
// write control and its forged POST is a 403; a cross-site form post (another origin, and Origin: null from a
// sandboxed page) is refused; logout. Then `mutt gateway` alone: sign in, a form, sign out. A screenshot of
// every page goes to tests/artifacts/.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startShipped, SHIPPED_ADMIN_KEY, type Shipped } from '../helpers/shipped.ts';
import { waitFor } from '../helpers/wait.ts';

const ARTIFACTS = 'tests/artifacts';
const XSS = '<img src=x onerror=alert(1)>';
const READ_KEY = 'browser-viewer-Key-0123456789abcdef';
const API_KEYS = `ops:ingest+read+admin:${SHIPPED_ADMIN_KEY},viewer:read:${READ_KEY}`;

let m: Shipped;
let base = '';
let browser: Browser;
let admin: BrowserContext;
let page: Page;
const dialogs: string[] = [];
const consoleErrors: string[] = [];

interface MoogEvent {
  manager?: string;
  description?: string;
  source?: string;
  custom_info?: { event_id?: string; rule?: string };
}
const delivered = () => m.moog!.events(0, 1_000_000).map((e) => e.event as MoogEvent);

async function shot(name: string, target: Page = page): Promise<void> {
  await target.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

function watch(pg: Page): Page {
  pg.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  pg.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  pg.on('pageerror', (e) => consoleErrors.push(e.message));
  return pg;
}

function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The items of an API list answer (GET with the admin key). */
async function items(path: string): Promise<unknown[]> {
  const r = await m.request('GET', path);
  if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}: ${await r.text()}`);
  const body = (await r.json()) as { items?: unknown[] };
  return body.items ?? [];
}

async function postEvent(event: Record<string, unknown>): Promise<Response> {
  return m.request('POST', '/api/v2/events', event);
}

async function devHostExists(hostname: string): Promise<boolean> {
  return (await m.request('GET', `/api/v2/dev-hosts/${hostname}`)).status === 200;
}

async function signIn(pg: Page, url: string, key: string): Promise<void> {
  await pg.goto(`${url}/ui/`);
  assert.match(pg.url(), /\/ui\/login$/);
  await pg.fill('#f-key', key);
  await pg.click('button[type=submit]');
  await pg.waitForURL(`${url}/ui/`);
}

/** A site of its own on another port: `/` posts a form to the gateway; under `/null` the same page is sandboxed (an opaque origin: the browser sends Origin: null). */
async function evilSite(action: string, fields: Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input name=${k} value=${v}>`)
    .join('');
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'text/html');
    if (req.url === '/null') res.setHeader('content-security-policy', 'sandbox allow-forms allow-scripts');
    res.end(`<form id=f method=post action="${action}">${inputs}</form><script>document.getElementById('f').submit()</script>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const t = suite('web UI in Chromium against mutt up');

t.before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [m, browser] = await Promise.all([startShipped({ command: ['up'], env: { MUTT_API_KEYS: API_KEYS } }), launchChromium()]);
  base = m.url;
  admin = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  page = watch(await admin.newPage());
});

t.after(async () => {
  await browser?.close();
  await m?.stop();
});

t('sign in through the form with an API key: a session cookie that is HttpOnly, SameSite=Strict and not the key', async () => {
  await page.goto(`${base}/ui/`);
  assert.match(page.url(), /\/ui\/login$/);
  await shot('login');
  await page.fill('#f-key', SHIPPED_ADMIN_KEY);
  const posted = page.waitForResponse((r) => r.url() === `${base}/ui/login` && r.request().method() === 'POST');
  await page.click('button[type=submit]');
  assert.is((await posted).status(), 303, 'the login POST is accepted (its Origin is the gateway itself, not null)');
  await page.waitForURL(`${base}/ui/`);
  assert.is(await page.locator('[data-testid=principal]').innerText(), 'ops admin');
  const cookies = await admin.cookies();
  const session = cookies.find((c) => c.name === 'mutt_session')!;
  assert.ok(session.httpOnly);
  assert.is(session.sameSite, 'Strict');
  assert.not.ok(session.value.includes(SHIPPED_ADMIN_KEY));
});

t('with no active rule the dashboard warns loudly that events will not alert, and links to the rules page', async () => {
  // Whatever rules the installation starts with are switched off through the API, so the warning has a cause.
  const r = await m.request('GET', '/api/v2/rules?active=true');
  const { rules = [], items: listed = [] } = (await r.json()) as { rules?: { id: string }[]; items?: { id: string }[] };
  for (const { id } of [...rules, ...listed])
    assert.is(
      (await m.request('PATCH', `/api/v2/rules/${id}`, { is_active: false }, { 'x-change-reason': 'browser test' })).status,
      200,
      id,
    );
  await page.goto(`${base}/ui/`);
  const banner = page.locator('[data-testid=no-active-rules]');
  await banner.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await banner.innerText(), /No active rules: events will not alert/);
  await shot('dashboard-no-rules');
  await banner.locator('a').click();
  await page.waitForURL(`${base}/ui/rules`);
});

t('create a rule: a refused regex shown beside its field, then saved; the dashboard warning goes', async () => {
  await page.goto(`${base}/ui/rules`);
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
  await page.goto(`${base}/ui/`);
  await page.locator('[data-testid=no-active-rules]').waitFor({ state: 'hidden', timeout: 10_000 });
});

t('edit a rule through its form, set its priority, disable and enable it', async () => {
  await page.goto(`${base}/ui/rules`);
  await page.click('tr[data-rule="ui-link-down"] a:has-text("ui-link-down")');
  await page.waitForURL(/\/ui\/rules\/ui-link-down\/edit/);
  await page.fill('#f-description', 'Link down or flapping, edited in the browser');
  await page.fill('#f-reason', 'browser edit');
  await shot('rule-edit');
  await page.click('[data-testid=save-rule]');
  await page.waitForURL(/\/ui\/rules\?done=updated/);
  assert.match(await page.locator('tr[data-rule="ui-link-down"]').innerText(), /edited in the browser/);
  await page.fill('[data-testid=priority-ui-link-down]', '7');
  await page.locator('tr[data-rule="ui-link-down"] form[action="/ui/rules/ui-link-down/priority"] button').click();
  await page.waitForURL(/done=priority/);
  assert.is(await page.inputValue('[data-testid=priority-ui-link-down]'), '7');
  await page.click('[data-testid=toggle-ui-link-down]');
  await page.waitForURL(/done=disabled/);
  assert.is(await page.locator('[data-testid=toggle-ui-link-down]').innerText(), 'Enable');
  await page.click('[data-testid=toggle-ui-link-down]');
  await page.waitForURL(/done=enabled/);
  assert.is(await page.locator('[data-testid=toggle-ui-link-down]').innerText(), 'Disable');
  const stored = (await (await m.request('GET', '/api/v2/rules/ui-link-down')).json()) as {
    priority: number;
    is_active: boolean;
    description: string;
  };
  assert.is(stored.priority, 7);
  assert.is(stored.is_active, true);
  assert.match(stored.description, /edited in the browser/);
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
  const r = await postEvent({ host: 'ui-sw1.example.com', message: 'UI-LINK-DOWN on Gi0/7', severity: 'error' });
  assert.is(r.status, 202);
  await waitFor(() => delivered().some((e) => e.custom_info?.rule === 'ui-link-down'), 30_000, 'alert delivered');
  // The dashboard updates itself over SSE: a later push shows the event in this minute's count — or, when the
  // minute turned between the event and the push, in the last complete minute's.
  await page.waitForFunction(
    (t0) => {
      const root = document.querySelector('[data-dashboard]');
      // No named helper here: the function runs in the page, where tsx's __name wrapper for named functions does not exist.
      const [thisMinute, lastMinute] = ['ingest.this_minute', 'ingest.rate_1m'].map((key) =>
        Number((document.querySelector(`[data-stat="${key}"]`)?.textContent ?? '0').replace(/,/g, '')),
      );
      return root !== null && Number(root.getAttribute('data-updated')) > t0 && (thisMinute >= 1 || lastMinute > 0);
    },
    before,
    { timeout: 30_000 },
  );
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
  const r = await postEvent({ host: 'ui-xss.example.com', message: XSS });
  assert.is(r.status, 202);
  await waitFor(async () => (await items('/api/v2/audit/events?host=ui-xss.example.com&limit=1')).length === 1, 30_000, 'audit record');
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

t('a config change reaches the forwarder and is in the config audit', async () => {
  await page.goto(`${base}/ui/config`);
  await shot('config');
  const form = page.locator('[data-testid=set-moog_manager]');
  await form.locator('input[name=value]').fill('MUTT-UI');
  await form.locator('input[name=reason]').fill('browser test');
  await form.locator('button').click();
  await page.waitForURL(/done=set/);
  assert.is(await page.locator('[data-testid=value-moog_manager]').innerText(), 'MUTT-UI');
  // The forwarder sees the change through a KV watch: send until an alert carries it.
  let n = 0;
  await waitFor(
    async () => {
      const host = `ui-sw2-${n++}.example.com`;
      assert.is((await postEvent({ host, message: 'UI-LINK-FLAP on Gi0/2' })).status, 202);
      await waitFor(() => delivered().some((e) => e.source === host), 30_000, 'alert after the change');
      return delivered().find((e) => e.source === host)!.manager === 'MUTT-UI';
    },
    20_000,
    'an alert with manager MUTT-UI',
  );
  await page.goto(`${base}/ui/config/moog_manager`);
  assert.match(await page.locator('[data-testid=config-history]').innerText(), /MUTT-UI/);
  await shot('config-key');
  await page.goto(`${base}/ui/audit/config?kind=config`);
  const auditText = await page.locator('[data-testid=config-audit-table]').innerText();
  assert.match(auditText, /ui:ops/);
  assert.match(auditText, /→ MUTT-UI/);
});

t('dead letters (Moogsoft said 400): one shown decoded and replayed from its page, the other purged', async () => {
  m.moog!.control({ failNext: 2, failStatus: 400 });
  const r = await postEvent({ host: 'ui-dlq.example.com', message: 'UI-LINK-DOWN for the DLQ' });
  const [id] = ((await r.json()) as { ids: string[] }).ids;
  await waitFor(async () => (await items('/api/v2/dlq?limit=10')).length === 1, 30_000, 'first dead letter');
  const [{ seq }] = (await items('/api/v2/dlq?limit=10')) as { seq: number }[];
  assert.is((await postEvent({ host: 'ui-dlq2.example.com', message: 'UI-LINK-DOWN to be purged' })).status, 202);
  await waitFor(async () => (await items('/api/v2/dlq?limit=10')).length === 2, 30_000, 'second dead letter');
  await page.goto(`${base}/ui/dlq`);
  assert.match(await page.locator('[data-testid=dlq-table]').innerText(), /rejected[\s\S]*HTTP 400/);
  await shot('dlq');
  await page.click(`[data-testid=show-${seq}]`);
  await page.waitForURL(`${base}/ui/dlq/${seq}`);
  assert.match(await page.locator('[data-testid=dlq-payload]').innerText(), /UI-LINK-DOWN for the DLQ/);
  await shot('dlq-entry');
  await page.click('[data-testid=replay]');
  await page.waitForURL(/done=replayed/);
  assert.match(await page.locator('[data-testid=flash-ok]').innerText(), /replayed/);
  await waitFor(() => delivered().some((e) => e.custom_info?.event_id === id), 30_000, 'delivered after replay');
  await page.click('[data-testid=purge-matching]');
  await page.waitForURL(/\/ui\/dlq\/purge/);
  assert.is(await page.locator('[data-testid=purge-count]').innerText(), '1');
  await shot('dlq-purge');
  await page.fill('input[name=reason]', 'browser test');
  await page.click('[data-testid=purge-confirm]');
  await page.waitForURL(/done=purged-many/);
  assert.match(await page.locator('[data-testid=flash-ok]').innerText(), /1 dead letters purged/);
  assert.ok(await page.getByText('No dead letters').first().isVisible());
  assert.is((await items('/api/v2/dlq?limit=10')).length, 0);
  assert.not.ok(
    delivered().some((e) => e.source === 'ui-dlq2.example.com'),
    'the purged one was not delivered',
  );
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
    await signIn(ro, base, READ_KEY);
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
      const res = await fetch('/ui/dev-hosts/add', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      return res.status;
    });
    assert.is(status, 403);
    assert.not.ok(await devHostExists('forged-host'));
  } finally {
    await ctx.close();
  }
});

t('a form posted from another site is refused, from another origin and from an opaque one (Origin: null)', async () => {
  const evil = await evilSite(`${base}/ui/dev-hosts/add`, { hostname: 'evil-host' });
  try {
    for (const [path, expected] of [
      ['/', `${evil.url}`],
      ['/null', 'null'],
    ] as const) {
      const attacker = await admin.newPage();
      const res = attacker.waitForResponse((r) => r.url().endsWith('/ui/dev-hosts/add'));
      await attacker.goto(`${evil.url}${path}`);
      const answer = await res;
      assert.is((await answer.request().allHeaders())['origin'], expected, `Chromium sent Origin ${expected}`);
      assert.is(answer.status(), 403, path);
      await attacker.close();
    }
    assert.not.ok(await devHostExists('evil-host'));
  } finally {
    await evil.close();
  }
});

t('delete a rule behind its confirmation', async () => {
  await page.goto(`${base}/ui/rules`);
  await page.click('[data-testid=delete-ui-link-down]');
  await page.click('[data-testid=delete-ui-link-down-confirm]');
  await page.waitForURL(/done=deleted/);
  assert.is(await page.locator('tr[data-rule="ui-link-down"]').count(), 0);
  assert.is((await m.request('GET', '/api/v2/rules/ui-link-down')).status, 404);
});

t('the config audit lists the changes of this run (the DLQ replay too); logout ends the session', async () => {
  await page.goto(`${base}/ui/audit/config`);
  assert.ok(
    await page.locator('[data-testid=config-audit-table] td', { hasText: 'replay' }).first().isVisible(),
    'the DLQ replay is audited',
  );
  await shot('config-audit');
  await page.goto(`${base}/ui/rules`);
  await page.click('header form[action="/ui/logout"] button');
  await page.waitForURL(/\/ui\/login\?bye/);
  assert.ok(await page.getByText('You are signed out.').isVisible());
  await page.goto(`${base}/ui/rules`);
  assert.match(page.url(), /\/ui\/login/);
  assert.equal(dialogs, [], 'no dialog opened during the whole run');
  assert.equal(
    consoleErrors.filter((e) => !/Failed to load resource/.test(e)),
    [],
    'no script errors, no CSP violations',
  );
});

t.run();

// `mutt gateway` alone (no actors): the same UI, signed in and out through its forms.
const g = suite('web UI in Chromium against mutt gateway');
let gw: Shipped;
let gwBrowser: Browser;

g.before(async () => {
  [gw, gwBrowser] = await Promise.all([
    startShipped({ command: ['gateway'], noMoog: true, env: { MUTT_API_KEYS: API_KEYS } }),
    launchChromium(),
  ]);
});

g.after(async () => {
  await gwBrowser?.close();
  await gw?.stop();
});

g('sign in, add a development host through its form, sign out', async () => {
  const ctx = await gwBrowser.newContext();
  try {
    const pg = watch(await ctx.newPage());
    await signIn(pg, gw.url, SHIPPED_ADMIN_KEY);
    assert.is(await pg.locator('[data-testid=principal]').innerText(), 'ops admin');
    await pg.goto(`${gw.url}/ui/dev-hosts`);
    await pg.fill('#f-hostname', 'gw-lab-sw1');
    await pg.click('[data-testid=add-host]');
    await pg.waitForURL(/done=added/);
    assert.is((await gw.request('GET', '/api/v2/dev-hosts/gw-lab-sw1')).status, 200);
    await pg.click('header form[action="/ui/logout"] button');
    await pg.waitForURL(/\/ui\/login\?bye/);
    await pg.goto(`${gw.url}/ui/dev-hosts`);
    assert.match(pg.url(), /\/ui\/login/);
  } finally {
    await ctx.close();
  }
});

g.run();
