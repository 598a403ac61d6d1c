// The Moogsoft client against the fake Moogsoft over real HTTP on loopback.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMoogClient, deliver, type MoogClient } from '../../actors/forwarder/delivery.ts';
import { classifyOutcome, DeliveryError } from '../../actors/forwarder/classify.ts';
import { CredentialError, Secret } from '../../actors/forwarder/credentials.ts';
import { toMoogPayload } from '../../actors/forwarder/payload.ts';
import { startFakeMoog, type FakeMoog } from '../../bench/fake-moog.ts';
import { configDefaults } from '../../protocol/config-keys.ts';
import { makeAlert } from './alert-fixture.ts';

const KEY = 'moog-test-key-0123456789';
const retry = { retryStatuses: configDefaults().moog_retry_statuses };
const d = configDefaults();
const payload = (id = 'a-1') =>
  toMoogPayload(makeAlert({ id }), { format: 'rest_lam', signature: d.moog_signature, severityMap: d.moog_severity_map, manager: 'MUTT' });

let moog: FakeMoog;
const clients: MoogClient[] = [];
const client = (over: Partial<Parameters<typeof createMoogClient>[0]> = {}) => {
  const c = createMoogClient({ url: `${moog.url}/events`, apiKey: KEY, auth: 'bearer', timeoutMs: 2000, concurrency: 4, ...over });
  clients.push(c);
  return c;
};
async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, DeliveryError);
    return err as DeliveryError;
  }
  throw new Error('expected a DeliveryError');
}

test.before(async () => {
  moog = await startFakeMoog({ apiKey: KEY, auth: 'bearer' });
});
test.before.each(() => moog.reset());
test.after(async () => {
  for (const c of clients) await c.close();
  await moog.close();
});

test('bearer: the event arrives as JSON, and the recorded headers carry no credential', async () => {
  const r = await client().send(payload('a-1'));
  assert.is(r.status, 200);
  assert.equal(classifyOutcome(r, retry), { kind: 'success' });
  assert.match(r.bodyExcerpt, /Processed 1 event/);
  assert.is(r.headers['content-type'], 'application/json');
  const [e] = moog.events();
  assert.is((e.event as { external_id: string }).external_id, 'a-1');
  assert.is(e.path, '/events');
  assert.is(e.headers['content-type'], 'application/json');
  assert.is(e.headers['user-agent'], 'MUTT/3 forwarder');
  assert.not.ok('authorization' in e.headers);
  assert.not.ok(JSON.stringify(moog.events()).includes(KEY));
});

test('auth header forms: apikey and basic against a fake expecting each', async () => {
  const apiMoog = await startFakeMoog({ apiKey: KEY, auth: 'apikey' });
  const basicMoog = await startFakeMoog({ apiKey: KEY, auth: 'basic' });
  try {
    const a = createMoogClient({ url: apiMoog.url, apiKey: new Secret(KEY), auth: 'apikey', timeoutMs: 2000, concurrency: 1 });
    const wrongForm = createMoogClient({ url: apiMoog.url, apiKey: KEY, auth: 'bearer', timeoutMs: 2000, concurrency: 1 });
    const b = createMoogClient({ url: basicMoog.url, apiKey: `mutt:${KEY}`, auth: 'basic', timeoutMs: 2000, concurrency: 1 });
    clients.push(a, wrongForm, b);
    assert.is((await a.send(payload())).status, 200);
    const refused = await wrongForm.send(payload());
    assert.is(refused.status, 401);
    assert.equal(classifyOutcome(refused, retry).kind, 'permanent');
    assert.is((await b.send(payload())).status, 200);
    assert.is(apiMoog.stats().unauthorized, 1);
    assert.is(basicMoog.stats().accepted, 1);
  } finally {
    await apiMoog.close();
    await basicMoog.close();
  }
});

test('a wrong key is a 401 whose excerpt and error never show the key', async () => {
  const r = await client({ apiKey: 'wrong-key-abcdef' }).send(payload());
  assert.is(r.status, 401);
  assert.is(moog.stats().unauthorized, 1);
  const c = classifyOutcome(r, retry);
  assert.ok(c.kind === 'permanent' && c.status === 401);
  assert.not.ok(r.bodyExcerpt.includes('wrong-key-abcdef'));
});

test('basic auth without user:password is refused when the client is created', () => {
  try {
    createMoogClient({ url: moog.url, apiKey: 'no-colon', auth: 'basic', timeoutMs: 1000, concurrency: 1 });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, CredentialError);
  }
  assert.throws(() => createMoogClient({ url: 'ftp://x/', apiKey: 'k', auth: 'bearer', timeoutMs: 1000, concurrency: 1 }), /http\(s\)/);
});

test('a slow Moogsoft times out: the request is aborted and classified retryable', async () => {
  moog.control({ latencyMs: 1500 });
  const started = Date.now();
  const err = await failure(client({ timeoutMs: 100 }).send(payload()));
  assert.is(err.reason, 'timeout');
  assert.is(err.retryable, true);
  assert.ok(Date.now() - started < 1400, 'gave up before the server answered');
  assert.equal(classifyOutcome({ error: err }, retry).kind, 'retry');
  assert.is((classifyOutcome({ error: err }, retry) as { reason: string }).reason, 'timeout');
});

test('connection reset via control: ECONNRESET, retryable; the next request works', async () => {
  moog.control({ reset: 'connection', failNext: 1 });
  const c = client();
  const err = await failure(c.send(payload('r-1')));
  assert.is(err.reason, 'transport');
  assert.is(err.code, 'ECONNRESET');
  assert.equal(classifyOutcome({ error: err }, retry).kind, 'retry');
  assert.is((await c.send(payload('r-2'))).status, 200);
  assert.is(moog.stats().resets, 1);
  assert.is(moog.control({}).reset, null, 'the reset ended with its count');
});

test('a reset on a reused keep-alive socket is retried once on a fresh one', async () => {
  const c = client({ concurrency: 1 });
  assert.is((await c.send(payload('k-1'))).status, 200);
  moog.control({ reset: 'connection', failNext: 1 });
  assert.is((await c.send(payload('k-2'))).status, 200);
  const s = moog.stats();
  assert.is(s.resets, 1);
  assert.is(s.accepted, 2);
  // Resets on every socket: the retry fails too, and the failure surfaces.
  moog.control({ reset: 'connection' });
  const err = await failure(c.send(payload('k-3')));
  assert.is(err.code, 'ECONNRESET');
});

test('nobody listening: ECONNREFUSED, retryable', async () => {
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const c = createMoogClient({ url: `http://127.0.0.1:${port}/`, apiKey: KEY, auth: 'bearer', timeoutMs: 2000, concurrency: 1 });
  clients.push(c);
  const err = await failure(c.send(payload()));
  assert.is(err.code, 'ECONNREFUSED');
  assert.is(err.reason, 'transport');
  const out = await deliver(c, payload(), retry);
  assert.equal(out.classification.kind, 'retry');
  assert.is(out.status, undefined);
});

test('429 with Retry-After reaches the classification', async () => {
  moog.control({ failNext: 1, failStatus: 429, retryAfterSeconds: 3 });
  const out = await deliver(client(), payload(), retry);
  assert.equal(out.classification, { kind: 'retry', reason: 'status', status: 429, detail: 'HTTP 429', retryAfterMs: 3000 });
  assert.is(out.status, 429);
  const ok = await deliver(client(), payload(), retry);
  assert.equal(ok.classification, { kind: 'success' });
});

test('202, 204 and 400 answers', async () => {
  moog.control({ status: 202 });
  assert.equal((await deliver(client(), payload('s-202'), retry)).classification, { kind: 'success' });
  moog.control({ status: 204 });
  const r204 = await deliver(client(), payload('s-204'), retry);
  assert.equal(r204.classification, { kind: 'success' });
  assert.is(r204.response?.bodyExcerpt, '');
  assert.is(moog.stats().accepted, 2, '2xx answers record the event');
  moog.control({ status: 400 });
  const bad = await deliver(client(), payload('s-400'), retry);
  assert.is(bad.classification.kind, 'permanent');
  assert.is(moog.stats().accepted, 2);
});

test('failureRatio fails about that share of requests with the fail status', async () => {
  moog.control({ failureRatio: 0.5 });
  const c = client({ concurrency: 8 });
  const outs = await Promise.all(Array.from({ length: 300 }, (_, i) => deliver(c, payload(`f-${i}`), retry)));
  const failed = outs.filter((o) => o.status === 503).length;
  const ok = outs.filter((o) => o.status === 200).length;
  assert.is(failed + ok, 300);
  assert.ok(failed > 90 && failed < 210, `${failed} of 300 failed`);
  const s = moog.stats();
  assert.is(s.byStatus['503'], failed);
  assert.is(s.accepted, ok);
});

test('keep-alive: many requests share at most `concurrency` connections', async () => {
  const c = client({ concurrency: 4 });
  for (let i = 0; i < 30; i++) assert.is((await c.send(payload(`seq-${i}`))).status, 200);
  await Promise.all(Array.from({ length: 100 }, (_, i) => c.send(payload(`par-${i}`))));
  const s = moog.stats();
  assert.is(s.accepted, 130);
  assert.ok(s.connections <= 4, `${s.connections} connections`);
  assert.is(c.inFlight, 0);
});

test('abort and close', async () => {
  moog.control({ latencyMs: 1000 });
  const ac = new AbortController();
  const c = client();
  const pending = failure(c.send(payload(), { signal: ac.signal }));
  setTimeout(() => ac.abort(), 20);
  const err = await pending;
  assert.is(err.code, 'ABORT_ERR');
  const pre = new AbortController();
  pre.abort();
  assert.is((await failure(c.send(payload(), { signal: pre.signal }))).code, 'ABORT_ERR');
  await c.close();
  assert.is((await failure(c.send(payload()))).code, 'ERR_CLIENT_CLOSED');
});

test('a rotated credential is picked up without a new client', async () => {
  let current = new Secret('old-key-xxxxxx');
  const c = client({ apiKey: { current: () => current } });
  assert.is((await c.send(payload('rot-1'))).status, 401);
  current = new Secret(KEY);
  assert.is((await c.send(payload('rot-2'))).status, 200);
});

test('string payloads are sent verbatim; extra headers are added', async () => {
  const r = await client().send('[{"dedupe_key":"raw-1"}]', { headers: { 'x-correlation-id': 'c-9' } });
  assert.is(r.status, 200);
  const [e] = moog.events();
  assert.is(e.key, 'raw-1');
  assert.is(e.headers['x-correlation-id'], 'c-9');
  assert.is((await client().send(new TextEncoder().encode('{"external_id":"bytes-1"}'))).status, 200);
});

test('an error page echoing the credential is scrubbed and cut to 500 characters', async () => {
  const echo = http.createServer((req, res) => {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(`rejected request with authorization ${req.headers.authorization} ` + 'x'.repeat(100_000));
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  try {
    const c = createMoogClient({
      url: `http://127.0.0.1:${(echo.address() as AddressInfo).port}/`,
      apiKey: KEY,
      auth: 'bearer',
      timeoutMs: 2000,
      concurrency: 1,
    });
    clients.push(c);
    const out = await deliver(c, payload(), retry);
    assert.ok(out.classification.kind === 'permanent');
    if (out.classification.kind !== 'permanent') return;
    assert.not.ok(out.classification.excerpt.includes(KEY));
    assert.ok(out.classification.excerpt.length <= 500);
    assert.match(out.classification.excerpt, /^rejected request with authorization/);
  } finally {
    await new Promise((r) => echo.close(r));
  }
});

test('a body that stalls after the headers still times out as a timeout', async () => {
  const stall = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('{"a":');
  });
  await new Promise<void>((r) => stall.listen(0, '127.0.0.1', r));
  try {
    const c = createMoogClient({
      url: `http://127.0.0.1:${(stall.address() as AddressInfo).port}/`,
      apiKey: KEY,
      auth: 'bearer',
      timeoutMs: 100,
      concurrency: 1,
    });
    clients.push(c);
    const err = await failure(c.send(payload()));
    assert.is(err.reason, 'timeout');
  } finally {
    stall.closeAllConnections();
    await new Promise((r) => stall.close(r));
  }
});

test('a connection dropped mid-body is a transport failure', async () => {
  const half = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write('{"partial":');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  await new Promise<void>((r) => half.listen(0, '127.0.0.1', r));
  try {
    const c = createMoogClient({
      url: `http://127.0.0.1:${(half.address() as AddressInfo).port}/`,
      apiKey: KEY,
      auth: 'bearer',
      timeoutMs: 2000,
      concurrency: 1,
    });
    clients.push(c);
    const err = await failure(c.send(payload()));
    assert.is(err.reason, 'transport');
  } finally {
    half.closeAllConnections();
    await new Promise((r) => half.close(r));
  }
});

test.run();
