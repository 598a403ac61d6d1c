// A change through the API reaches the actors' live views (KV watch) within a second.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { LiveRules } from '../../actors/alerter/live-rules.ts';
import { LiveHosts } from '../../actors/alerter/live-hosts.ts';
import { ConfigView } from '../../actors/runtime/config-view.ts';
import { waitFor } from '../helpers/wait.ts';
import { apiFixture, rule, type ApiFixture } from './fixture.ts';

const t = suite('config-change propagation');
let f: ApiFixture;
const log = pino({ level: 'silent' });

t.before(async () => {
  f = await apiFixture();
});
t.after(async () => {
  await f?.close();
});

t('a rule created via the API is matched by a LiveRules instance within 1 s, and its edit too', async () => {
  const live = await LiveRules.open(f.nc, log, new Registry(), () => 50);
  try {
    const event = { message: 'BGP neighbor 10.0.0.1 Down', severity: 3 };
    assert.is(live.current.match(event), null);
    const created = await f.call('POST', '/api/v2/rules', { body: rule('bgp', { match_string: 'bgp neighbor' }) });
    assert.is(created.status, 201);
    await waitFor(() => live.current.match(event)?.rule.id === 'bgp', 1000, 'rule visible to the alerter');
    await f.call('PATCH', '/api/v2/rules/bgp', { body: { team_assignment: 'WAN' } });
    await waitFor(() => live.current.match(event)?.rule.team_assignment === 'WAN', 1000, 'edit visible');
    await f.call('POST', '/api/v2/rules/bgp/disable');
    await waitFor(() => live.current.match(event) === null, 1000, 'disable visible');
  } finally {
    live.stop();
  }
});

t('a config value set via the API is seen by a ConfigView within 1 s, and its reset too', async () => {
  const view = await ConfigView.open(f.nc, log);
  try {
    await f.call('PUT', '/api/v2/config/moog_rate_limit', { body: { value: 77 } });
    await waitFor(() => view.get().moog_rate_limit === 77, 1000, 'config visible');
    await f.call('DELETE', '/api/v2/config/moog_rate_limit');
    await waitFor(() => view.get().moog_rate_limit === 50, 1000, 'reset visible');
  } finally {
    view.stop();
  }
});

t('a development host added via the API is seen by LiveHosts within 1 s', async () => {
  const hosts = await LiveHosts.open(f.nc, log);
  try {
    await f.call('POST', '/api/v2/dev-hosts', { body: { hostname: 'Lab-Router9' } });
    await waitFor(() => hosts.devHosts.has('lab-router9'), 1000, 'dev host visible');
    await f.call('POST', '/api/v2/teams/import', { raw: 'core9,NETO\n', headers: { 'Content-Type': 'text/csv' } });
    await waitFor(() => hosts.teams.get('core9') === 'NETO', 1000, 'team visible');
  } finally {
    hosts.stop();
  }
});

t.run();
