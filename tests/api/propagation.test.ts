// A change through the API reaches the actors' live views (KV watch) within a second.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { LiveRules } from '../../actors/alerter/live-rules.ts';
import { LiveHosts } from '../../actors/alerter/live-hosts.ts';
import { ConfigView } from '../../actors/runtime/config-view.ts';
import { Kvm } from '@nats-io/kv';
import { Bucket } from '../../protocol/streams.ts';
import { hostKey } from '../../protocol/rules.ts';
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

t('a regex disabled for its run time stays disabled when another rule changes, until its own pattern is edited', async () => {
  const registry = new Registry();
  // A 1 µs budget: any regex over a 4 KB message exceeds it, and is as slow when timed again (not a pause).
  const live = await LiveRules.open(f.nc, log, registry, () => 0.001);
  const kv = await new Kvm(f.nc).open(Bucket.rules);
  const slowPattern = '(foo|bar)+z';
  // Stored directly: this is about the alerter's compiled set, not the API.
  const put = (id: string, extra: Record<string, unknown>) => kv.put(id, JSON.stringify(rule(id, extra)));
  const disabledGauge = async () => (await registry.getSingleMetric('mutt_alerter_regex_rules_disabled')!.get()).values[0]?.value;
  try {
    await put('slow-alt', { match_type: 'regex', match_string: slowPattern, priority: 1 });
    await waitFor(() => live.current.rules.some((r) => r.id === 'slow-alt'), 1000, 'slow rule loaded');
    // It has the pattern's literals (so the prefilter lets the regex run) and no match.
    const event = { message: `z ${'foo'.repeat(1300)} x`, severity: 3 };
    // Three strikes disable it; a timing that happens to look like a pause is forgiven, so allow a few more events.
    for (let i = 0; i < 100 && live.current.disabledRules().length === 0; i++) live.current.match(event);
    assert.equal(live.current.disabledRules(), ['slow-alt']);
    assert.is(await disabledGauge(), 1);
    await put('unrelated', { match_string: 'unrelated words' });
    await waitFor(() => live.current.rules.some((r) => r.id === 'unrelated'), 1000, 'other rule loaded');
    assert.equal(live.current.disabledRules(), ['slow-alt'], 'still disabled after another rule changed');
    assert.is(await disabledGauge(), 1);
    await put('slow-alt', { match_type: 'regex', match_string: 'w1q z', priority: 1 });
    await waitFor(() => live.current.rules.find((r) => r.id === 'slow-alt')?.match_string === 'w1q z', 1000, 'edit loaded');
    assert.equal(live.current.disabledRules(), [], 'a new pattern gets a new chance');
    assert.is(await disabledGauge(), 0);
  } finally {
    await kv.delete('slow-alt');
    await kv.delete('unrelated');
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
    await waitFor(() => hosts.isDev('lab-router9'), 1000, 'dev host visible');
    await f.call('POST', '/api/v2/teams/import', { raw: 'core9,NETO\n', headers: { 'Content-Type': 'text/csv' } });
    await waitFor(() => hosts.teamOf('core9') === 'NETO', 1000, 'team visible');
  } finally {
    hosts.stop();
  }
});

t('LiveHosts follows each changed entry: a team changed, an entry deleted, a key naming another host, a bad entry', async () => {
  const kv = await new Kvm(f.nc).open(Bucket.hosts);
  const hosts = await LiveHosts.open(f.nc, log);
  const team = (host: string, t: string) => JSON.stringify({ hostname: host, team_assignment: t });
  try {
    await kv.put(hostKey('team', 'edge7.dc1.example.com'), team('edge7.dc1.example.com', 'NetOps'));
    await kv.put(hostKey('team', 'edge7.dc2.example.com'), team('edge7.dc2.example.com', 'Security'));
    await waitFor(() => hosts.teamOf('edge7.dc2.example.com') === 'Security', 1000, 'both teams visible');
    assert.is(hosts.teamOf('edge7'), undefined, 'two FQDNs, two teams: ambiguous');
    await kv.put(hostKey('team', 'edge7.dc2.example.com'), team('edge7.dc2.example.com', 'NetOps'));
    await waitFor(() => hosts.teamOf('edge7') === 'NetOps', 1000, 'team change makes the short name agree');
    await kv.delete(hostKey('team', 'edge7.dc1.example.com'));
    await waitFor(() => hosts.teamOf('edge7.dc1.example.com') === undefined, 1000, 'deleted entry gone');
    assert.is(hosts.teamOf('edge7'), 'NetOps', 'the other FQDN still answers');

    // A hand-written entry whose value names a different host than its key: deleting the key removes that host.
    await kv.put('team.odd-key', team('Real-Host9.example.com', 'Facilities'));
    await waitFor(() => hosts.teamOf('real-host9') === 'Facilities', 1000, 'value host visible');
    await kv.put('team.odd-key', team('Other-Host9.example.com', 'Facilities'));
    await waitFor(() => hosts.teamOf('other-host9') === 'Facilities', 1000, 'rewritten value visible');
    assert.is(hosts.teamOf('real-host9'), undefined, 'the host the key named before is forgotten');
    await kv.delete('team.odd-key');
    await waitFor(() => hosts.teamOf('other-host9') === undefined, 1000, 'deleting the key forgets its host');

    await kv.put(hostKey('dev', 'lab7'), JSON.stringify({ hostname: 'lab7' }));
    await waitFor(() => hosts.isDev('lab7.example.com'), 1000, 'dev host visible');
    await kv.put(hostKey('dev', 'lab7'), 'not json');
    await waitFor(() => !hosts.isDev('lab7'), 1000, 'an entry rewritten as garbage no longer counts');
    await kv.put(hostKey('dev', 'lab7'), JSON.stringify({ hostname: 'lab7' }));
    await waitFor(() => hosts.isDev('lab7'), 1000, 'and is back when valid again');
  } finally {
    hosts.stop();
  }
});

t.run();
