// The generic pieces the ingest routes are built from, each on its own: error rendering, body limit,
// request metrics, the per-key rate limiter.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { errorBody, errorRenderer, errorStyle, httpError } from '../../gateway/http-error.ts';
import { bodyLimit, readBodyLimited } from '../../gateway/middleware/body-limit.ts';
import { correlationId } from '../../gateway/middleware/correlation.ts';
import { requestMetrics } from '../../gateway/middleware/request-metrics.ts';
import { remoteAddress } from '../../gateway/middleware/context.ts';
import { KeyRateLimiter } from '../../gateway/ingest/rate-limit.ts';

test('errors render in one place: api style, legacy style, plain HTTPException, unexpected error -> 500 without details', async () => {
  const lines: string[] = [];
  const app = new Hono();
  app.onError(errorRenderer(pino({}, { write: (s: string) => void lines.push(s) })));
  app.get('/api', correlationId(), () => {
    throw httpError(422, { message: 'bad', issues: [{ path: 'a', message: 'b' }], headers: { 'X-Extra': '1' }, body: { n: 1 } });
  });
  app.get('/legacy', errorStyle('legacy'), correlationId(), () => {
    throw httpError(503, { message: 'down', legacyMessage: 'Service Unavailable', legacy: { retry_after: 2 } });
  });
  app.get('/plain', () => {
    throw new HTTPException(418, { message: 'teapot' });
  });
  app.get('/bug', errorStyle('legacy'), () => {
    throw new TypeError('secret internals');
  });
  let res = await app.request('/api', { headers: { 'X-Correlation-ID': 'c1' } });
  assert.is(res.status, 422);
  assert.is(res.headers.get('x-extra'), '1');
  assert.is(res.headers.get('x-correlation-id'), 'c1');
  assert.equal(await res.json(), { error: 'bad', issues: [{ path: 'a', message: 'b' }], n: 1 });
  res = await app.request('/legacy', { headers: { 'X-Correlation-ID': 'c2' } });
  assert.equal(await res.json(), { status: 'error', message: 'Service Unavailable', correlation_id: 'c2', retry_after: 2 });
  res = await app.request('/plain');
  assert.is(res.status, 418);
  assert.equal(await res.json(), { error: 'teapot' });
  res = await app.request('/bug');
  assert.is(res.status, 500);
  assert.equal(await res.json(), { status: 'error', message: 'internal error', correlation_id: null });
  assert.ok(
    lines.some((l) => l.includes('secret internals')),
    'the bug is logged',
  );
  assert.equal(errorBody(new HTTPException(400, { message: 'x' }), 'legacy', undefined), {
    status: 'error',
    message: 'x',
    correlation_id: null,
  });
});

test('bodyLimit middleware: body under the cap reaches the handler, over it 413, unreadable body 400', async () => {
  const app = new Hono();
  app.onError(errorRenderer());
  app.post('/x', bodyLimit({ maxBytes: 10 }), (c) => c.json({ n: (c.get('rawBody' as never) as Uint8Array).length }));
  assert.equal(await (await app.request('/x', { method: 'POST', body: '12345' })).json(), { n: 5 });
  assert.equal(await (await app.request('/x', { method: 'POST' })).json(), { n: 0 });
  assert.is((await app.request('/x', { method: 'POST', body: '12345678901' })).status, 413);
  const broken = new ReadableStream<Uint8Array>({
    pull(ctl) {
      ctl.error(new Error('client went away'));
    },
  });
  const req = new Request('http://x/x', { method: 'POST', body: broken, duplex: 'half' } as RequestInit);
  try {
    await readBodyLimited({ req: { raw: req }, env: undefined }, 10);
    assert.unreachable();
  } catch (err) {
    assert.is((err as HTTPException).status, 400);
  }
  const multi = new ReadableStream<Uint8Array>({
    start(ctl) {
      ctl.enqueue(new Uint8Array([1, 2]));
      ctl.enqueue(new Uint8Array([3]));
      ctl.close();
    },
  });
  assert.equal(
    [
      ...(await readBodyLimited(
        { req: { raw: new Request('http://x/', { method: 'POST', body: multi, duplex: 'half' } as RequestInit) }, env: undefined },
        3,
      )),
    ],
    [1, 2, 3],
  );
});

test('requestMetrics labels the matched route pattern, never the raw path', async () => {
  const registry = new Registry();
  const app = new Hono();
  app.use(requestMetrics(registry));
  app.get('/items/:id', (c) => c.text('ok'));
  await app.request('/items/123');
  await app.request('/items/456');
  const values = (await registry.getSingleMetric('mutt_gateway_request_duration_seconds')!.get()).values;
  const count = values.find((v) => (v as { metricName?: string }).metricName === 'mutt_gateway_request_duration_seconds_count');
  assert.equal(count?.labels, { route: '/items/:id', status: '200' });
  assert.is(count?.value, 2);
});

test('remoteAddress reads the node-server socket and is undefined elsewhere', () => {
  assert.is(remoteAddress({ env: { incoming: { socket: { remoteAddress: '10.1.1.1' } } } }), '10.1.1.1');
  assert.is(remoteAddress({ env: { server: { incoming: { socket: { remoteAddress: '::1' } } } } }), '::1');
  assert.is(remoteAddress({ env: undefined }), undefined);
});

test('rate limiter: sliding window per key, previous window weighs in, window change resets, 0 = off', () => {
  let now = 60_000 * 1000; // start of a window
  const rl = new KeyRateLimiter(() => now);
  const cfg = { limit: 10, windowSeconds: 60 };
  assert.equal(rl.take('a', 10, cfg), { ok: true });
  assert.equal(rl.take('a', 1, cfg), { ok: false, retryAfterSeconds: 60 });
  assert.equal(rl.take('b', 10, cfg), { ok: true }, 'keys are independent');
  now += 60_000 + 30_000; // half-way through the next window: 10 * 0.5 = 5 still count
  assert.equal(rl.take('a', 5, cfg), { ok: true });
  assert.equal(rl.take('a', 1, cfg), { ok: false, retryAfterSeconds: 30 });
  now += 120_000; // two windows later: nothing counts
  assert.equal(rl.take('a', 10, cfg), { ok: true });
  assert.equal(rl.take('a', 1, { limit: 10, windowSeconds: 30 }), { ok: true }, 'a new window length starts afresh');
  assert.equal(rl.take('a', 1000, { limit: 0, windowSeconds: 60 }), { ok: true });
  assert.equal(rl.take('c', 11, cfg).ok, false, 'a batch larger than the limit never fits');
});

test.run();

test("bodyLimit over a real socket reads node's stream: chunked bodies under the cap arrive whole, over it 413, an aborted upload leaves the server serving", async () => {
  const { serve } = await import('@hono/node-server');
  const http = await import('node:http');
  const app = new Hono();
  app.onError(errorRenderer());
  app.post('/x', bodyLimit({ maxBytes: 1000 }), (c) =>
    c.json({
      n: (c.get('rawBody' as never) as Uint8Array).length,
      text: Buffer.from(c.get('rawBody' as never) as Uint8Array)
        .toString('utf8')
        .slice(0, 5),
    }),
  );
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as { port: number }).port;
  // Chunked (no Content-Length): only the streaming cap can refuse it.
  const post = (chunks: string[], abortAfter?: number) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/x', method: 'POST', headers: { 'transfer-encoding': 'chunked' } },
        (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      chunks.forEach((c, i) => {
        req.write(c);
        if (abortAfter === i) req.destroy();
      });
      if (abortAfter === undefined) req.end();
    });
  try {
    const ok = await post(['hello', ' ', 'x'.repeat(500)]);
    assert.is(ok.status, 200);
    assert.equal(JSON.parse(ok.body), { n: 506, text: 'hello' });
    const big = await post(['a'.repeat(600), 'b'.repeat(600), 'c'.repeat(600), 'd'.repeat(2_000_000)]);
    assert.is(big.status, 413);
    assert.match(big.body, /exceeds 1000 bytes/);
    await post(['partial'], 0).then(
      () => assert.unreachable('an aborted request has no answer'),
      (err: Error) => assert.ok(err),
    );
    const after = await post(['still', ' serving']);
    assert.is(after.status, 200);
    assert.equal(JSON.parse(after.body), { n: 13, text: 'still' });
  } finally {
    await new Promise((r) => server.close(r));
  }
});
