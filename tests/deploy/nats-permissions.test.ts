// nats.conf + deploy/nats/accounts.conf with the real nats-server: each MUTT process, run as its own NATS user,
// can do its work (the real actors start and become ready; each consuming actor's consumer, declared subjects,
// dead letters and KV keys work) and is refused everything else. No permission violation is logged while they
// work; the refusals below are each a violation on purpose.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import dgram from 'node:dgram';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { pino } from 'pino';
import { z } from 'zod';
import { loadEnv, type Env } from '../../protocol/env.ts';
import { encode } from '../../protocol/codec.ts';
import { Bucket, Durable, StreamName } from '../../protocol/streams.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { startProcess } from '../../actors/runtime/process.ts';
import { defineActor, type ActorDef, type ConsumingActorDef } from '../../actors/runtime/define.ts';
import { PermanentError } from '../../actors/runtime/errors.ts';
import { ACTOR_NAMES, loadActor } from '../../bin/actors.ts';
import { startFakeMoog } from '../../bench/fake-moog.ts';
import { sleep, waitFor } from './helpers.ts';
import { startShippedNats, type Role, type ShippedNats } from './nats-server.ts';
import { startShipped, type Shipped } from '../helpers/shipped.ts';

const t = suite('nats.conf least-privilege users');
let nats: ShippedNats;
let admin: NatsConnection;
let jsm: JetStreamManager;
let violationsBefore = 0;
const silent = pino({ level: 'silent' });

const violations = () => (nats.log().match(/Violation/g) ?? []).length;

function envFor(role: Role, extra: Record<string, string> = {}): Env {
  return loadEnv({
    NATS_URL: nats.url, NATS_USER: role, NATS_PASS: nats.passwords[role],
    MUTT_HTTP_HOST: '127.0.0.1', MUTT_HTTP_PORT: '0', MUTT_SYSLOG_PORT: '0', MUTT_TRAP_PORT: '0',
    MUTT_SHUTDOWN_GRACE_MS: '3000', MUTT_ACK_WAIT_MS: '5000', LOG_LEVEL: 'silent',
    MOOG_WEBHOOK_URL: 'http://127.0.0.1:9/events', MOOG_API_KEY: 'deploy-test-credential', ...extra,
  });
}

/** Runs the real `mutt` command as a NATS user. */
async function mutt(user: Role, args: string[]) {
  const { run: runTool, repoPath } = await import('./helpers.ts');
  return runTool(process.execPath, [repoPath('bin/mutt.js'), ...args], {
    env: { ...process.env, NATS_URL: nats.url, NATS_USER: user, NATS_PASS: nats.passwords[user], LOG_LEVEL: 'warn' },
    timeoutMs: 60_000,
  });
}

/** The subject a test publishes for a declared pattern: 'mutt.alerts.>' -> 'mutt.alerts.deploytest'. */
const concrete = (pattern: string) => pattern.replace(/\*/g, 'x').replace(/>$/, 'deploytest');

async function denied(what: string, attempt: () => Promise<unknown>): Promise<void> {
  try {
    await attempt();
  } catch (err) {
    assert.match(String((err as Error).message), /Permissions Violation|permission|authorization/i, `${what}: refused for the right reason (${(err as Error).message})`);
    return;
  }
  assert.unreachable(`${what}: should have been refused`);
}


t.before(async () => {
  nats = await startShippedNats();
  admin = await nats.connectAs('admin');
  jsm = await jetstreamManager(admin);
  // `mutt setup`: the admin creates what the least-privilege users may only look at.
  await provision(admin, loadEnv({}));
});

t.after(async () => {
  await admin?.close();
  await nats?.stop();
});

t('nats-server refuses to start while a role password is missing from its environment', async () => {
  const { spawnSync } = await import('node:child_process');
  const { requireBinary, tempDir } = await import('./helpers.ts');
  const { stageNatsConf, ROLES, passwordVar } = await import('./nats-server.ts');
  const dir = tempDir('nats-missing');
  const conf = stageNatsConf(dir);
  const env = { ...process.env, ...Object.fromEntries(ROLES.filter((r) => r !== 'traps').map((r) => [passwordVar(r), 'x'])) };
  delete env.MUTT_TRAPS_PASS;
  const r = spawnSync(requireBinary('nats-server', 'nats-server'), ['-c', conf, '-t'], { env, encoding: 'utf8' });
  assert.is.not(r.status, 0);
  assert.match(r.stdout + r.stderr, /MUTT_TRAPS_PASS/);
  const ok = spawnSync(requireBinary('nats-server', 'nats-server'), ['-c', conf, '-t'], { env: { ...env, MUTT_TRAPS_PASS: 'x' }, encoding: 'utf8' });
  assert.is(ok.status, 0, ok.stdout + ok.stderr);
});

t('a wrong password, an unknown user and no credentials are refused', async () => {
  await denied('wrong password', () => connect({ servers: nats.url, user: 'alerter', pass: nats.passwords.syslog, timeout: 2000 }));
  await denied('unknown user', () => connect({ servers: nats.url, user: 'mallory', pass: 'x', timeout: 2000 }));
  await denied('anonymous', () => connect({ servers: nats.url, timeout: 2000 }));
});

t('admin provisioned every stream and bucket (mutt setup)', async () => {
  const names: string[] = [];
  for await (const n of jsm.streams.names()) names.push(n);
  for (const s of Object.values(StreamName)) assert.ok(names.includes(s), s);
  for (const b of Object.values(Bucket)) assert.ok(names.includes(`KV_${b}`), b);
});

t('the real pipeline runs with every process as its own NATS user: syslog line -> rule -> Moogsoft', async () => {
  const operator = await nats.connectAs('operator');
  const beats = new Set<string>();
  operator.subscribe('mutt.health.>', { callback: (_e, m) => { beats.add(m.subject.split('.')[2]); } });
  await operator.flush();
  const moog = await startFakeMoog({ apiKey: 'deploy-test-credential', auth: 'bearer' });
  // An operator's rule (written by admin here; the gateway's management API in real life).
  const rules = await new Kvm(admin).open(Bucket.rules);
  await rules.put('deploytest', new TextEncoder().encode(JSON.stringify({
    id: 'deploytest', match_type: 'contains', match_string: 'DEPLOY-PROBE', prod_handling: 'page_and_ticket', dev_handling: 'ignore', team_assignment: 'NetOps',
  })));
  // Each process is the shipped command (`mutt run <actor>`, `mutt gateway`) as its own NATS user, as deployed.
  const procs: Shipped[] = [];
  const as = (role: Role) => ({
    NATS_USER: role, NATS_PASS: nats.passwords[role], MOOG_WEBHOOK_URL: `${moog.url}/events`, MOOG_API_KEY: 'deploy-test-credential',
    MUTT_ACK_WAIT_MS: '5000', MUTT_API_KEYS: 'ops:admin:deploy-admin-Key-0123456789abcdef,rsyslog:ingest:deploy-ingest-Key-0123456789abcdef',
  });
  try {
    const started = await Promise.allSettled([
      ...ACTOR_NAMES.map((name) => startShipped({ command: ['run', name], natsUrl: nats.url, noMoog: true, env: as(name) })),
      startShipped({ command: ['gateway'], natsUrl: nats.url, noMoog: true, env: as('gateway') }),
    ]);
    for (const r of started) if (r.status === 'fulfilled') procs.push(r.value);
    const failed = started.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) {
      throw new Error(`${failed.map((f) => (f.reason as Error).message).join('\n')}\n${nats.log().split('\n').filter((l) => /Violation/.test(l)).join('\n')}`);
    }

    const udpPort = procs[ACTOR_NAMES.indexOf('syslog')].syslogPort!;
    assert.ok(udpPort > 0, 'the syslog listener reports its port');
    const sock = dgram.createSocket('udp4');
    await waitFor(async () => {
      await new Promise<void>((r) => sock.send('<187>Mar  1 00:01:02 core-sw1 %LINK-3-UPDOWN: DEPLOY-PROBE Gi0/2 down', udpPort, '127.0.0.1', () => r()));
      await sleep(300);
      return moog.stats().accepted > 0;
    }, 15_000, 'the alert to reach the fake Moogsoft').catch((err) => {
      throw new Error(`${(err as Error).message}\n${nats.log().split('\n').filter((l) => /Violation/.test(l)).join('\n')}\n${procs.map((p) => p.proc.output().slice(-1500)).join('\n')}`);
    }).finally(() => sock.close());
    const audit = await jsm.streams.info(StreamName.auditEvents);
    assert.ok(audit.state.messages > 0, 'the alerter wrote its audit record');

    const names = ['gateway', ...ACTOR_NAMES];
    await waitFor(() => names.every((n) => beats.has(n)), 8000, `heartbeats from ${names.join(', ')}`);
    for (const p of procs) assert.not.match(p.proc.output(), /Permissions Violation|permission denied/i, 'no process was refused by nats.conf');
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await rules.delete('deploytest');
    await operator.close();
    await moog.close();
  }
});

const consumingRoles = ['alerter', 'forwarder', 'remediation'] as const;
const stateKeys: Record<string, { bucket: string; writes?: string; reads: string[] }> = {
  alerter: { bucket: Bucket.unhandled, writes: 'unhandled.deploytest', reads: ['unhandled.deploytest'] },
  forwarder: { bucket: Bucket.state, writes: 'forwarder.deploytest', reads: ['forwarder.deploytest'] },
  // The forwarder's breaker (read only) and its own record of unfinished handler starts (poison detection).
  remediation: { bucket: Bucket.state, writes: 'remediation.inflight.0', reads: ['forwarder.breaker', 'remediation.inflight.0'] },
};

for (const role of consumingRoles) {
  t(`${role}: binds its durable consumer, publishes what it declares, dead-letters, uses its KV keys`, async () => {
    // The declaration of the real actor: a change to its `publishes` that nats.conf does not follow fails here.
    const declared = (await loadActor(role)) as ConsumingActorDef<z.ZodType, unknown>;
    // Anything decodable is accepted and only probes (n > 0) are acted on: on MUTT_DLQ the probe consumer also
    // sees its own dead letters and the probes it published, which must not feed a loop.
    const Probe = z.record(z.string(), z.unknown());
    const handled: number[] = [];
    const probe = defineActor({
      name: role,
      consumes: { stream: declared.consumes.stream, durable: declared.consumes.durable, schema: Probe },
      publishes: declared.publishes,
      concurrency: 2,
      retry: { backoffMs: [] },
      async handle(msg, ctx) {
        const n = typeof msg.n === 'number' ? msg.n : 0;
        if (n <= 0) return;
        if (msg.fail === true) throw new PermanentError('rejected', 'deploy test: dead-letter this one');
        for (const pattern of declared.publishes) await ctx.publishRaw(concrete(pattern), encode(Probe, { n: -1 }));
        const keys = stateKeys[role];
        // As the actors open it: direct gets, which nats.conf scopes by key (mutt_state also holds UI sessions).
        const kv = await new Kvm(ctx.nc).open(keys.bucket, { allow_direct: true });
        if (keys.writes) await kv.put(keys.writes, new TextEncoder().encode(String(n)));
        for (const key of keys.reads) await kv.get(key);
        if (keys.writes) await kv.delete(keys.writes);
        handled.push(n);
      },
    });
    const stream = declared.consumes.stream;
    await jsm.streams.purge(stream);
    const js = jetstream(admin);
    // Subjects of the consumed stream the admin may publish probes to.
    const into = { [StreamName.events]: 'mutt.events.syslog.probe', [StreamName.alerts]: 'mutt.alerts.probe', [StreamName.dlq]: 'mutt.dlq.probe.rejected' }[stream as string]!;
    await js.publish(into, encode(Probe, { n: 1, fail: false }));
    await js.publish(into, encode(Probe, { n: 2, fail: true }));
    const dlqBefore = (await jsm.streams.info(StreamName.dlq)).state.messages;
    const proc = await startProcess({ env: envFor(role), name: role, actors: [probe as ActorDef], log: silent });
    try {
      await waitFor(() => handled.includes(1), 10_000, `${role} to handle its probe`);
      await waitFor(async () => (await jsm.streams.info(StreamName.dlq)).state.messages > dlqBefore, 10_000, `${role}'s dead letter`);
      for (const pattern of declared.publishes) {
        const subject = concrete(pattern);
        const stored = await jsm.streams.getMessage(await jsm.streams.find(subject), { last_by_subj: subject }).catch(() => null);
        assert.ok(stored, `${role} stored a message on ${subject}`);
      }
      const ci = await jsm.consumers.info(stream, declared.consumes.durable);
      assert.is(ci.config.ack_policy, AckPolicy.Explicit);
      if (stream !== StreamName.dlq) assert.is(ci.num_pending + ci.num_ack_pending, 0, 'both probes acknowledged (one handled, one dead-lettered)');
    } finally {
      await proc.stop();
    }
  });
}

t('the gateway works as NATS user gateway: ingest over HTTP, every management service (rules, hosts, config, audit, DLQ, metrics)', async () => {
  const { gatewayApp } = await import('../../gateway/app.ts');
  const { openManagementServices } = await import('../../gateway/services/index.ts');
  const { openIngestCounters } = await import('../../gateway/ingest/counters.ts');
  const ingestKey = 'deploy-ingest-Key-0123456789abcdef';
  const proc = await startProcess({ env: envFor('gateway', { MUTT_API_KEYS: `ops:admin:deploy-admin-Key-0123456789abcdef,rsyslog:ingest:${ingestKey}` }), name: 'gateway', actors: [], http: gatewayApp, log: silent });
  // The services the management API and the UI call, over the gateway process's own connection.
  const counters = await openIngestCounters(proc.nc, { log: silent });
  const services = await openManagementServices(proc, { counters, sloSampleEveryMs: 100 });
  const change = { actor: 'deploy-test', correlationId: 'deploy-test-1', reason: 'deploy test' };
  const violationsAt = violations();
  try {
    await waitFor(() => proc.health.ready(), 10_000, 'gateway ready');
    const post = (path: string, body: unknown) => fetch(`http://127.0.0.1:${proc.httpPort}${path}`, { method: 'POST', headers: { 'X-API-Key': ingestKey, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const legacy = await post('/ingest', { hostname: 'router1', message: 'gateway probe', timestamp: new Date().toISOString() });
    assert.is(legacy.status, 200, await legacy.text());
    const v2 = await post('/api/v2/events', [{ hostname: 'router2', message: 'gateway probe 2' }]);
    assert.is(v2.status, 202, await v2.text());

    await services.rules.create({ id: 'gwprobe', match_string: 'GW-PROBE', prod_handling: 'ticket_only', dev_handling: 'ignore', team_assignment: 'NetOps' }, change);
    await services.rules.patch('gwprobe', { priority: 5 }, change);
    await services.rules.get('gwprobe');
    await services.teams.add({ hostname: 'router1.example.com', team_assignment: 'NetOps' }, change);
    await services.devHosts.add({ hostname: 'lab-router' }, change);
    await services.config.set('unhandled_threshold', 50, change);
    await services.config.history('unhandled_threshold');
    await services.configAudit.query({ limit: 10 } as never);
    await services.eventAudit.query({ limit: 10 } as never);
    const page = await services.dlq.list({ limit: 5 });
    assert.ok(page.items.length > 0, 'the probes above left dead letters');
    await services.dlq.show(page.items[0].seq);
    await services.dlq.depth();
    await services.dlq.replay(page.items[0].seq, change);
    await services.metrics.snapshot();
    await services.rules.remove('gwprobe', change);
    await counters.close();
  } finally {
    services.close();
    await proc.stop();
  }
  const logged = nats.log().split('\n').filter((l) => /Violation/.test(l));
  assert.is(violations() - violationsAt, 0, logged.join('\n'));
});

t('the mutt CLI: operator reads (dlq, rules), the gateway user imports v2.5 rules', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const csv = `${mkdtempSync(`${tmpdir()}/mutt-rules-`)}/alert_rules.csv`;
  writeFileSync(csv, 'id,match_string,trap_oid,syslog_severity,match_type,priority,prod_handling,dev_handling,team_assignment,is_active\n7,LINK-DOWN,,,contains,5,Page_and_ticket,Ticket_only,NetOps,t\n');
  const imported = await mutt('gateway', ['rules', 'import', csv, '--reason', 'migration from v2.5']);
  assert.is(imported.code, 0, imported.stdout + imported.stderr);
  const [dlq, rules] = await Promise.all([mutt('operator', ['dlq', 'ls']), mutt('operator', ['rules', 'ls'])]);
  assert.is(dlq.code, 0, dlq.stdout + dlq.stderr);
  assert.is(rules.code, 0, rules.stdout + rules.stderr);
  assert.match(rules.stdout, /LINK-DOWN/, 'the imported rule');
  // `mutt status` reads the breaker in mutt_state, which the operator may read only by key (direct get).
  const status = await mutt('operator', ['status', '--json']);
  assert.not.match(status.stdout + status.stderr, /permission|violation/i, status.stdout + status.stderr);
  assert.ok(JSON.parse(status.stdout), status.stderr);
});

t('no permission violation was logged while the roles did their work', () => {
  violationsBefore = violations();
  assert.is(violationsBefore, 0, nats.log().split('\n').filter((l) => /Violation/.test(l)).join('\n'));
});

// --- refusals: each one below is a permission violation on purpose ----------------------------------------

async function refusals(role: Role, checks: Record<string, (nc: NatsConnection) => Promise<unknown>>) {
  const nc = await nats.connectAs(role);
  try {
    for (const [what, check] of Object.entries(checks)) await denied(`${role} ${what}`, () => check(nc));
  } finally {
    await nc.close();
  }
}
const pub = (subject: string) => (nc: NatsConnection) => jetstream(nc, { timeout: 3000 }).publish(subject, new Uint8Array([1]));
const kvPut = (bucket: string, key: string) => async (nc: NatsConnection) => (await new Kvm(nc).open(bucket)).put(key, new Uint8Array([1]));
const kvGet = (bucket: string, key: string) => async (nc: NatsConnection) => (await new Kvm(nc).open(bucket)).get(key);
const manage = (fn: (m: JetStreamManager) => Promise<unknown>) => async (nc: NatsConnection) => fn(await jetstreamManager(nc, { timeout: 3000 }));
const durable = (stream: string, name: string) => manage((m) => m.consumers.add(stream, { durable_name: name, ack_policy: AckPolicy.Explicit }));
/** Pulls one message from another actor's durable. The pull request is a plain publish: when only it is denied
 *  (the consumer info is readable), the refusal shows in nats-server's log, not as an error here. */
const pull = (stream: string, name: string) => async (nc: NatsConnection) => {
  const subject = `$JS.API.CONSUMER.MSG.NEXT.${stream}.${name}`;
  const before = nats.log().split(subject).length;
  const outcome = await (await jetstream(nc).consumers.get(stream, name)).next({ expires: 1000 }).then((m) => ({ m }), (err: Error) => ({ err }));
  await sleep(100);
  if (nats.log().split(subject).length > before) throw new Error(`Permissions Violation for Publish to "${subject}" (logged by nats-server)`);
  if ('err' in outcome) throw outcome.err;
  return outcome.m;
};

t('alerter is refused outside its subjects', async () => {
  await refusals('alerter', {
    'injecting events': pub('mutt.events.syslog.forged'),
    'forging the forwarder dead letters': pub('mutt.dlq.forwarder.rejected'),
    'writing config': kvPut(Bucket.config, 'unhandled_threshold'),
    'writing the forwarder breaker': kvPut(Bucket.state, 'forwarder.breaker'),
    'pulling the forwarder consumer': pull(StreamName.alerts, Durable.forwarder),
    'creating a consumer on MUTT_ALERTS': durable(StreamName.alerts, 'sneaky'),
    'purging MUTT_EVENTS': manage((m) => m.streams.purge(StreamName.events)),
    'deleting MUTT_EVENTS': manage((m) => m.streams.delete(StreamName.events)),
  });
});

t('forwarder is refused outside its subjects', async () => {
  await refusals('forwarder', {
    'publishing alerts': pub('mutt.alerts.netops'),
    'writing event audit': pub('mutt.audit.event.h.r'),
    'writing the alerter counters': kvPut(Bucket.unhandled, 'unhandled.x'),
    'reading rules': kvGet(Bucket.rules, 'r1'),
    'pulling the alerter consumer': pull(StreamName.events, Durable.alerter),
    'updating MUTT_ALERTS': manage(async (m) => m.streams.update(StreamName.alerts, { max_msgs: 1 })),
  });
});

t('remediation is refused outside its subjects', async () => {
  await refusals('remediation', {
    'closing the breaker': kvPut(Bucket.state, 'forwarder.breaker'),
    'writing a UI session': kvPut(Bucket.state, 'ui.session'),
    'forging alerter dead letters': pub('mutt.dlq.alerter.rejected'),
    'purging MUTT_DLQ': manage((m) => m.streams.purge(StreamName.dlq)),
    'reading rules': kvGet(Bucket.rules, 'r1'),
    'deleting an event': manage((m) => m.streams.deleteMessage(StreamName.events, 1)),
  });
});

t('syslog and traps may only store their own kind of event', async () => {
  await refusals('syslog', {
    'storing a trap event': pub('mutt.events.trap.h'),
    'publishing an alert': pub('mutt.alerts.netops'),
    'reading mutt_rules': kvGet(Bucket.rules, 'r1'),
    'reading mutt_config values directly': kvGet(Bucket.config, 'moog_rate_limit'),
    'reading the event audit': manage((m) => m.streams.getMessage(StreamName.auditEvents, { seq: 1 })),
    'pulling the alerter consumer': pull(StreamName.events, Durable.alerter),
    'creating a consumer on MUTT_EVENTS': durable(StreamName.events, 'sneaky'),
  });
  await refusals('traps', {
    'storing a syslog event': pub('mutt.events.syslog.h'),
    'writing config': kvPut(Bucket.config, 'x'),
  });
});

t('syslog cannot eavesdrop on core NATS subjects', async () => {
  const nc = await nats.connectAs('syslog');
  const errors: string[] = [];
  void (async () => { for await (const s of nc.status()) if (s.type === 'error') errors.push(String(s.error?.message)); })();
  nc.subscribe('mutt.events.>');
  await nc.flush();
  await waitFor(() => errors.some((e) => /Subscription to "mutt.events.>"/.test(e)), 3000, 'the subscription violation');
  await nc.close();
});

// --- inboxes: each user subscribes only under `_INBOX_<user>` (the prefix MUTT connects with) -------------

const NON_ADMIN: Role[] = ['operator', 'gateway', 'alerter', 'forwarder', 'remediation', 'syslog', 'traps'];

/** Subscribes as the connection's user and waits for nats-server to refuse it (a violation the client reports). */
async function subscriptionRefused(nc: NatsConnection, subject: string): Promise<void> {
  const errors: string[] = [];
  void (async () => { for await (const s of nc.status()) if (s.type === 'error') errors.push(String(s.error?.message)); })();
  nc.subscribe(subject);
  await nc.flush();
  await waitFor(() => errors.some((e) => e.includes(`Subscription to "${subject}"`)), 3000, `the refusal of a subscription to ${subject}`);
}

t('syslog may not subscribe to the gateway\'s inbox, nor to _INBOX.>', async () => {
  for (const subject of ['_INBOX_gateway.>', '_INBOX.>', '_INBOX_alerter.*', '>']) {
    const nc = await nats.connectAs('syslog');
    try {
      await subscriptionRefused(nc, subject);
    } finally {
      await nc.close();
    }
  }
});

t('no role may subscribe to _INBOX.> or to another role\'s inbox', async () => {
  for (const role of NON_ADMIN) {
    const other = role === 'gateway' ? 'alerter' : 'gateway';
    for (const subject of ['_INBOX.>', `_INBOX_${other}.>`]) {
      const nc = await nats.connectAs(role);
      try {
        await subscriptionRefused(nc, subject);
      } finally {
        await nc.close();
      }
    }
  }
});

// --- alerts: only the alerter (and remediation, which replays the forwarder's dead letters) ----------------

t('the gateway may not publish alerts (an alert no rule produced would reach Moogsoft)', async () => {
  await refusals('gateway', { 'publishing an alert': pub('mutt.alerts.x'), 'publishing an alert for a team': pub('mutt.alerts.netops') });
  for (const role of ['syslog', 'traps', 'forwarder', 'operator'] as const) await refusals(role, { 'publishing an alert': pub('mutt.alerts.x') });
});

t('an alert dead letter is replayed by `mutt dlq replay` as admin; as gateway it is refused', async () => {
  const js = jetstream(admin);
  const { DlqEntry } = await import('../../protocol/messages.ts');
  const entry = {
    stage: 'forwarder', reason: 'rejected', attempts: 1, firstError: 'Moogsoft 400', lastError: 'Moogsoft 400', firstSeenAt: Date.now(), lastSeenAt: Date.now(),
    originalSubject: 'mutt.alerts.permreplay', originalStream: StreamName.alerts, originalPayload: encode(z.record(z.string(), z.unknown()), { n: -1 }), replays: 0,
  };
  const parsed = DlqEntry.safeParse(entry);
  assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues));
  const ack = await js.publish('mutt.dlq.forwarder.rejected', encode(DlqEntry, parsed.data));
  const asGateway = await mutt('gateway', ['dlq', 'replay', String(ack.seq), '--comment', 'perm test']);
  assert.is(asGateway.code, 1, `${asGateway.stdout}${asGateway.stderr}`);
  assert.match(asGateway.stdout + asGateway.stderr, /may not publish to \(permission denied\).*NATS_USER=admin/, JSON.stringify(asGateway));
  // The operators' API on the gateway: a 403 naming why and what to do, not a 500.
  const { gatewayApp } = await import('../../gateway/app.ts');
  const adminKey = 'deploy-admin-Key-0123456789abcdef';
  const gw = await startProcess({ env: envFor('gateway', { MUTT_API_KEYS: `ops:admin:${adminKey}` }), name: 'gateway', actors: [], http: gatewayApp, log: silent });
  try {
    const r = await fetch(`http://127.0.0.1:${gw.httpPort}/api/v2/dlq/${ack.seq}/replay`, { method: 'POST', headers: { 'X-API-Key': adminKey, 'X-Change-Reason': 'perm test', 'Content-Type': 'application/json' }, body: '{}' });
    const text = await r.text();
    assert.is(r.status, 403, text);
    assert.match(text, /mutt\.alerts\.permreplay.*NATS_USER=admin/, text);
  } finally {
    await gw.stop();
  }
  const asAdmin = await mutt('admin', ['dlq', 'replay', String(ack.seq), '--comment', 'perm test']);
  assert.is(asAdmin.code, 0, `${asAdmin.stdout}${asAdmin.stderr}`);
  const stored = await jsm.streams.getMessage(StreamName.alerts, { last_by_subj: 'mutt.alerts.permreplay' });
  assert.ok(stored, 'the replayed alert is in MUTT_ALERTS');
});

// --- UI session records: the gateway's alone ------------------------------------------------------------

const SESSION_KEY = `ui.session.${'ab'.repeat(32)}`;
const CSRF_PROBE = 'csrf-probe-0123456789abcdef';

/** Whether a reply carries the session record: as a direct get (raw) or a message get (base64 in JSON). */
function carriesProbe(data: Uint8Array): boolean {
  const text = new TextDecoder().decode(data);
  if (text.includes(CSRF_PROBE)) return true;
  try {
    const b64 = (JSON.parse(text) as { message?: { data?: string } }).message?.data;
    return typeof b64 === 'string' && Buffer.from(b64, 'base64').toString('utf8').includes(CSRF_PROBE);
  } catch {
    return false;
  }
}

t('only the gateway reads a UI session record: others are refused the key, the message get and the gateway\'s replies', async () => {
  const state = await new Kvm(admin).open(Bucket.state);
  await state.put(SESSION_KEY, JSON.stringify({ user: 'ops', role: 'admin', csrf: CSRF_PROBE, createdAt: Date.now(), lastSeenAt: Date.now(), expiresAt: Date.now() + 60_000 }));
  const msgGet = (nc: NatsConnection) => jetstreamManager(nc, { timeout: 3000 }).then((m) => m.streams.getMessage(`KV_${Bucket.state}`, { last_by_subj: `$KV.${Bucket.state}.${SESSION_KEY}` }));
  // Eavesdroppers on every inbox their user might be allowed: the gateway's replies must reach none of them.
  const overheard: string[] = [];
  const ears: NatsConnection[] = [];
  for (const role of ['alerter', 'forwarder', 'remediation', 'syslog', 'operator'] as const) {
    const nc = await nats.connectAs(role);
    ears.push(nc);
    for (const subject of ['_INBOX.>', '_INBOX_gateway.>']) {
      nc.subscribe(subject, { callback: (_e, m) => { if (m && carriesProbe(m.data)) overheard.push(`${role} on ${m.subject}`); } });
    }
    await nc.flush().catch(() => {});
  }
  // The control: admin may subscribe to every inbox, so it overhears the reply, and when it has, the others would have.
  const control = await nats.connectAs('admin');
  let controlHeard = false;
  for (const subject of ['_INBOX.>', '_INBOX_gateway.>']) {
    control.subscribe(subject, { callback: (_e, m) => { if (m && carriesProbe(m.data)) controlHeard = true; } });
  }
  await control.flush();
  ears.push(control);
  try {
    const { connectNats } = await import('../../actors/runtime/connect.ts');
    const gateway = await connectNats(envFor('gateway'), 'perm-test-gateway');
    try {
      const e = await (await new Kvm(gateway).open(Bucket.state)).get(SESSION_KEY);
      assert.ok(e && new TextDecoder().decode(e.value).includes(CSRF_PROBE), 'the gateway reads its session record');
      const m = await msgGet(gateway);
      assert.ok(m, 'and by message get (its session sweep)');
      await waitFor(() => controlHeard, 3000, 'admin to overhear the gateway\'s reply');
      for (const nc of ears) await nc.flush().catch(() => {});
      assert.equal(overheard, [], 'no other role received the gateway\'s reply carrying the session record');
    } finally {
      await gateway.close();
    }
    for (const role of ['alerter', 'forwarder', 'remediation', 'operator', 'syslog'] as const) {
      await refusals(role, { 'reading a UI session by key': kvGet(Bucket.state, SESSION_KEY), 'reading a UI session by message get': msgGet });
    }
  } finally {
    for (const nc of ears) await nc.close().catch(() => {});
    await state.delete(SESSION_KEY);
  }
});

t('gateway cannot administer streams or act as a pipeline actor', async () => {
  await refusals('gateway', {
    'deleting MUTT_EVENTS': manage((m) => m.streams.delete(StreamName.events)),
    'creating the alerter durable': durable(StreamName.events, Durable.alerter),
    'writing event audit': pub('mutt.audit.event.h.r'),
    'writing the breaker': kvPut(Bucket.state, 'forwarder.breaker'),
    'pulling the forwarder consumer': pull(StreamName.alerts, Durable.forwarder),
    'purging MUTT_DLQ': manage((m) => m.streams.purge(StreamName.dlq)),
  });
});

t('operator reads everything and changes nothing', async () => {
  const nc = await nats.connectAs('operator');
  try {
    const m = await jetstreamManager(nc, { timeout: 3000 });
    const info = await m.streams.info(StreamName.dlq);
    assert.ok(info.state.messages > 0, 'the dead letters of the probes above');
    const first = await m.streams.getMessage(StreamName.dlq, { seq: info.state.first_seq });
    assert.ok(first?.subject.startsWith('mutt.dlq.'));
    const ordered = await jetstream(nc).consumers.get(StreamName.dlq); // `nats stream view` does this
    const viewed = await ordered.next({ expires: 2000 });
    assert.ok(viewed?.subject.startsWith('mutt.dlq.'), 'viewed a dead letter through an ordered consumer');
    const ci = await m.consumers.info(StreamName.events, Durable.alerter);
    assert.is(ci.name, Durable.alerter);
  } finally {
    await nc.close();
  }
  await refusals('operator', {
    'injecting events': pub('mutt.events.syslog.h'),
    'writing config': kvPut(Bucket.config, 'moog_rate_limit'),
    'purging MUTT_DLQ': manage((m) => m.streams.purge(StreamName.dlq)),
    'deleting a dead letter': manage((m) => m.streams.deleteMessage(StreamName.dlq, 1)),
    'taking over the alerter durable': durable(StreamName.events, Durable.alerter),
  });
});

t('the mutt CLI as operator cannot change anything', async () => {
  const r = await mutt('operator', ['rules', 'rm', '7', '--reason', 'not allowed']);
  assert.is.not(r.code, 0, r.stdout);
  assert.match(r.stdout + r.stderr, /Permissions Violation|permission/i);
});

t('every refusal above was logged by nats-server as a violation', async () => {
  await waitFor(() => violations() > violationsBefore + 30, 5_000, 'nats-server logging every refusal').catch(() => {});
  assert.ok(violations() > violationsBefore + 30, `violations logged: ${violations() - violationsBefore}`);
});

t.run();
