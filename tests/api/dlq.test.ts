import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { deadLetter } from '../../actors/runtime/dead-letter.ts';
import { encode } from '../../protocol/codec.ts';
import { IngestEvent, type DlqReason } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { sampleEvent } from '../helpers/test-actor.ts';
import { apiFixture, KEYS, type ApiFixture } from './fixture.ts';

const t = suite('DLQ API');
let f: ApiFixture;
let originalSeq = 0;

async function dead(stage: string, reason: DlqReason, payload: Uint8Array, subject = 'mutt.events.syslog.test_host'): Promise<number> {
  const h = natsHeaders();
  h.set('Mutt-Correlation-Id', `corr-${stage}-${reason}`);
  const ack = await deadLetter(f.js, {
    stage,
    reason,
    attempts: 3,
    firstError: 'boom',
    lastError: 'boom again',
    firstSeenAt: Date.now() - 1000,
    originalSubject: subject,
    originalStream: StreamName.events,
    originalSeq: ++originalSeq,
    originalHeaders: h,
    originalPayload: payload,
  });
  return ack.seq;
}

const msgpackEvent = (id: string) => encode(IngestEvent, sampleEvent(id, 'hello'));

t.before(async () => {
  f = await apiFixture();
  // Nothing consumes MUTT_EVENTS here, so replays stay where we can see them.
});
t.after(async () => {
  await f?.close();
});

t('list by stage and reason with a cursor; show decodes the payload', async () => {
  const a = await dead('alerter', 'schema_invalid', msgpackEvent('ev-a'));
  const b = await dead('forwarder', 'retries_exhausted', msgpackEvent('ev-b'), 'mutt.alerts.neto');
  const c = await dead('forwarder', 'retries_exhausted', new Uint8Array([0xc1, 0xff, 0x00]), 'mutt.alerts.neto');
  const all = await f.call('GET', '/api/v2/dlq', { key: KEYS.read });
  assert.is(all.status, 200, all.text);
  assert.equal(
    all.body.items.map((i: { seq: number }) => i.seq),
    [a, b, c],
  );
  assert.is(all.body.total, 3);
  const fwd = await f.call('GET', '/api/v2/dlq?stage=forwarder&reason=retries_exhausted&limit=1');
  assert.equal(
    fwd.body.items.map((i: { seq: number }) => i.seq),
    [b],
  );
  assert.is(fwd.body.total, 2);
  assert.is(fwd.body.next_cursor, b + 1);
  const next = await f.call('GET', `/api/v2/dlq?stage=forwarder&reason=retries_exhausted&limit=1&cursor=${fwd.body.next_cursor}`);
  assert.equal(
    next.body.items.map((i: { seq: number }) => i.seq),
    [c],
  );
  const since = await f.call('GET', `/api/v2/dlq?since=${Date.now() + 60_000}`);
  assert.equal([since.body.items.length, since.body.total], [0, null]);

  const shown = await f.call('GET', `/api/v2/dlq/${a}`);
  assert.is(shown.status, 200);
  assert.is(shown.body.stage, 'alerter');
  assert.is(shown.body.correlation_id, 'corr-alerter-schema_invalid');
  assert.is(shown.body.payload.encoding, 'json');
  assert.is(shown.body.payload.value.id, 'ev-a');
  assert.match(shown.body.first_seen_at, /Z$/);
  const opaque = await f.call('GET', `/api/v2/dlq/${c}`);
  assert.is(opaque.body.payload.encoding, 'base64');
  assert.is(opaque.body.payload.value, Buffer.from([0xc1, 0xff, 0x00]).toString('base64'));
  assert.is((await f.call('GET', '/api/v2/dlq/999999')).status, 404);
  assert.is((await f.call('GET', '/api/v2/dlq/abc')).status, 400);
});

t('bad filters are 400s (no subject injection)', async () => {
  for (const q of ['stage=a.b', 'stage=*', 'reason=%3E', 'reason=flaky', 'limit=0', 'since=soon']) {
    const r = await f.call('GET', `/api/v2/dlq?${q}`);
    assert.is(r.status, 400, q);
  }
});

t('replay one: republished to its original subject and gone from the DLQ; audited', async () => {
  const seq = await dead('alerter', 'retries_exhausted', msgpackEvent('ev-replay-1'), 'mutt.events.syslog.replay_one');
  const before = (await f.jsm.streams.info(StreamName.events)).state.messages;
  const r = await f.call('POST', `/api/v2/dlq/${seq}/replay`, { headers: { 'X-Change-Reason': 'alerter fixed' } });
  assert.is(r.status, 200, r.text);
  assert.is(r.body.to.stream, StreamName.events);
  assert.is((await f.jsm.streams.info(StreamName.events)).state.messages, before + 1);
  const m = await f.jsm.streams.getMessage(StreamName.events, { last_by_subj: 'mutt.events.syslog.replay_one' });
  assert.is(m?.header?.get('Mutt-Replays'), '1');
  assert.is((await f.call('GET', `/api/v2/dlq/${seq}`)).status, 404);
  assert.is((await f.call('POST', `/api/v2/dlq/${seq}/replay`)).status, 404);
  const audit = await f.call('GET', `/api/v2/audit/config?kind=dlq&id=${seq}`);
  assert.is(audit.body.items[0].operation, 'replay');
  assert.is(audit.body.items[0].actor, 'ops');
  assert.is(audit.body.items[0].reason, 'alerter fixed');
});

t('replay by filter, purge one, purge by filter only with confirm: true', async () => {
  await f.call('POST', '/api/v2/dlq/purge', { body: { confirm: true } });
  const s1 = await dead('remediation', 'expired', msgpackEvent('ev-r1'), 'mutt.events.syslog.bulk');
  await dead('remediation', 'expired', msgpackEvent('ev-r2'), 'mutt.events.syslog.bulk');
  await dead('remediation', 'poison', msgpackEvent('ev-r3'), 'mutt.events.syslog.bulk');
  const replayed = await f.call('POST', '/api/v2/dlq/replay', {
    body: { stage: 'remediation', reason: 'expired', limit: 10, comment: 'outage over' },
  });
  assert.is(replayed.status, 200, replayed.text);
  assert.is(replayed.body.replayed, 2);
  assert.is(replayed.body.items[0].seq, s1);
  assert.equal(replayed.body.failed, []);
  assert.is((await f.call('GET', '/api/v2/dlq')).body.total, 1);

  const noConfirm = await f.call('POST', '/api/v2/dlq/purge', { body: { stage: 'remediation' } });
  assert.is(noConfirm.status, 400);
  assert.is(noConfirm.body.issues[0].path, 'confirm');
  const falseConfirm = await f.call('POST', '/api/v2/dlq/purge', { body: { confirm: 'yes' } });
  assert.is(falseConfirm.status, 400);
  const x = await dead('ingest', 'undecodable', new Uint8Array([1]));
  const one = await f.call('DELETE', `/api/v2/dlq/${x}`);
  assert.equal([one.status, one.body.purged], [200, 1]);
  assert.is((await f.call('DELETE', `/api/v2/dlq/${x}`)).status, 404);
  const purged = await f.call('POST', '/api/v2/dlq/purge', { body: { stage: 'remediation', reason: 'poison', confirm: true } });
  assert.equal([purged.status, purged.body.purged], [200, 1]);
  assert.is((await f.call('GET', '/api/v2/dlq')).body.total, 0);

  const audit = await f.call('GET', '/api/v2/audit/config?kind=dlq&limit=500');
  const ops = audit.body.items.map((i: { operation: string; id: string }) => `${i.operation}:${i.id}`);
  assert.ok(ops.includes('replay:remediation.expired'), ops.join());
  assert.ok(ops.includes('purge:remediation.poison'), ops.join());
  assert.ok(ops.includes(`purge:${x}`), ops.join());
  const replayRecord = audit.body.items.find((i: { id: string }) => i.id === 'remediation.expired');
  assert.is(replayRecord.reason, 'outage over');
  assert.is(replayRecord.new_value.replayed, 2);
});

t('DLQ writes need admin; reads need read', async () => {
  assert.is((await f.call('GET', '/api/v2/dlq', { key: KEYS.ingest })).status, 403);
  assert.is((await f.call('POST', '/api/v2/dlq/purge', { key: KEYS.read, body: { confirm: true } })).status, 403);
  assert.is((await f.call('POST', '/api/v2/dlq/replay', { key: null, body: {} })).status, 401);
});

t.run();
