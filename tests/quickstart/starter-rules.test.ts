// The starter rule set of a new installation, on the shipped `mutt up`: an empty installation gets the starter
// rules and the README's example event becomes an alert at the fake Moogsoft; removed starter rules are not
// created again on the next start; an installation that already had rules, or MUTT_STARTER_RULES=off, gets none.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { startShipped, type Shipped } from '../helpers/shipped.ts';
import { waitFor } from '../helpers/wait.ts';
import { mutt } from '../cli/run-cli.ts';
import { STARTER_AUTHOR, STARTER_RULES } from '../../gateway/services/starter-rules.ts';

const t = suite('starter rules');
const running: Shipped[] = [];
const servers: TestNats[] = [];

async function up(env: Record<string, string>, natsUrl?: string): Promise<Shipped> {
  const m = await startShipped({ env: { MUTT_STARTER_RULES: 'auto', ...env }, natsUrl });
  running.push(m);
  return m;
}

async function ruleIds(m: Shipped): Promise<string[]> {
  const r = await m.request('GET', '/api/v2/rules');
  assert.is(r.status, 200);
  const body = (await r.json()) as { rules: { id: string }[] };
  return body.rules.map((i) => i.id).sort();
}

t.after.each(async () => {
  for (const m of running.splice(0)) await m.stop();
  for (const n of servers.splice(0)) await n.stop();
});

t('an empty installation gets the starter rules, and the README example event becomes an alert', async () => {
  const m = await up({});
  assert.equal(await ruleIds(m), STARTER_RULES.map((r) => String(r.id)).sort());
  assert.match(m.proc.output(), /created 4 starter rules/);
  const sent = await m.request('POST', '/api/v2/events', { host: 'sw1', message: 'LINK-DOWN' });
  assert.is(sent.status, 202);
  await waitFor(
    () => m.moog!.events(0, 1000).some((e) => JSON.stringify(e.event).includes('LINK-DOWN')),
    20_000,
    'the README example alert at the fake Moogsoft',
  );
  const alert = m.moog!.events(0, 1000).find((e) => JSON.stringify(e.event).includes('LINK-DOWN'))!;
  assert.match(JSON.stringify(alert.event), /NOC/);
  // The config audit says who wrote them.
  const audit = await m.request('GET', '/api/v2/audit/config?kind=rule&limit=50');
  assert.is(audit.status, 200);
  const records = ((await audit.json()) as { items: { actor: string; id: string; operation: string }[] }).items;
  assert.is(records.filter((r) => r.actor === STARTER_AUTHOR && r.operation === 'create').length, STARTER_RULES.length);
});

t('removed starter rules stay removed on the next start', async () => {
  const nats = await startNats();
  servers.push(nats);
  const first = await up({}, nats.url);
  assert.is((await ruleIds(first)).length, STARTER_RULES.length);
  const rm = await first.request('DELETE', '/api/v2/rules/starter-bgp-change');
  assert.is(rm.status < 300, true, `delete answered ${rm.status}`);
  await first.stop();
  running.splice(0);
  const second = await up({}, nats.url);
  const ids = await ruleIds(second);
  assert.is(ids.includes('starter-bgp-change'), false);
  assert.is(ids.length, STARTER_RULES.length - 1);
  assert.not.match(second.proc.output(), /starter rules/);
});

t('an installation that already has a rule gets no starter rules', async () => {
  const nats = await startNats();
  servers.push(nats);
  const setup = await mutt(['setup'], { NATS_URL: nats.url });
  assert.is(setup.code, 0, setup.stderr);
  const add = await mutt(['rules', 'add', '--id', 'mine', '--match', 'CPU-HOG', '--handling', 'ticket_only', '--team', 'OPS'], {
    NATS_URL: nats.url,
  });
  assert.is(add.code, 0, add.stderr);
  const m = await up({}, nats.url);
  assert.equal(await ruleIds(m), ['mine']);
});

t('MUTT_STARTER_RULES=off: none, and the installation says it has no active rule', async () => {
  const m = await up({ MUTT_STARTER_RULES: 'off' });
  assert.equal(await ruleIds(m), []);
  await waitFor(() => /no active rule/i.test(m.proc.output()), 10_000, 'the log warns about zero active rules');
});

t.run();
