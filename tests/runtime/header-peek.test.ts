// peekHeader must give exactly what nats.js's msg.headers.get gives, read from the raw header block of real
// JetStream deliveries (and through msg.headers when the raw fields are not there).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { peekHeader } from '../../actors/runtime/header-peek.ts';

let nats: TestNats;
let nc: NatsConnection;

test.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'PEEK', subjects: ['peek.>'] });
  await jsm.consumers.add('PEEK', { durable_name: 'c', ack_policy: 'explicit' as never });
});
test.after(async () => {
  await nc.close();
  await nats.stop();
});

const NAMES = ['Content-Type', 'Mutt-Correlation-Id', 'Mutt-Host', 'Type', 'Missing'];

test('the same value as msg.headers.get for every header shape, and "" where there is none', async () => {
  const js = jetstream(nc);
  const shapes: (Record<string, string[]> | null)[] = [
    null,
    { 'Content-Type': ['application/json'] },
    { 'X-Content-Type': ['text/plain'], 'Content-Type': ['application/msgpack'] },
    { 'Mutt-Host': ['  spaced out  '], 'Mutt-Correlation-Id': ['c-1'] },
    { Type: ['first', 'second'] },
    { 'Mutt-Host': ['héllo wörld ✓'] },
    { 'Mutt-Host': ['Content-Type: forged?'] },
  ];
  for (const shape of shapes) {
    const h = shape ? headers() : undefined;
    for (const [k, vs] of Object.entries(shape ?? {})) for (const v of vs) h!.append(k, v);
    await js.publish('peek.x', new Uint8Array([1, 2, 3]), { headers: h });
  }
  const consumer = await js.consumers.get('PEEK', 'c');
  const msgs: JsMsg[] = [];
  const iter = await consumer.fetch({ max_messages: shapes.length, expires: 2000 });
  for await (const m of iter) {
    msgs.push(m);
    m.ack();
  }
  assert.is(msgs.length, shapes.length);
  for (const [i, m] of msgs.entries()) {
    for (const name of NAMES) {
      const got = peekHeader(m, name);
      // Read ours before nats.js decodes (it caches), then compare with nats.js.
      assert.is(got, m.headers?.get(name) ?? '', `message ${i}, ${name}`);
    }
  }
  assert.is(peekHeader(msgs[1], 'Content-Type'), 'application/json');
  assert.is(peekHeader(msgs[2], 'Content-Type'), 'application/msgpack', 'a longer name ending the same is not a match');
  assert.is(peekHeader(msgs[4], 'Type'), 'first', 'the first of repeated values');
  assert.is(peekHeader(msgs[6], 'Content-Type'), '', 'a value that looks like a header is not one');
});

test('without nats.js internals it falls back to msg.headers', () => {
  const h = headers();
  h.set('Content-Type', 'application/json');
  const fake = { headers: h } as unknown as JsMsg;
  assert.is(peekHeader(fake, 'Content-Type'), 'application/json');
  assert.is(peekHeader({ headers: undefined } as unknown as JsMsg, 'Content-Type'), '');
});

test.run();
