import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request as httpRequest } from 'node:http';
import { subjects } from '../../protocol/subjects.ts';
import { LEGACY_SUNSET } from '../../gateway/ingest/routes.ts';
import { ingestFixture, INGEST_KEY, READ_KEY, type IngestFixture } from './ingest-fixture.ts';

let f: IngestFixture;

test.before(async () => {
  f = await ingestFixture({ MUTT_BODY_LIMIT_BYTES: '65536' }, { maxEventsPerRequest: 50 });
});
test.after(async () => {
  await f?.close();
});

// v2.5 conftest fixtures and demo data shapes (MUTT_V25_FACTS §13.10), posted exactly as v2.5 senders did.
const V25_SAMPLES = [
  {
    timestamp: '2025-11-08T12:00:00Z',
    message: 'CRITICAL: System failure detected',
    hostname: 'server-01.example.com',
    program: 'kernel',
    syslog_severity: 2,
    source_ip: '192.168.1.100',
    mutt_type: 'syslog',
  },
  {
    timestamp: '2025-11-08T12:00:00Z',
    message: '192.168.1.50 .1.3.6.1.6.3.1.1.5.3 ifIndex=2 ifAdminStatus=1 ifOperStatus=2',
    hostname: 'localhost',
    program: 'snmptrapd',
    syslog_severity: 4,
    source_ip: '127.0.0.1',
    mutt_type: 'snmp_trap',
  },
  {
    hostname: 'core-router-01.dc1.example.com',
    timestamp: '2025-11-11T16:34:50.1234567Z',
    message: '%BGP-3-NOTIFICATION: sent to neighbor 10.0.0.2 4/0 (hold time expired)',
    syslog_severity: 'Error',
    source_type: 'cisco-ios',
  },
  {
    hostname: 'edge-fw-02.edge.example.com',
    timestamp: '2025-01-15T14:30:22Z',
    message: '%ASA-2-106001: Inbound TCP connection denied',
    syslog_severity: 'Critical',
    source_type: 'cisco-asa',
    trap_oid: '1.3.6.1.4.1.9.9.41.2.0.1',
  },
  {
    source_ip: '192.168.1.77',
    timestamp: '2025-11-11T16:34:39.7000001Z',
    trap_oid: '1.3.6.1.2.1.15.7.0.1',
    variables: ['@{oid=1.3.6.1.2.1.15.3.1.14; value=6}'],
    severity: 'Informational',
  },
  {
    timestamp: '2025-11-12T09:29:58.123+01:00',
    hostname: 'sw1.lab',
    severity: 'warning',
    facility: 'local5',
    message: 'snmptrapd relayed line',
    source: 'snmp',
  },
  { hostname: 'plain.example.com', message: 'minimal TLS template', timestamp: '2025-11-12T09:00:00Z' },
];

test('POST /ingest accepts every v2.5 test-data shape as is: 200 {status:"queued", correlation_id, event_id}', async () => {
  for (const sample of V25_SAMPLES) {
    const res = await f.post('/ingest', sample, { 'X-API-KEY': INGEST_KEY, 'Content-Type': 'application/json' });
    const body = (await res.json()) as Record<string, unknown>;
    assert.is(res.status, 200, JSON.stringify(body));
    assert.is(body.status, 'queued');
    assert.type(body.correlation_id, 'string');
    assert.type(body.event_id, 'string');
    assert.is(res.headers.get('x-correlation-id'), body.correlation_id);
  }
});

test('a legacy event is stored msgpack on mutt.events.<kind>.<host-token> with Nats-Msg-Id, correlation and host headers', async () => {
  const res = await f.post('/ingest', V25_SAMPLES[0], { 'X-Correlation-ID': 'legacy-corr-1' });
  const body = (await res.json()) as { event_id: string; correlation_id: string; queue_depth?: number };
  assert.is(body.correlation_id, 'legacy-corr-1');
  const { event, headers } = await f.lastEvent(subjects.event('syslog', 'server-01.example.com'));
  assert.is(event.id, body.event_id);
  assert.is(event.correlationId, 'legacy-corr-1');
  assert.is(event.severity, 2);
  assert.is(event.message, 'CRITICAL: System failure detected');
  assert.is(headers['Nats-Msg-Id'], body.event_id);
  assert.is(headers['Mutt-Correlation-Id'], 'legacy-corr-1');
  assert.is(headers['Mutt-Host'], 'server-01.example.com');
  const trap = await f.lastEvent(subjects.event('trap', '192.168.1.77'));
  assert.is(trap.event.kind, 'trap');
  assert.is(trap.event.trapOid, '.1.3.6.1.2.1.15.7.0.1');
  const res2 = await f.post('/ingest', V25_SAMPLES[6]);
  const body2 = (await res2.json()) as { queue_depth?: number };
  assert.type(body2.queue_depth, 'number', 'queue_depth once the backlog was read');
});

test('legacy errors keep v2.5 shape: 401 Unauthorized, 400 Missing required fields / Invalid JSON', async () => {
  let res = await f.post('/ingest', V25_SAMPLES[0], { 'X-API-Key': '' });
  assert.is(res.status, 401);
  let body = (await res.json()) as Record<string, unknown>;
  assert.equal(Object.keys(body).sort(), ['correlation_id', 'error', 'message', 'status']);
  assert.is(body.status, 'error');
  assert.is(body.message, 'Unauthorized');
  assert.is(body.error, 'missing API key');
  assert.is(res.headers.get('x-correlation-id'), body.correlation_id);
  res = await f.post('/ingest', { message: 'no host', timestamp: '2025-01-01T00:00:00Z' });
  assert.is(res.status, 400);
  body = (await res.json()) as Record<string, unknown>;
  assert.is(body.status, 'error');
  assert.is(body.message, 'Missing required fields: [hostname]');
  res = await f.post('/ingest', '{"hostname": "x", ');
  assert.is(res.status, 400);
  body = (await res.json()) as Record<string, unknown>;
  assert.match(String(body.message), /^Invalid JSON: /);
  res = await f.post('/ingest', { hostname: 'h', message: 'm', timestamp: 'whenever' });
  body = (await res.json()) as Record<string, unknown>;
  assert.is(body.message, 'Invalid event: timestamp: unrecognised time: use ISO 8601, epoch seconds or milliseconds, or RFC 3164');
  res = await f.post('/ingest', V25_SAMPLES[0], { 'X-API-Key': READ_KEY });
  assert.is(res.status, 403);
  assert.is(((await res.json()) as Record<string, unknown>).message, 'Forbidden');
});

test('legacy route takes rsyslog omhttp batches (newline-separated objects) in one request', async () => {
  const batch = [V25_SAMPLES[2], { hostname: 'x' }, V25_SAMPLES[3]].map((o) => JSON.stringify(o)).join('\n');
  const res = await f.post('/ingest', batch, { 'Content-Type': 'text/plain' });
  const body = (await res.json()) as { accepted: number; rejected: number; event_ids: (string | null)[]; errors: { index: number }[] };
  assert.is(res.status, 200);
  assert.is(body.accepted, 2);
  assert.is(body.rejected, 1);
  assert.is(body.event_ids[1], null);
  assert.is(body.errors[0].index, 1);
});

test('/api/v1/ingest is /ingest plus deprecation headers, on success and on error', async () => {
  for (const key of [INGEST_KEY, 'bad-key-0123456789abcdef']) {
    const res = await f.post('/api/v1/ingest', V25_SAMPLES[6], { 'X-API-Key': key });
    assert.is(res.status, key === INGEST_KEY ? 200 : 401);
    assert.is(res.headers.get('deprecation'), 'true');
    assert.is(res.headers.get('sunset'), LEGACY_SUNSET);
    assert.is(res.headers.get('x-api-deprecated'), 'true');
    assert.is(res.headers.get('link'), '</api/v2/events>; rel="successor-version"');
    assert.is(((await res.json()) as { status: string }).status, key === INGEST_KEY ? 'queued' : 'error');
  }
  const v2 = await f.post('/api/v2/events', V25_SAMPLES[6]);
  assert.is(v2.headers.get('deprecation'), null);
});

test('v2 single object -> 202 with the id; X-Correlation-ID honoured or generated and echoed', async () => {
  let res = await f.post(
    '/api/v2/events',
    { host: 'v2-single.example.com', message: 'hello', severity: 'err' },
    { 'X-Correlation-ID': 'my-corr' },
  );
  assert.is(res.status, 202);
  assert.is(res.headers.get('x-correlation-id'), 'my-corr');
  const body = (await res.json()) as { accepted: number; rejected: number; duplicates: number[]; ids: string[]; errors: unknown[] };
  assert.equal({ ...body, ids: body.ids.length }, { accepted: 1, rejected: 0, duplicates: [], ids: 1, errors: [] });
  const { event } = await f.lastEvent(subjects.event('syslog', 'v2-single.example.com'));
  assert.is(event.id, body.ids[0]);
  assert.is(event.correlationId, 'my-corr');
  assert.is(event.severity, 3);
  res = await f.post('/api/v2/events', { host: 'v2-single.example.com', message: 'hello' }, { 'X-Correlation-ID': 'bad id with spaces' });
  assert.match(res.headers.get('x-correlation-id') ?? '', /^[0-9a-f-]{36}$/);
});

test('v2 array: invalid items rejected individually with index and path, the rest stored', async () => {
  const before = await f.messages();
  const res = await f.post('/api/v2/events', [
    { host: 'arr-1', message: 'ok 1' },
    { host: 'arr-2' },
    'not an object',
    { host: 'arr-3', message: 'ok 2', trapOid: 'x.y' },
    { host: 'arr-4', message: 'ok 3', fields: { site: 'dc1' } },
  ]);
  assert.is(res.status, 202);
  const body = (await res.json()) as {
    accepted: number;
    rejected: number;
    ids: (string | null)[];
    errors: { index: number; issues: { path: string; message: string }[] }[];
  };
  assert.is(body.accepted, 2);
  assert.is(body.rejected, 3);
  assert.equal(
    body.ids.map((x) => x !== null),
    [true, false, false, false, true],
  );
  assert.equal(body.errors, [
    { index: 1, issues: [{ path: 'message', message: 'required' }] },
    { index: 2, issues: [{ path: '', message: 'expected a JSON object' }] },
    { index: 3, issues: [{ path: 'trapOid', message: 'not a dotted-decimal OID' }] },
  ]);
  assert.is(await f.messages(), before + 2);
});

test('v2 NDJSON: one event per line, a bad line is an item error', async () => {
  const lines = [
    '{"host":"nd-1","message":"a"}',
    '',
    '{"host":"nd-2","message":"b","kind":"trap","trapOid":"1.3.6.1.6.3.1.1.5.1","varbinds":[]}',
    '{broken',
    '{"host":"nd-3","message":"c"}',
  ].join('\n');
  const res = await f.post('/api/v2/events', lines, { 'Content-Type': 'application/x-ndjson' });
  assert.is(res.status, 202);
  const body = (await res.json()) as { accepted: number; errors: { index: number; issues: { message: string }[] }[] };
  assert.is(body.accepted, 3);
  assert.is(body.errors.length, 1);
  assert.is(body.errors[0].index, 2);
  assert.match(body.errors[0].issues[0].message, /invalid JSON/);
  const trap = await f.lastEvent(subjects.event('trap', 'nd-2'));
  assert.is(trap.event.kind, 'trap');
});

test('v2 all invalid -> 400 {error, issues, errors}; 415 for other content types; 400 for a bad Idempotency-Key', async () => {
  let res = await f.post('/api/v2/events', { host: '' });
  assert.is(res.status, 400);
  let body = (await res.json()) as Record<string, unknown>;
  assert.is(body.error, 'no valid events');
  assert.equal(body.issues, [
    { path: 'host', message: 'must not be empty' },
    { path: 'message', message: 'required' },
  ]);
  assert.equal(body.errors, [{ index: 0, issues: body.issues }]);
  res = await f.post('/api/v2/events', [{}, {}]);
  assert.is(res.status, 400);
  body = (await res.json()) as Record<string, unknown>;
  assert.is(body.issues, undefined);
  assert.is((body.errors as unknown[]).length, 2);
  res = await f.post('/api/v2/events', '<xml/>', { 'Content-Type': 'application/xml' });
  assert.is(res.status, 415);
  res = await f.post('/api/v2/events', { host: 'h', message: 'm' }, { 'Idempotency-Key': 'has space' });
  assert.is(res.status, 400);
  assert.match(((await res.json()) as { error: string }).error, /Idempotency-Key/);
  res = await f.post('/api/v2/events', '[]');
  assert.is(res.status, 400);
});

test('413: declared too large, streamed too large over a real socket, too many events', async () => {
  let res = await f.post('/api/v2/events', JSON.stringify({ host: 'h', message: 'x'.repeat(70_000) }));
  assert.is(res.status, 413);
  assert.equal(await res.json(), { error: 'request body exceeds 65536 bytes', exceeded: 'bytes', limit: 65536 });
  const many = Array.from({ length: 51 }, (_, i) => ({ host: 'h', message: `m${i}` }));
  res = await f.post('/api/v2/events', many);
  assert.is(res.status, 413);
  res = await f.post('/ingest', JSON.stringify({ hostname: 'h', message: 'x'.repeat(70_000) }));
  assert.is(res.status, 413);
  assert.match(((await res.json()) as { message: string }).message, /Payload Too Large/);

  // Chunked upload with no Content-Length that would go on for 64 MB: the server must answer 413 while the
  // client is still sending (a server that buffered the whole body first could only answer after the end).
  const { status, body, answeredBeforeEnd } = await new Promise<{ status: number; body: string; answeredBeforeEnd: boolean }>(
    (resolve, reject) => {
      let sent = 0;
      let ended = false;
      let answered = false;
      const req = httpRequest(
        `${f.url}/api/v2/events`,
        { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-API-Key': INGEST_KEY, 'Transfer-Encoding': 'chunked' } },
        (r) => {
          answered = true;
          const beforeEnd = !ended;
          let text = '';
          r.on('data', (d) => (text += d));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body: text, answeredBeforeEnd: beforeEnd }));
        },
      );
      req.on('error', (err) => (answered ? undefined : reject(err)));
      req.write('{"host":"h","message":"');
      const chunk = 'y'.repeat(16_384);
      const pump = () => {
        if (answered) return;
        if (sent > 64 * 1024 * 1024) {
          ended = true;
          return req.end('"}');
        }
        sent += chunk.length;
        if (req.write(chunk)) setImmediate(pump);
        else req.once('drain', pump);
      };
      pump();
    },
  );
  assert.is(status, 413);
  assert.match(body, /exceeds 65536 bytes/);
  assert.ok(answeredBeforeEnd, 'answered while the upload was still running');
  const after = await fetch(`${f.url}/api/v2/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': INGEST_KEY },
    body: JSON.stringify({ host: 'after-413', message: 'still serving' }),
  });
  assert.is(after.status, 202);
});

test('Idempotency-Key: a retried batch is stored once and answered with duplicates', async () => {
  const batch = [
    { host: 'idem-1', message: 'a' },
    { host: 'idem-2', message: 'b' },
    { host: 'idem-3', message: 'c' },
  ];
  const before = await f.messages();
  const first = await f.post('/api/v2/events', batch, { 'Idempotency-Key': 'batch-0001' });
  const b1 = (await first.json()) as { ids: string[]; duplicates: number[] };
  assert.is(first.status, 202);
  assert.equal(b1.ids, ['batch-0001:0', 'batch-0001:1', 'batch-0001:2']);
  assert.equal(b1.duplicates, []);
  const retry = await f.post('/api/v2/events', batch, { 'Idempotency-Key': 'batch-0001' });
  const b2 = (await retry.json()) as { accepted: number; duplicates: number[] };
  assert.is(retry.status, 202);
  assert.is(b2.accepted, 3);
  assert.equal(b2.duplicates, [0, 1, 2]);
  assert.is(await f.messages(), before + 3, 'stored once');
  const perEvent = { host: 'idem-4', message: 'd', id: 'sender-event-77' };
  await f.post('/api/v2/events', perEvent);
  const again = await f.post('/api/v2/events', [perEvent]);
  assert.equal(((await again.json()) as { duplicates: number[] }).duplicates, [0]);
  assert.is(await f.messages(), before + 4);
  const legacy = await f.post('/ingest', { hostname: 'idem-5', message: 'e' }, { 'Idempotency-Key': 'legacy-1' });
  const legacyAgain = await f.post('/ingest', { hostname: 'idem-5', message: 'e' }, { 'Idempotency-Key': 'legacy-1' });
  assert.is(((await legacy.json()) as { event_id: string }).event_id, 'legacy-1:0');
  assert.is(((await legacyAgain.json()) as { duplicates: number }).duplicates, 1);
  assert.is(await f.messages(), before + 5);
  assert.is(await f.metric('mutt_gateway_events_duplicate_total', { input: 'http' }), 5);
});

test('per-key rate limit, read live from config: 429 + Retry-After, legacy retry_after; 0 turns it off', async () => {
  await f.setConfig({ ingest_rate_limit: 5, ingest_rate_window_seconds: 60 });
  try {
    const ok = await f.post(
      '/api/v2/events',
      Array.from({ length: 4 }, (_, i) => ({ host: 'rl', message: `m${i}` })),
    );
    assert.is(ok.status, 202);
    const over = await f.post('/api/v2/events', [
      { host: 'rl', message: 'x' },
      { host: 'rl', message: 'y' },
    ]);
    assert.is(over.status, 429);
    const retry = Number(over.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60);
    assert.match(((await over.json()) as { error: string }).error, /key 'sender' may send 5 events per 60 s/);
    const legacy = await f.post('/ingest', [
      { hostname: 'rl', message: 'x' },
      { hostname: 'rl', message: 'y' },
    ]);
    assert.is(legacy.status, 429);
    const lb = (await legacy.json()) as Record<string, unknown>;
    assert.is(lb.message, 'Too Many Requests - rate limit exceeded');
    assert.type(lb.retry_after, 'number');
    const invalid = await f.post('/api/v2/events', [{}, {}, {}]);
    assert.is(invalid.status, 400, 'invalid items do not use the budget and are not rate limited');
    await f.setConfig({ ingest_rate_limit: 0 });
    assert.is(
      (
        await f.post('/api/v2/events', [
          { host: 'rl', message: 'z' },
          { host: 'rl', message: 'w' },
        ])
      ).status,
      202,
    );
  } finally {
    await f.setConfig({ ingest_rate_limit: 0 });
  }
});

test('metrics: accepted / rejected by reason, request duration by route and status', async () => {
  const accepted = await f.metric('mutt_gateway_events_accepted_total', { input: 'http' });
  await f.post('/api/v2/events', [{ host: 'm1', message: 'a' }, { host: 'm2' }]);
  assert.is(await f.metric('mutt_gateway_events_accepted_total', { input: 'http' }), accepted + 1);
  assert.ok((await f.metric('mutt_gateway_events_rejected_total', { input: 'http', reason: 'invalid' })) >= 1);
  assert.ok((await f.metric('mutt_gateway_events_rejected_total', { reason: 'too_large' })) >= 3);
  assert.ok((await f.metric('mutt_gateway_events_rejected_total', { reason: 'unsupported_media_type' })) >= 1);
  assert.ok((await f.metric('mutt_gateway_events_rejected_total', { reason: 'rate_limited' })) >= 2);
  const h = (await f.registry.getSingleMetric('mutt_gateway_request_duration_seconds')!.get()).values;
  const count = (route: string, status: string) =>
    h.find(
      (v) =>
        (v as { metricName?: string }).metricName === 'mutt_gateway_request_duration_seconds_count' &&
        v.labels.route === route &&
        v.labels.status === status,
    )?.value ?? 0;
  assert.ok(count('/api/v2/events', '202') >= 5);
  assert.ok(count('/ingest', '200') >= 7);
  assert.ok(count('/ingest', '401') >= 1, 'refused requests are timed too');
  assert.ok(count('/api/v1/ingest', '200') >= 1);
  assert.ok((await f.metric('mutt_gateway_auth_failures_total', { reason: 'missing' })) >= 1);
});

test('ingest counters: accepted events are readable per minute after a flush, shared through KV', async () => {
  await f.counters.flush();
  const minute = Math.floor(Date.now() / 60_000);
  const before = (await f.counters.series(minute - 1, minute + 1)).reduce((s, m) => s + m.count, 0);
  const res = await f.post(
    '/api/v2/events',
    Array.from({ length: 7 }, (_, i) => ({ host: 'cnt', message: `m${i}` })),
  );
  assert.is(res.status, 202);
  assert.is(f.counters.pending(), 7);
  await f.counters.flush();
  const after = (await f.counters.series(minute - 1, minute + 1)).reduce((s, m) => s + m.count, 0);
  assert.is(after - before, 7);
  const dup = await f.post('/api/v2/events', [
    { host: 'cnt', message: 'x', id: 'cnt-once' },
    { host: 'cnt', message: 'x', id: 'cnt-once' },
  ]);
  assert.is(dup.status, 202);
  assert.is(f.counters.pending(), 1, 'duplicates are not counted twice');
});

test('over a real socket: legacy post with curl-like headers, peer address recorded on the event', async () => {
  const res = await fetch(`${f.url}/ingest`, {
    method: 'POST',
    headers: { 'X-API-KEY': INGEST_KEY, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: JSON.stringify({ hostname: 'socket-host', message: 'via curl -d', timestamp: '2025-11-12T10:00:00Z' }),
  });
  assert.is(res.status, 200);
  const { event } = await f.lastEvent(subjects.event('syslog', 'socket-host'));
  assert.match(event.source.address ?? '', /127\.0\.0\.1/);
  assert.not.ok(f.logLines.join('').includes(INGEST_KEY), 'API key never logged');
});

test.run();
