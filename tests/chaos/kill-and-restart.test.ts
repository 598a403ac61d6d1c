// Chaos on one nats-server: alerters and forwarders SIGKILLed repeatedly under steady load, nats-server itself
// restarted under load (file storage), and Moogsoft down then back. Each ends with zero loss — every event the
// gateway acknowledged reaches Moogsoft — and reports duplicates delivered (target: none).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { startLoad } from '../helpers/load.ts';
import { waitFor, delay } from '../helpers/wait.ts';
import { readStream, streamCount } from '../helpers/streams.ts';
import { EventAuditRecord } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';

const t = suite('chaos: kills and restarts');
let p: Pipeline;

interface MoogEvent { custom_info: { event_id: string } }
function deliveredIds(prefix: string): { unique: Set<string>; total: number } {
  const ids = p.moog.events(0, 1_000_000).map((e) => (e.event as MoogEvent).custom_info.event_id).filter((id) => id.startsWith(prefix));
  return { unique: new Set(ids), total: ids.length };
}

async function expectAllDelivered(prefix: string, sent: Set<string>, what: string) {
  try {
    await waitFor(() => [...sent].every((id) => deliveredIds(prefix).unique.has(id)), 60_000, `${what}: all ${sent.size} delivered`);
  } catch (err) {
    const missing = [...sent].filter((id) => !deliveredIds(prefix).unique.has(id));
    const audited = new Set((await readStream(p.nc, StreamName.auditEvents, EventAuditRecord)).map((a) => a.value.eventId));
    console.log(`    ${what}: ${missing.length} missing, e.g. ${missing.slice(0, 5).join(' ')}; audited: ${missing.filter((m) => audited.has(m)).length};`,
      `streams: events ${await streamCount(p.nc, StreamName.events)}, alerts ${await streamCount(p.nc, StreamName.alerts)}, dlq ${await streamCount(p.nc, StreamName.dlq)}; moog ${JSON.stringify(p.moog.stats())}`);
    throw err;
  }
  const d = deliveredIds(prefix);
  const duplicates = d.total - d.unique.size;
  console.log(`    ${what}: ${sent.size} accepted, ${d.unique.size} delivered, ${duplicates} duplicate deliveries to Moogsoft`);
  assert.ok([...sent].every((id) => d.unique.has(id)), 'zero loss');
}

t.before(async () => {
  p = await startPipeline({ env: { MUTT_ACK_WAIT_MS: '2000' } });
  await p.putRule({ id: 'link-down', match_type: 'contains', match_string: 'LINK-DOWN', priority: 5, prod_handling: 'page_and_ticket', dev_handling: 'ticket_only', team_assignment: 'NetOps' });
  await p.spawn('gateway');
  await p.spawn('alerter');
  await p.spawn('forwarder');
});

t.after(async () => {
  await p.stop();
});

t('alerter and forwarder SIGKILLed repeatedly under steady load: nothing lost', async () => {
  const load = startLoad(() => p.gatewayUrl, { perSecond: 100, prefix: 'kill' });
  for (let round = 0; round < 3; round++) {
    await delay(1500);
    for (const what of ['alerter', 'forwarder'] as const) {
      const victim = p.procs.get(what)!.pop()!;
      await victim.kill('SIGKILL');
      await p.spawn(what);
    }
  }
  const sent = await load.stop();
  assert.ok(sent.size > 500, `load sent ${sent.size}`);
  await expectAllDelivered('kill', sent, 'SIGKILL x3');
});

t('nats-server restarted under load (file storage): nothing lost', async () => {
  const load = startLoad(() => p.gatewayUrl, { perSecond: 100, prefix: 'nrs' });
  await delay(2000);
  await p.nats.kill();
  await delay(1500);
  await p.nats.restart();
  await delay(3000);
  const sent = await load.stop();
  assert.ok(load.rejected > 0, 'the gateway refused (503) while NATS was down');
  await expectAllDelivered('nrs', sent, 'nats-server restart');
});

t('Moogsoft down, then back: nothing lost, nothing dead-lettered', async () => {
  p.moog.control({ status: 503 });
  const load = startLoad(() => p.gatewayUrl, { perSecond: 100, prefix: 'moog' });
  await delay(4000);
  const sent = await load.stop();
  p.moog.control({ status: 200 });
  await expectAllDelivered('moog', sent, 'Moogsoft outage');
  assert.is(await streamCount(p.nc, StreamName.dlq), 0);
});

t.run();
