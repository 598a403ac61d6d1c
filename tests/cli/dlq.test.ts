// `mutt dlq` against a real nats-server with dead letters stored the way the runtime stores them: list by stage /
// reason / age, show with the original payload decoded, replay (to the original subject, deleted from the DLQ,
// replay count carried) by sequence and by filter, purge; bulk operations refuse without --yes, purge without a
// filter; every replay and purge leaves a config-audit record naming the operator.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { Packr } from 'msgpackr';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { readStream, streamCount } from '../helpers/streams.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { encode } from '../../protocol/codec.ts';
import { loadEnv } from '../../protocol/env.ts';
import { ConfigAuditRecord, DlqEntry } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { mutt } from './run-cli.ts';

const t = suite('mutt dlq');
let nats: TestNats;
let nc: NatsConnection;
let js: JetStreamClient;
let env: Record<string, string>;
const packr = new Packr({ useRecords: false });

async function deadLetter(stage: string, reason: DlqEntry['reason'], n: number, lastSeenAt = Date.now()): Promise<number> {
  const entry: DlqEntry = {
    reason,
    stage,
    attempts: 10,
    firstError: 'HTTP 503',
    lastError: `HTTP 400 field 'severity' ${n}`,
    firstSeenAt: lastSeenAt - 60_000,
    lastSeenAt,
    originalSubject: stage === 'alerter' ? 'mutt.events.syslog.core-sw1_example_com' : 'mutt.alerts.neto',
    originalStream: stage === 'alerter' ? 'MUTT_EVENTS' : 'MUTT_ALERTS',
    originalSeq: 100 + n,
    originalHeaders: { 'Mutt-Correlation-Id': `corr-${n}`, 'Nats-Msg-Id': `alert:e${n}:r1` },
    originalPayload: packr.pack({ kind: 'rule', id: `alert:e${n}:r1`, host: 'core-sw1.example.com', message: `LINK-DOWN Gi0/${n}` }),
    correlationId: `corr-${n}`,
    status: 400,
    excerpt: 'bad severity',
    replays: 0,
  };
  const h = natsHeaders();
  h.set('Mutt-Reason', reason);
  h.set('Mutt-Stage', stage);
  return (await js.publish(`mutt.dlq.${stage}.${reason}`, encode(DlqEntry, entry), { headers: h })).seq;
}

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  await provision(nc, loadEnv({ MUTT_STORAGE: 'memory' }));
  js = jetstream(nc);
  env = { NATS_URL: nats.url };
  await deadLetter('forwarder', 'rejected', 1, Date.now() - 3 * 3600_000);
  await deadLetter('forwarder', 'rejected', 2);
  await deadLetter('forwarder', 'retries_exhausted', 3);
  await deadLetter('alerter', 'schema_invalid', 4);
  await deadLetter('alerter', 'schema_invalid', 5);
});

t.after(async () => {
  await nc.close();
  await nats.stop();
});

t('ls filters by stage, reason and age; --json; bad filters name the flag (exit 2)', async () => {
  const [all, fwd, recent, json, badReason, badSince] = await Promise.all([
    mutt(['dlq', 'ls'], env),
    mutt(['dlq', 'ls', '--stage', 'forwarder', '--reason', 'rejected'], env),
    mutt(['dlq', 'ls', '--stage', 'forwarder', '--since', '1h'], env),
    mutt(['dlq', 'ls', '--stage', 'alerter', '--json'], env),
    mutt(['dlq', 'ls', '--reason', 'broken'], env),
    mutt(['dlq', 'ls', '--since', 'yesterday'], env),
  ]);
  assert.is(all.code, 0, all.stderr);
  assert.match(all.stdout, /^SEQ +FAILED +STAGE +REASON +ATTEMPTS +REPLAYS +ORIGINAL SUBJECT +LAST ERROR/);
  assert.is(all.stdout.trim().split('\n').length, 1 + 5 + 1);
  assert.match(all.stdout, /5 shown of 5 matching/);
  assert.equal(
    fwd.stdout
      .trim()
      .split('\n')
      .slice(1, -1)
      .map((l) => Number(l.trim().split(/\s+/)[0])),
    [1, 2],
  );
  assert.equal(
    recent.stdout
      .trim()
      .split('\n')
      .slice(1, -1)
      .map((l) => Number(l.trim().split(/\s+/)[0])),
    [2, 3],
    'the entry that failed 3 h ago is older than --since 1h',
  );
  const page = JSON.parse(json.stdout) as { items: Record<string, unknown>[]; total: number; next_cursor: number | null };
  const items = page.items;
  assert.equal(
    items.map((i) => [i.seq, i.stage, i.reason, i.correlation_id]),
    [
      [4, 'alerter', 'schema_invalid', 'corr-4'],
      [5, 'alerter', 'schema_invalid', 'corr-5'],
    ],
  );
  assert.equal([page.total, page.next_cursor], [2, null]);
  assert.ok(
    Object.keys(items[0]).every((k) => /^[a-z0-9_]+$/.test(k)),
    `snake_case keys: ${Object.keys(items[0]).join(', ')}`,
  );
  assert.match(String(items[0].last_seen_at), /^\d{4}-\d\d-\d\dT.*Z$/);
  assert.is(items[0].original_payload, undefined);
  assert.is(typeof items[0].payload_bytes, 'number');
  assert.is(badReason.code, 2);
  assert.match(
    badReason.stderr,
    /--reason must be one of undecodable, schema_invalid, retries_exhausted, expired, rejected, poison, deadline_exceeded, max_replays \(got 'broken'\)/,
  );
  assert.is(badSince.code, 2);
  assert.match(badSince.stderr, /--since must be a duration ago/);
});

t('ls pages with --limit and --cursor: next_cursor leads to the rest, once each', async () => {
  const first = JSON.parse((await mutt(['dlq', 'ls', '--limit', '2', '--json'], env)).stdout) as {
    items: { seq: number }[];
    next_cursor: number | null;
  };
  assert.equal(
    first.items.map((i) => i.seq),
    [1, 2],
  );
  assert.ok(first.next_cursor !== null, 'a cursor while entries remain');
  const rest = JSON.parse((await mutt(['dlq', 'ls', '--cursor', String(first.next_cursor), '--json'], env)).stdout) as {
    items: { seq: number }[];
    next_cursor: number | null;
  };
  assert.equal(
    rest.items.map((i) => i.seq),
    [3, 4, 5],
  );
  assert.is(rest.next_cursor, null);
  const text = await mutt(['dlq', 'ls', '--limit', '2'], env);
  assert.match(text.stdout, new RegExp(`more: --cursor ${first.next_cursor}`));
});

t('show decodes the original payload and prints the failure', async () => {
  const r = await mutt(['dlq', 'show', '2'], env);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^reason +rejected$/m);
  assert.match(r.stdout, /^last failure +\S+ +HTTP 400 field 'severity' 2$/m);
  assert.match(r.stdout, /^original +MUTT_ALERTS #102 on mutt\.alerts\.neto$/m);
  assert.match(r.stdout, /^header +Mutt-Correlation-Id: corr-2$/m);
  assert.match(r.stdout, /payload \(\d+ bytes, decoded\):\n\{\n  "kind": "rule",\n  "id": "alert:e2:r1",/);
  const j = JSON.parse((await mutt(['dlq', 'show', '2', '--json'], env)).stdout);
  assert.equal(j.payload.value, { kind: 'rule', id: 'alert:e2:r1', host: 'core-sw1.example.com', message: 'LINK-DOWN Gi0/2' });
  const [missing, bad] = await Promise.all([mutt(['dlq', 'show', '999'], env), mutt(['dlq', 'show', 'x'], env)]);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /no dead letter at sequence 999/);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /<seq> must be a DLQ sequence number/);
});

t('replay by sequence: back on the original subject with the replay count, gone from the DLQ, audited', async () => {
  const before = await streamCount(nc, StreamName.alerts);
  const r = await mutt(['dlq', 'replay', '2', '--comment', 'INC-1 fixed', '--as', 'ops-alice'], env);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^2: replayed to MUTT_ALERTS #\d+$/m);
  assert.is(await streamCount(nc, StreamName.alerts), before + 1);
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(StreamName.alerts);
  const m = (await jsm.streams.getMessage(StreamName.alerts, { seq: info.state.last_seq }))!;
  assert.is(m.subject, 'mutt.alerts.neto');
  assert.is(m.header?.get('Mutt-Replays'), '1');
  assert.is(m.header?.get('Mutt-Correlation-Id'), 'corr-2');
  assert.is((await mutt(['dlq', 'show', '2'], env)).code, 1, 'replayed entries leave the DLQ');
  const audit = (await readStream(nc, StreamName.auditConfig, ConfigAuditRecord, 'mutt.audit.config.dlq.>')).map((a) => a.value);
  assert.equal(
    audit.map((a) => [a.id, a.operation, a.actor, a.reason]),
    [['2', 'replay', 'ops-alice', 'INC-1 fixed']],
  );
});

t('bulk replay and purge: refused without --yes (and purge without a filter); done with it, one audit record each', async () => {
  const [noYes, noFilter, purgeNoYes, both] = await Promise.all([
    mutt(['dlq', 'replay', '--stage', 'forwarder'], env),
    mutt(['dlq', 'purge', '--yes'], env),
    mutt(['dlq', 'purge', '--stage', 'alerter'], env),
    mutt(['dlq', 'replay', '3', '--stage', 'forwarder'], env),
  ]);
  assert.is(noYes.code, 2);
  assert.match(noYes.stderr, /replay of 2 dead letter\(s\) matching stage=forwarder: pass --yes to confirm \(nothing was changed\)/);
  assert.is(noFilter.code, 2);
  assert.match(noFilter.stderr, /purge needs sequence numbers or a filter \(--stage, --reason, --since\)/);
  assert.is(purgeNoYes.code, 2);
  assert.match(purgeNoYes.stderr, /pass --yes to confirm \(nothing was deleted\)/);
  assert.is(both.code, 2);
  assert.is(await streamCount(nc, StreamName.dlq), 4, 'nothing changed');

  const replay = await mutt(['dlq', 'replay', '--stage', 'forwarder', '--yes'], env);
  assert.is(replay.code, 0, replay.stderr);
  assert.match(replay.stdout, /replayed 2 dead letter\(s\) matching stage=forwarder/);
  const purge = await mutt(
    ['dlq', 'purge', '--stage', 'alerter', '--reason', 'schema_invalid', '--yes', '--comment', 'garbage from a test sender'],
    env,
  );
  assert.is(purge.code, 0, purge.stderr);
  assert.match(purge.stdout, /purged 2 dead letter\(s\) matching stage=alerter reason=schema_invalid/);
  assert.is(await streamCount(nc, StreamName.dlq), 0);
  const audit = (await readStream(nc, StreamName.auditConfig, ConfigAuditRecord, 'mutt.audit.config.dlq.>')).map((a) => a.value);
  assert.equal(
    audit.slice(1).map((a) => [a.operation, a.newValue]),
    [
      ['replay', { replayed: 2, failed: 0, seqs: [1, 3] }],
      ['purge', { purged: 2 }],
    ],
  );
  assert.ok(audit.every((a) => a.actor.startsWith('cli:') || a.actor === 'ops-alice'));
  const empty = await mutt(['dlq', 'replay', '--stage', 'forwarder', '--yes'], env);
  assert.match(empty.stdout, /no dead letters match stage=forwarder/);
});

t.run();
