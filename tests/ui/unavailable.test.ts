// When NATS goes away the UI says so instead of failing blank: pages that query streams show a 503 banner
// ("services did not answer"), the dashboard lists what it could not read, the SSE stream keeps going, and
// everything works again once NATS is back.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KEYS, uiFixture, type Agent, type UiFixture } from './fixture.ts';
import { waitFor } from '../helpers/wait.ts';

const t = suite('ui with NATS down');
let f: UiFixture;
let a: Agent;

t.before(async () => {
  f = await uiFixture({ storage: 'file' });
  a = f.agent();
  await a.login(KEYS.admin);
});
t.after(async () => {
  await f?.close();
});

t('NATS down: a 503 error state on pages that need it; the dashboard lists what is missing', async () => {
  await f.nats.kill();
  const audit = await a.get('/ui/audit/events');
  assert.is(audit.status, 503);
  assert.match(audit.text, /data-testid="error-banner"/);
  assert.match(audit.text, /did not answer/);
  assert.match(audit.text, /<form method="get" action="\/ui\/audit\/events"/, 'the filters are still there');
  const dash = await a.get('/ui/');
  assert.is(dash.status, 200);
  assert.match(dash.text, /metrics unavailable/);
  assert.match(dash.text, /data-table="stages"><tr><td class="empty" colspan="7">Unavailable/);
  const rules = await a.get('/ui/rules');
  assert.is(rules.status, 200, 'the rules list is kept in memory by a watch and still shows');
});

t('NATS back: pages work again', async () => {
  await f.nats.restart();
  await waitFor(async () => (await a.get('/ui/audit/events')).status === 200, 15_000, 'event audit to answer again');
  assert.is((await a.get('/ui/dlq')).status, 200);
});

t.run();
