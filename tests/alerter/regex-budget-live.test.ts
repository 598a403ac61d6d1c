// alerter_regex_budget_ms applies on a running alerter without a rule edit (issue 16 item 6): on the shipped
// `mutt up`, a changed budget is compiled into the rule set by the next event, as /metrics shows. Before, the
// budget was read only when the rule set was compiled, i.e. at start or at the next rule edit.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startShipped, type Shipped } from '../helpers/shipped.ts';
import { setConfig } from '../helpers/mutt-config.ts';
import { waitFor } from '../helpers/wait.ts';

const t = suite('regex budget live');
let m: Shipped;
let nc: NatsConnection;

async function budgetInEffect(): Promise<number | null> {
  const text = await (await m.request('GET', '/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith('mutt_alerter_regex_budget_seconds'));
  return line ? Math.round(Number(line.slice(line.lastIndexOf(' ') + 1)) * 1000) : null;
}

t.before(async () => {
  m = await startShipped();
  nc = await connect({ servers: m.natsUrl });
  await m.canary();
});

t.after(async () => {
  await nc?.close();
  await m?.stop();
});

t('a new alerter_regex_budget_ms is in effect after the next event, with no rule edited', async () => {
  assert.is(await budgetInEffect(), 50, 'the default at start');
  await setConfig(nc, { alerter_regex_budget_ms: 7 });
  // Each event reads the rule set; one of them after the config change has reached the process recompiles it.
  await waitFor(
    async () => {
      const r = await m.request('POST', '/api/v2/events', { host: 'budget-sw1', message: 'anything at all', severity: 'info' });
      assert.is(r.status, 202);
      return (await budgetInEffect()) === 7;
    },
    10_000,
    'budget 7 in effect',
  );
});

t.run();
