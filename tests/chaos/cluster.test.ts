// A 3-node JetStream cluster on loopback with R3 streams: the MUTT_EVENTS stream leader is killed under load.
// Publishes stall while a new leader is elected (≈ 6.5 s on 2.9.10, so the budget is generous), the gateway
// answers 503 meanwhile, and every event it acknowledged still reaches Moogsoft.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jetstreamManager } from '@nats-io/jetstream';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { startCluster } from '../helpers/nats-cluster.ts';
import { startLoad } from '../helpers/load.ts';
import { waitFor, delay } from '../helpers/wait.ts';
import { StreamName } from '../../protocol/streams.ts';

const t = suite('chaos: cluster leader loss');
let p: Pipeline;
let cluster: Awaited<ReturnType<typeof startCluster>>;

interface MoogEvent {
  custom_info: { event_id: string };
}

t.before(async () => {
  cluster = await startCluster(3);
  p = await startPipeline({ cluster, env: { MUTT_REPLICAS: '3', MUTT_ACK_WAIT_MS: '3000' } });
  await p.putRule({
    id: 'link-down',
    match_type: 'contains',
    match_string: 'LINK-DOWN',
    priority: 5,
    prod_handling: 'page_and_ticket',
    dev_handling: 'ticket_only',
    team_assignment: 'NetOps',
  });
  await p.spawn('gateway');
  await p.spawn('alerter');
  await p.spawn('forwarder');
});

t.after(async () => {
  await p.stop();
});

t('the MUTT_EVENTS stream leader is killed under load: nothing acknowledged is lost', async () => {
  const jsm = await jetstreamManager(p.nc);
  const info = await jsm.streams.info(StreamName.events);
  assert.is(info.config.num_replicas, 3);
  const leader = info.cluster?.leader;
  assert.ok(leader, 'stream has a leader');
  const load = startLoad(() => p.gatewayUrl, { perSecond: 100, prefix: 'leader' });
  await delay(2000);
  const killedAt = Date.now();
  await cluster.kill(leader!);
  await delay(12_000); // ≥ 10 s for the election
  const sent = await load.stop();
  const newLeader = (await jsm.streams.info(StreamName.events)).cluster?.leader;
  assert.ok(newLeader && newLeader !== leader, `new leader ${newLeader} after ${leader}`);
  const ids = () => new Set(p.moog.events(0, 1_000_000).map((e) => (e.event as MoogEvent).custom_info.event_id));
  // One read of the fake per poll (not per id): this process hosts the fake Moogsoft and must stay responsive.
  await waitFor(
    () => {
      const got = ids();
      return [...sent].every((id) => got.has(id));
    },
    60_000,
    `all ${sent.size} delivered`,
  );
  const total = p.moog.events(0, 1_000_000).filter((e) => (e.event as MoogEvent).custom_info.event_id.startsWith('leader')).length;
  console.log(
    `    leader ${leader} killed ${Date.now() - killedAt} ms ago: ${sent.size} accepted, ${ids().size} delivered, ${total - ids().size} duplicates, ${load.rejected} requests refused during the election`,
  );
});

t.run();
