import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AckPolicy } from '@nats-io/jetstream';
import { jetstream, JetStreamApiError } from '@nats-io/jetstream';
import { StreamName } from '../../protocol/streams.ts';
import { classifyPublishError } from '../../actors/runtime/publish-events.ts';
import { ingestFixture, type IngestFixture } from './ingest-fixture.ts';

let f: IngestFixture;

test.before(async () => {
  f = await ingestFixture({ MUTT_EVENTS_MAX_MSGS: '3' });
});
test.after(async () => {
  await f?.close();
});

const ev = (i: number) => ({ host: `bp-${i}`, message: `event ${i}` });

/** Consumes (acks) up to n messages, as the alerter would: the work-queue stream frees their slots. */
async function drain(n: number) {
  const js = jetstream(f.nc);
  await f.jsm.consumers.add(StreamName.events, { durable_name: 'drainer', ack_policy: AckPolicy.Explicit });
  const consumer = await js.consumers.get(StreamName.events, 'drainer');
  const batch = await consumer.fetch({ max_messages: n, expires: 1000 });
  for await (const m of batch) await m.ackAck();
  await f.jsm.consumers.delete(StreamName.events, 'drainer');
}

test('a full MUTT_EVENTS answers 503 + Retry-After (v2 and legacy shapes) and accepts again once drained', async () => {
  let res = await f.post('/api/v2/events', [ev(1), ev(2), ev(3)]);
  assert.is(res.status, 202);
  assert.is(await f.messages(), 3);

  res = await f.post('/api/v2/events', ev(4));
  assert.is(res.status, 503);
  assert.is(res.headers.get('retry-after'), '5');
  const body = (await res.json()) as Record<string, unknown>;
  assert.is(body.reason, 'stream_full');
  assert.match(String(body.error), /backlog full/);
  assert.equal(body.stored, []);
  assert.equal(body.failed, [0]);

  res = await f.post('/ingest', { hostname: 'legacy-full', message: 'x', timestamp: '2025-11-12T10:00:00Z' });
  assert.is(res.status, 503);
  assert.is(res.headers.get('retry-after'), '5');
  const legacy = (await res.json()) as Record<string, unknown>;
  assert.is(legacy.status, 'error');
  assert.is(legacy.message, 'Service Unavailable - queue full');
  assert.is(legacy.queue_depth, 3);
  assert.is(legacy.queue_limit, 3);
  assert.is(legacy.retry_after, 5);
  assert.type(legacy.correlation_id, 'string');

  await drain(1);
  assert.is(await f.messages(), 2);
  // One slot left, two events: the answer says which index was stored, so a retry can be exact.
  res = await f.post('/api/v2/events', [ev(5), ev(6)], { 'Idempotency-Key': 'partial-1' });
  assert.is(res.status, 503);
  const partial = (await res.json()) as { stored: number[]; failed: number[]; ids: string[]; accepted: number };
  assert.equal(partial.stored, [0]);
  assert.equal(partial.failed, [1]);
  assert.equal(partial.ids, ['partial-1:0', 'partial-1:1']);
  assert.is(partial.accepted, 1);

  await drain(3);
  assert.is(await f.messages(), 0);
  // The same request retried with the same key: index 0 is a duplicate, index 1 is stored now.
  res = await f.post('/api/v2/events', [ev(5), ev(6)], { 'Idempotency-Key': 'partial-1' });
  assert.is(res.status, 202);
  assert.equal(((await res.json()) as { duplicates: number[] }).duplicates, [0]);
  assert.is(await f.messages(), 1);
  assert.ok((await f.metric('mutt_gateway_events_rejected_total', { reason: 'stream_full' })) >= 3);
});

test('NATS stopped -> 503 + Retry-After at once (v2 and legacy); accepted again after it is back', async () => {
  await f.nats.kill();
  await new Promise((r) => setTimeout(r, 50));
  let res = await f.post('/api/v2/events', ev(10));
  assert.is(res.status, 503);
  assert.is(res.headers.get('retry-after'), '2');
  const body = (await res.json()) as Record<string, unknown>;
  assert.is(body.reason, 'unavailable');
  assert.equal(body.failed, [0]);
  res = await f.post('/ingest', { hostname: 'down', message: 'x' });
  assert.is(res.status, 503);
  const legacy = (await res.json()) as Record<string, unknown>;
  assert.is(legacy.message, 'Service Unavailable - NATS unavailable');
  assert.is(legacy.retry_after, 2);
  const socket = await fetch(`${f.url}/api/v2/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': 'ingest-key-0123456789abcdef' },
    body: JSON.stringify(ev(11)),
  });
  assert.is(socket.status, 503, 'over a real socket too');
  assert.ok((await f.metric('mutt_gateway_events_rejected_total', { reason: 'unavailable' })) >= 3);
  assert.ok(f.logLines.some((l) => l.includes('events not stored')));

  await f.nats.restart();
  const deadline = Date.now() + 10_000;
  for (;;) {
    res = await f.post('/api/v2/events', ev(12));
    if (res.status === 202) break;
    if (Date.now() > deadline) throw new Error(`still ${res.status} after restart`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.is(res.status, 202);
});

test('publish failures are classified: store refused for size -> stream_full, 503 -> unavailable, other API errors -> error', () => {
  assert.is(
    classifyPublishError(new JetStreamApiError({ code: 503, err_code: 10077, description: 'maximum bytes exceeded' })),
    'stream_full',
  );
  assert.is(
    classifyPublishError(new JetStreamApiError({ code: 503, err_code: 10077, description: 'maximum messages exceeded' })),
    'stream_full',
  );
  assert.is(
    classifyPublishError(new JetStreamApiError({ code: 503, err_code: 10008, description: 'JetStream system temporarily unavailable' })),
    'unavailable',
  );
  assert.is(
    classifyPublishError(new JetStreamApiError({ code: 400, err_code: 10054, description: 'message size exceeds maximum allowed' })),
    'error',
  );
  assert.is(classifyPublishError(new Error('TIMEOUT')), 'unavailable');
});

test.run();
