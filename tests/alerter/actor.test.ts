// The alerter actor on a real nats-server: one alert and one audit record per matching event, dev handling for
// development hosts, ignore → audit only, rule edits applied within a second, exactly one meta-alert for 100
// masked-equal unmatched events with two alerter processes, and nothing doubled or lost after a SIGKILL.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { setConfig } from '../helpers/mutt-config.ts';
import { spawnNode, type Spawned } from '../helpers/processes.ts';
import { readStream, streamCount } from '../helpers/streams.ts';
import { sampleEvent } from '../helpers/test-actor.ts';
import { loadEnv } from '../../protocol/env.ts';
import { encode } from '../../protocol/codec.ts';
import { Alert, EventAuditRecord, IngestEvent } from '../../protocol/messages.ts';
import { Bucket, Durable, StreamName } from '../../protocol/streams.ts';
import { subjects } from '../../protocol/subjects.ts';
import { RuleInput, hostKey } from '../../protocol/rules.ts';
import { startProcess, type RunningProcess } from '../../actors/runtime/process.ts';
import { createLogger } from '../../actors/runtime/logger.ts';
import { provision } from '../../actors/runtime/provision.ts';
import alerter from '../../actors/alerter/actor.ts';

const t = suite('alerter actor');

/** Every event handed to the alerters is handled and acknowledged: nothing more can come of them. */
async function alerterIdle(): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await waitFor(
    async () => {
      const c = await jsm.consumers.info(StreamName.events, Durable.alerter);
      return c.num_pending === 0 && c.num_ack_pending === 0;
    },
    15_000,
    'the alerter consumer idle',
  );
}
let nats: TestNats;
let nc: NatsConnection;
let js: JetStreamClient;
let rules: KV;
let hosts: KV;
let proc: RunningProcess | undefined;
const spawned: Spawned[] = [];

async function putRule(r: Record<string, unknown>) {
  const rule = RuleInput.parse(r);
  await rules.put(rule.id, JSON.stringify(rule));
}

async function send(id: string, host: string, message: string, extra: Partial<IngestEvent> = {}) {
  const e = { ...sampleEvent(id, message), host, ...extra } as IngestEvent;
  await js.publish(subjects.event(e.kind, host), encode(IngestEvent, e), { msgID: id });
}

const audits = () => readStream(nc, StreamName.auditEvents, EventAuditRecord);
const alerts = () => readStream(nc, StreamName.alerts, Alert);
const auditFor = async (id: string) => (await audits()).filter((a) => a.value.eventId === id);
const alertsFor = async (id: string) => (await alerts()).filter((a) => a.value.eventId === id);

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  await provision(nc, loadEnv({ NATS_URL: nats.url }));
  rules = await new Kvm(nc).open(Bucket.rules);
  hosts = await new Kvm(nc).open(Bucket.hosts);
  // v2.5's seed rules (MUTT_V25_FACTS §2.3).
  await putRule({
    id: '1',
    match_type: 'contains',
    match_string: 'CRITICAL',
    priority: 10,
    prod_handling: 'Page_and_ticket',
    dev_handling: 'Ticket_only',
    team_assignment: 'NETO',
  });
  await putRule({
    id: '2',
    match_type: 'contains',
    match_string: 'ERROR',
    priority: 20,
    prod_handling: 'Ticket_only',
    dev_handling: 'Ignore',
    team_assignment: 'NETO',
  });
  await putRule({
    id: '3',
    match_type: 'contains',
    match_string: 'LINK-DOWN',
    priority: 5,
    prod_handling: 'Page_and_ticket',
    dev_handling: 'Ticket_only',
    team_assignment: 'NetOps',
  });
  await putRule({
    id: '5',
    match_type: 'oid_prefix',
    trap_oid: '.1.3.6.1.4.1.9.9.41.2',
    priority: 15,
    prod_handling: 'Page_and_ticket',
    dev_handling: 'Ignore',
    team_assignment: 'NetOps',
  });
  await hosts.put(hostKey('dev', 'dev-router1'), JSON.stringify({ hostname: 'dev-router1', note: '' }));
  await hosts.put(
    hostKey('team', 'router1.prod.example.com'),
    JSON.stringify({ hostname: 'router1.prod.example.com', team_assignment: 'NetOps' }),
  );
  await setConfig(nc, { unhandled_threshold: 100, unhandled_window_seconds: 3600, unhandled_default_team: 'NETO' });
  const env = loadEnv({ NATS_URL: nats.url, MUTT_HTTP_PORT: '0' });
  proc = await startProcess({ env, name: 'alerter-test', actors: [alerter], log: createLogger('silent') });
  await waitFor(() => proc!.health.ready(), 5000, 'alerter ready');
});

t.after(async () => {
  await proc?.stop();
  for (const s of spawned) await s.kill('SIGKILL');
  await nc.close();
  await nats.stop();
});

t('an event matching a prod rule yields one alert and one audit record', async () => {
  await send('e1', 'core1.prod.example.com', '%LINK-3-UPDOWN: LINK-DOWN on Gi0/1', { severity: 3 });
  await waitFor(async () => (await auditFor('e1')).length === 1 && (await alertsFor('e1')).length === 1, 5000, 'alert and audit');
  const [a] = await alertsFor('e1');
  assert.is(a.subject, 'mutt.alerts.netops');
  assert.is(a.value.decision, 'page_and_ticket');
  assert.is(a.value.ruleId, '3');
  assert.is(a.value.environment, 'prod');
  assert.is(a.value.severity, 3);
  assert.is(a.value.event.id, 'e1');
  assert.not.match(JSON.stringify(a.value), /api_?key/i);
  const [audit] = await auditFor('e1');
  assert.is(audit.subject, 'mutt.audit.event.core1_prod_example_com.3');
  assert.is(audit.value.forwarded, true);
  assert.is(audit.value.alertId, a.value.id);
});

t('a development host gets the dev handling (FQDN matches the short name)', async () => {
  await send('e2', 'DEV-ROUTER1.lab.example.com', 'CRITICAL power supply failed');
  await waitFor(async () => (await alertsFor('e2')).length === 1, 5000, 'dev alert');
  const [a] = await alertsFor('e2');
  assert.is(a.value.environment, 'dev');
  assert.is(a.value.decision, 'ticket_only');
});

t('ignore → audit record only, no alert', async () => {
  await send('e3', 'dev-router1', 'ERROR fan tray');
  await waitFor(async () => (await auditFor('e3')).length === 1, 5000, 'audit');
  const [audit] = await auditFor('e3');
  assert.is(audit.value.decision, 'ignore');
  assert.is(audit.value.forwarded, false);
  await alerterIdle();
  assert.is((await alertsFor('e3')).length, 0);
});

t('a trap OID without a leading dot matches an OID-prefix rule', async () => {
  await send('e4', 'sw9', 'trap', { trapOid: '.1.3.6.1.4.1.9.9.41.2.0.1' });
  await waitFor(async () => (await alertsFor('e4')).length === 1, 5000, 'oid alert');
  assert.is((await alertsFor('e4'))[0].value.ruleId, '5');
});

t('a rule edited through KV changes the outcome of the next event within 1 s', async () => {
  await send('e5', 'sw1', 'BGP neighbor flap');
  await waitFor(async () => (await auditFor('e5')).length === 1, 5000, 'unhandled audit');
  assert.is((await auditFor('e5'))[0].value.decision, 'unhandled');
  await putRule({
    id: 'bgp',
    match_type: 'regex',
    match_string: 'bgp\\s+neighbor\\s+(?P<what>flap|down)',
    priority: 1,
    prod_handling: 'page_only',
    dev_handling: 'ignore',
    team_assignment: 'Routing',
  });
  // The rule applies to events sent from now on; poll by sending fresh events until one matches.
  let matchedAt = 0;
  for (let i = 0; i < 40 && !matchedAt; i++) {
    await send(`e5-${i}`, 'sw1', 'BGP neighbor flap');
    await waitFor(async () => (await auditFor(`e5-${i}`)).length === 1, 5000, 'audit');
    if ((await auditFor(`e5-${i}`))[0].value.ruleId === 'bgp') matchedAt = Date.now();
  }
  assert.ok(matchedAt > 0, 'edited rule applied');
});

t('100 masked-equal unmatched events → exactly one meta-alert with two alerter processes', async () => {
  const b = spawnNode('bin/mutt.js', ['run', 'alerter'], { NATS_URL: nats.url, LOG_LEVEL: 'warn' });
  spawned.push(b);
  await waitFor(
    async () => (await (await jetstreamManager(nc)).consumers.info(StreamName.events, Durable.alerter)).num_waiting >= 2,
    20_000,
    'both alerters pulling',
  );
  await Promise.all(
    Array.from({ length: 120 }, (_, i) =>
      send(`u-${i}`, 'router1.prod.example.com', `Interface Gi0/${i} flapped at 10:${String(i % 60).padStart(2, '0')}:00 from 10.1.1.${i}`),
    ),
  );
  await waitFor(
    async () => (await audits()).filter((a) => a.value.eventId.startsWith('u-') && a.value.kind === 'unhandled').length === 120,
    15_000,
    '120 unhandled audits',
  );
  await alerterIdle();
  const metas = (await alerts()).filter((a) => a.value.kind === 'meta' && a.value.host === 'router1.prod.example.com');
  assert.is(metas.length, 1);
  assert.is(metas[0].value.team, 'NetOps', 'device team of the host');
  assert.match(metas[0].value.message, /^\[MUTT\] Detected 100 unhandled messages in 3600s from 'router1.prod.example.com'/);
  await b.kill('SIGTERM');
});

t('an alerter SIGKILLed mid-stream: every event audited once and alerted once', async () => {
  await proc!.stop();
  proc = undefined;
  const jsm = await jetstreamManager(nc);
  await jsm.streams.purge(StreamName.alerts);
  await jsm.streams.purge(StreamName.auditEvents);
  const env = { NATS_URL: nats.url, LOG_LEVEL: 'info', MUTT_ACK_WAIT_MS: '2000' };
  const a = spawnNode('bin/mutt.js', ['run', 'alerter'], env);
  spawned.push(a);
  await a.waitForOutput(/HTTP listening/);
  const N = 2000;
  const sending = (async () => {
    for (let i = 0; i < N; i += 100)
      await Promise.all(Array.from({ length: 100 }, (_, j) => send(`k-${i + j}`, 'core2', `CRITICAL k-${i + j}`)));
  })();
  await waitFor(async () => (await streamCount(nc, StreamName.auditEvents)) > 200, 15_000, 'some handled');
  await a.kill('SIGKILL');
  await sending;
  const b = spawnNode('bin/mutt.js', ['run', 'alerter'], env);
  spawned.push(b);
  await waitFor(async () => (await streamCount(nc, StreamName.events)) === 0, 30_000, 'events drained');
  await waitFor(async () => (await streamCount(nc, StreamName.auditEvents)) >= N, 10_000, 'all audited');
  const auditIds = (await audits()).map((x) => x.value.eventId).filter((id) => id.startsWith('k-'));
  const alertIds = (await alerts()).map((x) => x.value.eventId).filter((id) => id.startsWith('k-'));
  assert.is(new Set(auditIds).size, N, 'every event audited');
  assert.is(auditIds.length, N, 'none audited twice');
  assert.is(new Set(alertIds).size, N, 'every event alerted');
  assert.is(alertIds.length, N, 'none alerted twice');
  await b.kill('SIGTERM');
});

t.run();
