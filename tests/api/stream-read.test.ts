// Batched reads end by themselves once they hold the last match, on a file store with wildcard filters whose
// first match lies after the read's start — the case where nats-server 2.9's consumer num_pending is wrong and
// a read that trusted it waited out its pull expiry. 'end' (not 'expired') is how a read says it stopped on its own.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { loadEnv } from '../../protocol/env.ts';
import { lastMatch, readRange } from '../../actors/runtime/stream-read.ts';

const t = suite('batched stream reads stop on the last match');
const STREAM = 'MUTT_AUDIT_EVENTS';
let nats: TestNats;
let nc: NatsConnection;
let jsm: JetStreamManager;
// 1..200: subject old.r up to 170 and on odd sequences after; from 172 on, even sequences go to 10 new subjects
// new0..new18 (first seen after 170). On 2.9.10 a consumer's num_pending from 171 is 30..44 for 30 matches.
const subjectOf = (i: number) => (i <= 170 || i % 2 === 1 ? 'mutt.audit.event.old.r' : `mutt.audit.event.new${i % 20}.r`);

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  await provision(nc, loadEnv({ MUTT_STORAGE: 'file' }));
  jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  for (let i = 1; i <= 200; i++) await js.publish(subjectOf(i), String(i));
});
t.after(async () => {
  await nc?.close();
  await nats?.stop();
});

const seqs = (from: number, to: number, keep: (i: number) => boolean = () => true) =>
  Array.from({ length: to - from + 1 }, (_, k) => from + k).filter(keep);

t('a wildcard read from mid-stream returns every match and ends on the last one', async () => {
  for (const [subject, from] of [
    ['mutt.audit.event.>', 171],
    ['mutt.audit.event.*.r', 171],
    ['mutt.audit.event.>', 150],
  ] as const) {
    const r = await readRange(jsm, STREAM, subject, { fromSeq: from, max: 1000 });
    assert.equal(
      r.msgs.map((m) => m.seq),
      seqs(from, 200),
      `${subject} from ${from}`,
    );
    assert.is(r.stop, 'end', `${subject} from ${from}: the read ended on its own`);
  }
  const news = await readRange(jsm, STREAM, 'mutt.audit.event.new4.r', { fromSeq: 1, max: 50 });
  assert.equal(
    news.msgs.map((m) => m.seq),
    [184],
  );
  assert.is(news.stop, 'end');
});

t('a bounded read stops at toSeq, and max stops it with more to come', async () => {
  const r = await readRange(jsm, STREAM, 'mutt.audit.event.>', { fromSeq: 160, toSeq: 185, max: 1000 });
  assert.equal(
    r.msgs.map((m) => m.seq),
    seqs(160, 185),
  );
  assert.is(r.stop, 'end');
  const m = await readRange(jsm, STREAM, 'mutt.audit.event.old.r', { fromSeq: 1, max: 10 });
  assert.equal(
    m.msgs.map((x) => x.seq),
    seqs(1, 10),
  );
  assert.is(m.stop, 'max');
});

t("the last match is found even when the subject's newest message was deleted", async () => {
  assert.is(await lastMatch(jsm, STREAM, 'mutt.audit.event.old.r'), 199);
  await jsm.streams.deleteMessage(STREAM, 199);
  assert.is(await lastMatch(jsm, STREAM, 'mutt.audit.event.old.r'), 197);
  const r = await readRange(jsm, STREAM, 'mutt.audit.event.old.r', { fromSeq: 190, max: 50 });
  assert.equal(
    r.msgs.map((m) => m.seq),
    [191, 193, 195, 197],
  );
  assert.is(r.stop, 'end');
  assert.is(await lastMatch(jsm, STREAM, 'mutt.audit.event.nobody.*'), null);
  assert.equal((await readRange(jsm, STREAM, 'mutt.audit.event.nobody.*', { fromSeq: 1, max: 50 })).msgs, []);
});

t.run();
