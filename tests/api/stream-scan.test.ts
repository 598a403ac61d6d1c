import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { loadEnv } from '../../protocol/env.ts';
import { readFrom } from '../../actors/runtime/stream-read.ts';
import { countMatching, scanPage, seqAtOrAfter, subjectCounts, type Order, type ScannedMsg } from '../../gateway/services/stream-scan.ts';

const t = suite('stream pages by subject and time');
const STREAM = 'MUTT_AUDIT_CONFIG';
let nats: TestNats;
let nc: NatsConnection;
let jsm: JetStreamManager;
let mid = 0;

const text = (m: ScannedMsg) => Buffer.from(m.data).toString();

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  await provision(nc, loadEnv({ MUTT_STORAGE: 'memory' }));
  jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  // 1..600: kind a on every 3rd, kind b otherwise; a time gap after 300.
  for (let i = 1; i <= 600; i++) {
    if (i === 301) {
      await new Promise((r) => setTimeout(r, 30));
      mid = Date.now();
      await new Promise((r) => setTimeout(r, 30));
    }
    await js.publish(`mutt.audit.config.${i % 3 === 0 ? 'a' : 'b'}.x${i % 7}`, String(i));
  }
});
t.after(async () => {
  await nc?.close();
  await nats?.stop();
});

async function all(
  order: Order,
  opts: { subject: string; limit: number; from?: number; to?: number; keep?: (n: number) => boolean; maxScan?: number },
): Promise<{ values: number[]; pages: number }> {
  const values: number[] = [];
  let cursor: number | undefined;
  let pages = 0;
  for (;;) {
    const page = await scanPage(jsm, {
      stream: STREAM,
      subject: opts.subject,
      order,
      limit: opts.limit,
      cursor,
      from: opts.from,
      to: opts.to,
      maxScan: opts.maxScan,
      select: (m) => (opts.keep && !opts.keep(Number(text(m))) ? null : Number(text(m))),
    });
    pages++;
    values.push(...page.items.map((i) => i.item));
    assert.ok(page.items.length <= opts.limit);
    if (page.nextCursor === null) return { values, pages };
    cursor = page.nextCursor;
    if (pages > 1000) throw new Error('no progress');
  }
}

const range = (from: number, to: number, keep: (n: number) => boolean = () => true) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i).filter(keep);

t('ascending and descending pages visit every match exactly once, in order', async () => {
  const asc = await all('asc', { subject: 'mutt.audit.config.a.*', limit: 37 });
  assert.equal(
    asc.values,
    range(1, 600, (n) => n % 3 === 0),
  );
  const desc = await all('desc', { subject: 'mutt.audit.config.a.*', limit: 37 });
  assert.equal(desc.values, range(1, 600, (n) => n % 3 === 0).reverse());
  const exact = await all('desc', { subject: 'mutt.audit.config.b.x2', limit: 5 });
  assert.equal(exact.values, range(1, 600, (n) => n % 3 !== 0 && n % 7 === 2).reverse());
});

t('per-record filters and a small scan budget still make progress and lose nothing', async () => {
  const keep = (n: number) => n % 50 === 0;
  const asc = await all('asc', { subject: 'mutt.audit.config.>', limit: 4, keep, maxScan: 30 });
  assert.equal(asc.values, range(1, 600, keep));
  assert.ok(asc.pages > 15, 'short pages with a cursor when the budget runs out');
  const desc = await all('desc', { subject: 'mutt.audit.config.>', limit: 4, keep, maxScan: 30 });
  assert.equal(desc.values, range(1, 600, keep).reverse());
});

t('a dense window is narrowed instead of read whole (newest first)', async () => {
  const page = await scanPage(jsm, {
    stream: STREAM,
    subject: 'mutt.audit.config.>',
    order: 'desc',
    limit: 3,
    select: (m) => Number(text(m)),
  });
  assert.equal(
    page.items.map((i) => i.item),
    [600, 599, 598],
  );
  assert.is(page.nextCursor, 597);
  assert.ok(page.scanned < 300, `read ${page.scanned}`);
});

t('newest first over a long stretch the filter rejects: windows widen, then narrow when dense', async () => {
  const keep = (n: number) => n <= 10;
  const page = await scanPage(jsm, {
    stream: STREAM,
    subject: 'mutt.audit.config.>',
    order: 'desc',
    limit: 5,
    select: (m) => (keep(Number(text(m))) ? Number(text(m)) : null),
  });
  assert.equal(
    page.items.map((i) => i.item),
    [10, 9, 8, 7, 6],
  );
  assert.is(page.nextCursor, 5);
  const rest = await scanPage(jsm, {
    stream: STREAM,
    subject: 'mutt.audit.config.>',
    order: 'desc',
    limit: 5,
    cursor: page.nextCursor!,
    select: (m) => Number(text(m)),
  });
  assert.equal(
    rest.items.map((i) => i.item),
    [5, 4, 3, 2, 1],
  );
  assert.is(rest.nextCursor, null);
});

t('time bounds: from / to by stored time', async () => {
  assert.is(await seqAtOrAfter(jsm, STREAM, mid), 301);
  assert.is(await seqAtOrAfter(jsm, STREAM, 0), 1);
  assert.is(await seqAtOrAfter(jsm, STREAM, Date.now() + 60_000), 601);
  const after = await all('asc', { subject: 'mutt.audit.config.a.*', limit: 100, from: mid });
  assert.equal(
    after.values,
    range(301, 600, (n) => n % 3 === 0),
  );
  const before = await all('desc', { subject: 'mutt.audit.config.a.*', limit: 100, to: mid });
  assert.equal(before.values, range(1, 300, (n) => n % 3 === 0).reverse());
  const none = await scanPage(jsm, { stream: STREAM, subject: '>', order: 'asc', limit: 5, from: mid, to: mid - 1, select: () => 1 });
  assert.equal([none.items.length, none.nextCursor], [0, null]);
  const future = await scanPage(jsm, { stream: STREAM, subject: '>', order: 'desc', limit: 5, from: Date.now() + 60_000, select: () => 1 });
  assert.equal(future.items, []);
});

t("counts: the stream's message count for its whole subject space, subject counts for a filter", async () => {
  assert.is(await countMatching(jsm, STREAM, 'mutt.audit.config.>'), 600);
  assert.is(await countMatching(jsm, STREAM, '>'), 600);
  assert.is(await countMatching(jsm, STREAM, 'mutt.audit.config.a.*'), 200);
  assert.is(await countMatching(jsm, STREAM, 'mutt.audit.config.b.x3'), range(1, 600, (n) => n % 3 !== 0 && n % 7 === 3).length);
  assert.is(await countMatching(jsm, STREAM, 'mutt.audit.config.nothing'), 0);
  assert.is(await countMatching(jsm, 'MUTT_DLQ', '>'), 0, 'empty stream');
  const counts = await subjectCounts(jsm, STREAM, 'mutt.audit.config.a.x0');
  assert.equal(counts, { 'mutt.audit.config.a.x0': range(1, 600, (n) => n % 3 === 0 && n % 7 === 0).length });
  assert.equal((await jsm.consumers.list(STREAM).next()).length, 0, 'no consumer left behind');
});

t('batched reads: matches from a sequence on, at most max, oldest first, with stored time; nothing ahead is an empty list', async () => {
  const got = await readFrom(jsm, STREAM, 'mutt.audit.config.a.*', 10, 50);
  assert.equal(
    got.map((m) => Number(text(m))),
    range(10, 600, (n) => n % 3 === 0).slice(0, 50),
  );
  assert.equal(
    got.map((m) => m.seq),
    got.map((m) => Number(text(m))),
    'sequence numbers are the stored ones',
  );
  assert.ok(got.every((m) => m.subject.startsWith('mutt.audit.config.a.') && m.time.getTime() > 0 && m.time.getTime() <= Date.now()));
  assert.equal(
    (await readFrom(jsm, STREAM, 'mutt.audit.config.a.*', 598, 50)).map((m) => m.seq),
    [600],
    'fewer than max when fewer exist',
  );
  assert.equal(await readFrom(jsm, STREAM, 'mutt.audit.config.a.*', 601, 50), []);
  assert.equal(await readFrom(jsm, STREAM, 'mutt.audit.config.nothing', 1, 50), []);
  assert.equal((await jsm.consumers.list(STREAM).next()).length, 0, 'no consumer left behind');
});

t('an empty stream pages to nothing', async () => {
  const page = await scanPage(jsm, { stream: 'MUTT_DLQ', subject: '>', order: 'desc', limit: 5, select: () => 1 });
  assert.equal([page.items.length, page.nextCursor, page.scanned], [0, null, 0]);
});

t.run();
