// The hot-path JetStream publisher against a real nats-server: PubAcks with sequence and duplicate flag, errors
// that publish-events.ts classifies the same way as nats.js's (stream full, no stream, timeout), a burst of
// concurrent publishes all answered, and pending publishes failed when the connection closes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, DiscardPolicy, JetStreamApiError } from '@nats-io/jetstream';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { encodeHeaderBlock, jsPublisher, JsPublisher, NoStreamError, PublishTimeoutError } from '../../actors/runtime/js-publisher.ts';
import { classifyPublishError } from '../../actors/runtime/publish-events.ts';
import { waitFor } from '../helpers/wait.ts';

let nats: TestNats;
let nc: NatsConnection;
const bytes = (s: string) => new TextEncoder().encode(s);

test.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'PUB', subjects: ['pub.>'], duplicate_window: 60e9 });
  await jsm.streams.add({ name: 'TINY', subjects: ['tiny.>'], max_msgs: 2, discard: DiscardPolicy.New });
});
test.after(async () => {
  await nc.close();
  await nats.stop();
});

test('answers with the stream and sequence; a repeated Nats-Msg-Id is acked as a duplicate of the same message', async () => {
  const pub = jsPublisher(nc);
  assert.is(jsPublisher(nc), pub, 'one publisher per connection');
  const a = await pub.publish('pub.a', bytes('one'), { msgID: 'id-1', headers: { 'Mutt-Host': 'r1', 'Mutt-Rule': ' spaced ' } });
  const b = await pub.publish('pub.a', bytes('one again'), { msgID: 'id-1' });
  const c = await pub.publish('pub.b', bytes('two'));
  assert.is(a.stream, 'PUB');
  assert.is(a.duplicate, false);
  assert.is(b.duplicate, true);
  assert.is(b.seq, a.seq, 'the duplicate names the stored message');
  assert.is(c.seq, a.seq + 1);
  const stored = await (await jetstreamManager(nc)).streams.getMessage('PUB', { seq: a.seq });
  assert.is(new TextDecoder().decode(stored!.data), 'one');
  assert.is(stored!.header.get('Mutt-Host'), 'r1');
  assert.is(stored!.header.get('Nats-Msg-Id'), 'id-1');
  assert.is(stored!.header.get('Mutt-Rule'), 'spaced', 'values are trimmed, as nats.js trims them');
});

test('a header value with a line break or an invalid name is refused before anything is sent', async () => {
  const pub = jsPublisher(nc);
  const before = (await (await jetstreamManager(nc)).streams.info('PUB')).state.messages;
  const attempts: { msgID?: string; headers?: Record<string, string> }[] = [
    { headers: { 'Mutt-Host': 'r1\r\nNats-Msg-Id: forged' } },
    { headers: { 'Bad Name': 'x' } },
    { msgID: 'a\nb' },
  ];
  for (const opts of attempts) {
    const err = await pub.publish('pub.refused', bytes('x'), opts).then(
      () => null,
      (e: unknown) => e as Error,
    );
    assert.ok(err, `refused: ${JSON.stringify(opts)}`);
    assert.match(err!.message, /header|name/);
  }
  assert.is((await (await jetstreamManager(nc)).streams.info('PUB')).state.messages, before, 'nothing stored');
});

test('the header block has the wire form nats.js writes; an explicit msgID replaces a Nats-Msg-Id header', () => {
  const text = (b: Uint8Array | null) => (b ? new TextDecoder().decode(b) : null);
  assert.is(text(encodeHeaderBlock(undefined, undefined)), null);
  assert.is(text(encodeHeaderBlock(undefined, {})), null);
  assert.is(text(encodeHeaderBlock('id-9', { 'Mutt-Host': 'r1' })), 'NATS/1.0\r\nMutt-Host: r1\r\nNats-Msg-Id: id-9\r\n\r\n');
  assert.is(text(encodeHeaderBlock('id-9', { 'Nats-Msg-Id': 'other' })), 'NATS/1.0\r\nNats-Msg-Id: id-9\r\n\r\n');
  const h = headers();
  h.set('Mutt-Host', 'r1');
  h.set('Nats-Msg-Id', 'id-9');
  assert.is(
    text(encodeHeaderBlock('id-9', { 'Mutt-Host': 'r1' })),
    new TextDecoder().decode((h as unknown as { encode(): Uint8Array }).encode()),
  );
});

test('a burst of concurrent publishes is answered in full, each with its own sequence', async () => {
  const pub = jsPublisher(nc);
  const acks = await Promise.all(
    Array.from({ length: 2000 }, (_, i) => pub.publish(`pub.burst.${i % 7}`, bytes(`m${i}`), { msgID: `burst-${i}` })),
  );
  assert.is(new Set(acks.map((a) => a.seq)).size, 2000);
  assert.ok(acks.every((a) => !a.duplicate));
  assert.is(pub.inFlight, 0);
});

test('a full stream refuses with a JetStreamApiError that classifies as stream_full', async () => {
  const pub = jsPublisher(nc);
  await pub.publish('tiny.x', bytes('1'));
  await pub.publish('tiny.x', bytes('2'));
  const err = await pub.publish('tiny.x', bytes('3')).then(
    () => null,
    (e: unknown) => e,
  );
  assert.instance(err, JetStreamApiError);
  assert.is(classifyPublishError(err), 'stream_full');
});

test('a subject no stream captures fails at once as NoStreamError (unavailable), not after the timeout', async () => {
  const started = Date.now();
  const err = await jsPublisher(nc)
    .publish('nostream.x', bytes('x'), { timeout: 4000 })
    .then(
      () => null,
      (e: unknown) => e,
    );
  assert.instance(err, NoStreamError);
  assert.match((err as Error).message, /nostream\.x/);
  assert.ok(Date.now() - started < 3000, 'the no-responders answer came back, not the deadline');
  assert.is(classifyPublishError(err), 'unavailable');
});

test('no answer within the timeout rejects with PublishTimeoutError; a late answer is ignored', async () => {
  const held: { respond(d: Uint8Array): boolean }[] = [];
  const sub = nc.subscribe('silent.>', {
    callback: (_e, m) => {
      held.push(m);
    },
  });
  await nc.flush();
  const pub = jsPublisher(nc);
  const err = await pub.publish('silent.x', bytes('x'), { timeout: 300 }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.instance(err, PublishTimeoutError);
  assert.is(classifyPublishError(err), 'unavailable');
  assert.is(held.length, 1, 'the message was sent with a reply subject');
  held[0].respond(bytes(JSON.stringify({ stream: 'X', seq: 1 })));
  await nc.flush();
  assert.is(pub.inFlight, 0);
  sub.unsubscribe();
});

test('an answer that is not a PubAck rejects instead of resolving with nonsense', async () => {
  const sub = nc.subscribe('odd.>', {
    callback: (_e, m) => {
      m.respond(bytes(m.subject === 'odd.json' ? '{"seq":3}' : 'not json'));
    },
  });
  await nc.flush();
  const pub = jsPublisher(nc);
  for (const subject of ['odd.json', 'odd.text']) {
    const err = await pub.publish(subject, bytes('x'), { timeout: 2000 }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.instance(err, Error);
    assert.match((err as Error).message, /invalid PubAck/);
  }
  sub.unsubscribe();
});

test('closing the connection fails what is pending and refuses new publishes', async () => {
  const own = await connect({ servers: nats.url });
  let arrived = false;
  const sub = own.subscribe('hold.>', {
    callback: () => {
      arrived = true;
    },
  }); // a responder that never answers
  await own.flush();
  const pub = new JsPublisher(own);
  const pending = pub.publish('hold.x', bytes('x'), { timeout: 30_000 }).then(
    () => null,
    (e: unknown) => e,
  );
  await waitFor(() => arrived, 5_000, 'the publish reaching the silent responder');
  sub.unsubscribe();
  await own.close();
  const err = await pending;
  assert.instance(err, Error);
  assert.match((err as Error).message, /closed/);
  const after = await pub.publish('pub.a', bytes('x')).then(
    () => null,
    (e: unknown) => e,
  );
  assert.match((after as Error).message, /closed/);
});

test.run();
