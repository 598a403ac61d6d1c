// The alerter's development hosts and device teams, followed from a real mutt_hosts bucket straight into its
// host indexes (no mirror of the entries beside them): writes, renames and deletions apply entry by entry, a
// hand-written entry whose key does not spell its host still matches and is removed with its key, and a bucket
// deleted and recreated leaves exactly what the new bucket holds.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { loadEnv } from '../../protocol/env.ts';
import { hostKey } from '../../protocol/rules.ts';
import { Bucket } from '../../protocol/streams.ts';
import { provision, provisionBuckets } from '../../actors/runtime/provision.ts';
import { encodeJson } from '../../actors/runtime/kv-mirror.ts';
import { createLogger } from '../../actors/runtime/logger.ts';
import { LiveHosts } from '../../actors/alerter/live-hosts.ts';

const t = suite('alerter live hosts');
let nats: TestNats;
let nc: NatsConnection;
let kv: KV;
let hosts: LiveHosts;
const env = () => loadEnv({ NATS_URL: nats.url, MUTT_HTTP_PORT: '0' });
const team = (hostname: string, team_assignment: string) => kv.put(hostKey('team', hostname), encodeJson({ hostname, team_assignment }));

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  await provision(nc, env());
  kv = await new Kvm(nc).open(Bucket.hosts);
  await team('core1.prod.example.com', 'NETO');
  await kv.put(hostKey('dev', 'lab-sw1'), encodeJson({ hostname: 'lab-sw1' }));
  hosts = await LiveHosts.open(nc, createLogger('silent'));
});

t.after(async () => {
  hosts?.stop();
  await nc.close();
  await nats.stop();
});

t('what the bucket held at start is in effect, matched by FQDN and short name', () => {
  assert.is(hosts.teamOf('CORE1'), 'NETO');
  assert.is(hosts.teamOf('core1.prod.example.com.'), 'NETO');
  assert.ok(hosts.isDev('lab-sw1.lab.example.com'));
  assert.equal(hosts.counts, { dev: 1, teams: 1 });
});

t('a change, a new entry and a deletion apply one by one', async () => {
  await team('core1.prod.example.com', 'WAN');
  await team('edge2', 'SECOPS');
  await kv.delete(hostKey('dev', 'lab-sw1'));
  await waitFor(
    () => hosts.teamOf('core1') === 'WAN' && hosts.teamOf('edge2.dc.example.com') === 'SECOPS' && !hosts.isDev('lab-sw1'),
    5000,
    'the three changes in effect',
  );
  assert.equal(hosts.counts, { dev: 0, teams: 2 });
});

t('an entry under a key that does not spell its host matches its host and leaves with its key', async () => {
  await kv.put('team.handwritten', encodeJson({ hostname: 'Odd-Router.example.com', team_assignment: 'ODD' }));
  await waitFor(() => hosts.teamOf('odd-router') === 'ODD', 5000, 'the hand-written entry in effect');
  await kv.delete('team.handwritten');
  await waitFor(() => hosts.teamOf('odd-router') === undefined, 5000, 'the hand-written entry gone with its key');
});

t('an invalid value is ignored and does not take a valid entry with it', async () => {
  await kv.put(hostKey('team', 'broken1'), encodeJson({ hostname: 'broken1' }));
  await team('after-broken', 'NETO');
  await waitFor(() => hosts.teamOf('after-broken') === 'NETO', 5000, 'the entry after the invalid one in effect');
  assert.is(hosts.teamOf('broken1'), undefined);
  assert.is(hosts.teamOf('core1'), 'WAN');
});

t('bucket deleted and recreated: exactly what the new bucket holds is in effect', async () => {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete('KV_mutt_hosts');
  await provisionBuckets(nc, env());
  kv = await new Kvm(nc).open(Bucket.hosts);
  await team('fresh1.example.com', 'NEW');
  await waitFor(() => hosts.teamOf('fresh1') === 'NEW', 10_000, 'an entry of the recreated bucket in effect');
  await waitFor(
    () => hosts.teamOf('core1') === undefined && hosts.teamOf('edge2') === undefined,
    5000,
    'entries of the deleted bucket gone',
  );
  assert.equal(hosts.counts, { dev: 0, teams: 1 });
});

t.run();
