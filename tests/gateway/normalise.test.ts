import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { normaliseHttpEvent, RAW_MAX_CHARS, type NormaliseContext } from '../../gateway/ingest/normalise.ts';
import { parseEventTime } from '../../gateway/ingest/time.ts';
import { parseBody } from '../../gateway/ingest/parse-body.ts';
import { INGEST_BODY_LIMITS } from '../../gateway/body-limits.ts';
import { ApiHttpError } from '../../gateway/http-error.ts';

const receivedAt = Date.UTC(2025, 10, 12, 9, 30, 0);
const ctx: NormaliseContext = { receivedAt, correlationId: 'corr-1', address: '10.0.0.9' };

function ok(body: unknown, c: Partial<NormaliseContext> = {}) {
  const r = normaliseHttpEvent(body, { ...ctx, ...c });
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.issues)}`);
  return r.event;
}
function bad(body: unknown, c: Partial<NormaliseContext> = {}) {
  const r = normaliseHttpEvent(body, { ...ctx, ...c });
  if (r.ok) throw new Error(`expected issues, got ${JSON.stringify(r.event)}`);
  return r.issues;
}

// ---- v2.5 test data shapes (MUTT_V25_FACTS §13.10) ----

test('v2.5 conftest sample_syslog_message is accepted as is', () => {
  const e = ok(
    {
      timestamp: '2025-11-08T12:00:00Z',
      message: 'CRITICAL: System failure detected',
      hostname: 'server-01.example.com',
      program: 'kernel',
      syslog_severity: 2,
      source_ip: '192.168.1.100',
      mutt_type: 'syslog',
    },
    { dialect: 'legacy' },
  );
  assert.is(e.kind, 'syslog');
  assert.is(e.host, 'server-01.example.com');
  assert.is(e.message, 'CRITICAL: System failure detected');
  assert.is(e.severity, 2);
  assert.is(e.time, Date.UTC(2025, 10, 8, 12));
  assert.is(e.receivedAt, receivedAt);
  assert.equal(e.source, { input: 'http', address: '10.0.0.9' });
  if (e.kind !== 'syslog') throw new Error('kind');
  assert.is(e.appName, 'kernel');
  assert.is(e.parse, 'json');
  assert.equal(e.fields, { source_ip: '192.168.1.100', mutt_type: 'syslog' });
  assert.is(e.correlationId, 'corr-1');
  assert.ok(e.raw?.includes('System failure'));
});

test('v2.5 sample_snmp_trap (syslog relayed from snmptrapd, no trap_oid) stays syslog', () => {
  const e = ok(
    {
      timestamp: '2025-11-08T12:00:00Z',
      message: '192.168.1.50 .1.3.6.1.6.3.1.1.5.3 ifIndex=2 ifAdminStatus=1 ifOperStatus=2',
      hostname: 'localhost',
      program: 'snmptrapd',
      syslog_severity: 4,
      source_ip: '127.0.0.1',
      mutt_type: 'snmp_trap',
    },
    { dialect: 'legacy' },
  );
  assert.is(e.kind, 'syslog');
  assert.is(e.severity, 4);
  assert.is(e.trapOid, undefined);
});

test('demo_syslog_events: 7 fractional digits, severity names, source_type kept', () => {
  const e = ok(
    {
      hostname: 'core-router-01.dc1.example.com',
      timestamp: '2025-11-11T16:34:50.1234567Z',
      message: '%LINEPROTO-5-UPDOWN: Line protocol on Interface Gi0/1, changed state to down',
      syslog_severity: 'Notice',
      source_type: 'cisco-ios',
    },
    { dialect: 'legacy' },
  );
  assert.is(e.time, Date.UTC(2025, 10, 11, 16, 34, 50, 123));
  assert.is(e.severity, 5);
  assert.equal(e.fields, { source_type: 'cisco-ios' });
});

test('test_data_syslog_events with a trap_oid without leading dot: syslog with normalised trapOid', () => {
  const e = ok(
    {
      hostname: 'edge-fw-02.edge.example.com',
      timestamp: '2025-01-15T14:30:22Z',
      message: 'link down',
      syslog_severity: 'Alert',
      source_type: 'cisco-asa',
      trap_oid: '1.3.6.1.4.1.9.2.2.1.1.0',
    },
    { dialect: 'legacy' },
  );
  assert.is(e.kind, 'syslog');
  assert.is(e.trapOid, '.1.3.6.1.4.1.9.2.2.1.1.0');
  assert.is(e.severity, 1);
});

test('demo_snmp_traps record (no hostname, no message) becomes a trap from its source address', () => {
  const e = ok(
    {
      source_ip: '192.168.1.23',
      timestamp: '2025-11-11T16:34:39.7123456Z',
      trap_oid: '1.3.6.1.6.3.1.1.5.3',
      variables: ['@{oid=1.3.6.1.2.1.2.2.1.1; value=2}', '@{oid=1.3.6.1.2.1.2.2.1.8; value=down}'],
      severity: 'Major',
    },
    { dialect: 'legacy' },
  );
  if (e.kind !== 'trap') throw new Error('expected trap');
  assert.is(e.host, '192.168.1.23');
  assert.is(e.agentAddress, '192.168.1.23');
  assert.is(e.trapOid, '.1.3.6.1.6.3.1.1.5.3');
  assert.is(e.severity, 3);
  assert.equal(e.varbinds, [
    { oid: '.1.3.6.1.2.1.2.2.1.1', type: 'unknown', value: '2' },
    { oid: '.1.3.6.1.2.1.2.2.1.8', type: 'unknown', value: 'down' },
  ]);
  assert.is(e.message, '192.168.1.23 .1.3.6.1.6.3.1.1.5.3 .1.3.6.1.2.1.2.2.1.1=2 .1.3.6.1.2.1.2.2.1.8=down');
  assert.is(e.version, 'unknown');
});

test('rsyslog v2.5 template: severity and facility as text, source string kept in fields', () => {
  const e = ok(
    {
      timestamp: '2025-11-12T09:29:58.123+01:00',
      hostname: 'sw1',
      severity: 'warning',
      facility: 'local5',
      message: ' %LINK-3-UPDOWN: down',
      source: 'snmp',
    },
    { dialect: 'legacy' },
  );
  assert.is(e.severity, 4);
  assert.is(e.facility, 'local5');
  assert.is(e.message, ' %LINK-3-UPDOWN: down');
  assert.is(e.time, Date.UTC(2025, 10, 12, 8, 29, 58, 123));
  assert.equal(e.fields, { source: 'snmp' });
});

// ---- v2 names ----

test('v2 names: host, time (epoch ms), severity number, trapOid, id, correlationId, fields object', () => {
  const e = ok({
    host: 'R1.Example.com ',
    message: 'up',
    time: 1762603200000,
    severity: 3,
    trapOid: '.1.3.6.1.2',
    id: 'evt-42',
    correlationId: 'c-9',
    fields: { site: 'dc1' },
    extra: 1,
  });
  assert.is(e.host, 'R1.Example.com');
  assert.is(e.time, 1762603200000);
  assert.is(e.severity, 3);
  assert.is(e.id, 'evt-42');
  assert.is(e.correlationId, 'c-9');
  assert.equal(e.fields, { extra: 1, site: 'dc1' });
});

test('the shape deploy/snmptrapd/mutt-traphandle posts is a trap with its own message and agent address', () => {
  const e = ok({
    kind: 'trap',
    hostname: '10.0.0.1',
    message: 'linkDown from 10.0.0.1: ifIndex=2 ifDescr="Gi0/2"',
    timestamp: '2025-11-12T09:30:00.000Z',
    source: 'snmptrapd',
    varbinds: [
      { oid: '.1.3.6.1.2.1.1.3.0', value: '0:0:16:48.72' },
      { oid: '.1.3.6.1.2.1.2.2.1.1.2', value: 2 },
    ],
    trap_oid: '.1.3.6.1.6.3.1.1.5.3',
    agent_address: '10.0.0.1',
  });
  if (e.kind !== 'trap') throw new Error('expected trap');
  assert.is(e.host, '10.0.0.1');
  assert.is(e.agentAddress, '10.0.0.1');
  assert.is(e.message, 'linkDown from 10.0.0.1: ifIndex=2 ifDescr="Gi0/2"');
  assert.is(e.varbinds.length, 2);
  assert.equal(e.fields, { source: 'snmptrapd' });
});

test('explicit kind trap with varbind objects, version, enterprise, generic/specific', () => {
  const e = ok({
    kind: 'trap',
    host: 'sw2',
    trapOid: '1.3.6.1.6.3.1.1.5.4',
    version: '2c',
    enterprise: '1.3.6.1.4.1.9',
    genericTrap: '6',
    specificTrap: 1,
    varbinds: [
      { oid: '1.3.6.1.2.1.1.3.0', type: 'TimeTicks', value: 12345 },
      { oid: 'ifDescr', value: { nested: true } },
    ],
  });
  if (e.kind !== 'trap') throw new Error('expected trap');
  assert.is(e.version, 'v2c');
  assert.is(e.enterprise, '.1.3.6.1.4.1.9');
  assert.is(e.genericTrap, 6);
  assert.is(e.specificTrap, 1);
  assert.equal(e.varbinds[0], { oid: '.1.3.6.1.2.1.1.3.0', type: 'TimeTicks', value: 12345 });
  assert.equal(e.varbinds[1], { oid: 'ifDescr', type: 'unknown', value: '{"nested":true}' });
  assert.is(e.message, 'sw2 .1.3.6.1.6.3.1.1.5.4 .1.3.6.1.2.1.1.3.0=12345 ifDescr={"nested":true}');
});

test('ids: item id wins over the idempotency id; legacy keeps id as data; else a UUID', () => {
  assert.is(ok({ host: 'h', message: 'm', id: 7 }, { id: 'key:0' }).id, '7');
  assert.is(ok({ host: 'h', message: 'm' }, { id: 'key:3' }).id, 'key:3');
  const legacy = ok({ hostname: 'h', message: 'm', id: 7 }, { dialect: 'legacy', id: 'key:1' });
  assert.is(legacy.id, 'key:1');
  assert.equal(legacy.fields, { id: 7 });
  assert.match(ok({ host: 'h', message: 'm' }).id, /^[0-9a-f-]{36}$/);
});

test('unrecognised severity -> null, value kept; syslog_severity wins over severity', () => {
  const a = ok({ host: 'h', message: 'm', severity: 'loud' });
  assert.is(a.severity, null);
  assert.equal(a.fields, { severity: 'loud' });
  const b = ok({ host: 'h', message: 'm', syslog_severity: '3', severity: 'debug' });
  assert.is(b.severity, 3);
  assert.equal(b.fields, { severity: 'debug' });
  const c = ok({ host: 'h', message: 'm', syslog_severity: 12, severity: 'crit' });
  assert.is(c.severity, 2);
  assert.equal(c.fields, { syslog_severity: 12 });
});

test('nulls count as absent; empty timestamp -> receive time; numbers become strings for text fields', () => {
  const e = ok({ host: null, hostname: 'h', message: 'm', timestamp: '', trap_oid: null, facility: 16, program: 42 });
  assert.is(e.host, 'h');
  assert.is(e.time, receivedAt);
  assert.is(e.trapOid, undefined);
  assert.is(e.facility, '16');
  assert.is(e.fields, undefined);
  assert.is(ok({ hostname: 'h', message: 'm', varbinds: null }).kind, 'syslog', 'null varbinds do not make a trap');
});

test('an invalid correlation id in the item is kept as data and the request id applies', () => {
  const e = ok({ host: 'h', message: 'm', _correlation_id: 'has space' });
  assert.is(e.correlationId, 'corr-1');
  assert.equal(e.fields, { _correlation_id: 'has space' });
});

test('__proto__ keys are dropped at any depth; nothing is polluted', () => {
  const body = JSON.parse(
    '{"host":"h","message":"m","__proto__":{"polluted":1},"x":{"__proto__":{"polluted":2},"y":1},"arr":[{"__proto__":{"p":3}}]}',
  );
  const e = ok(body);
  assert.equal(e.fields, { x: { y: 1 }, arr: [{}] });
  assert.is(({} as Record<string, unknown>).polluted, undefined);
  assert.is(Object.getPrototypeOf(e.fields), Object.prototype);
  assert.is((e.fields as Record<string, unknown>).polluted, undefined);
});

test('raw is the text given, capped', () => {
  assert.is(ok({ host: 'h', message: 'm' }, { raw: 'RAW' }).raw, 'RAW');
  assert.is(ok({ host: 'h', message: 'm', pad: 'x'.repeat(RAW_MAX_CHARS) }).raw?.length, RAW_MAX_CHARS);
});

// ---- invalid items: path named as the sender named it ----

const INVALID: [string, unknown, Partial<NormaliseContext>, { path: string; message: RegExp }[]][] = [
  ['not an object', [1, 2], {}, [{ path: '', message: /JSON object/ }]],
  ['null', null, {}, [{ path: '', message: /JSON object/ }]],
  [
    'missing host and message (v2 names)',
    {},
    {},
    [
      { path: 'host', message: /required/ },
      { path: 'message', message: /required/ },
    ],
  ],
  [
    'missing hostname (legacy names)',
    { message: 'm', timestamp: '2025-01-01T00:00:00Z' },
    { dialect: 'legacy' },
    [{ path: 'hostname', message: /required/ }],
  ],
  ['empty hostname', { hostname: '  ', message: 'm' }, {}, [{ path: 'hostname', message: /empty/ }]],
  ['hostname not a string', { hostname: 5, message: 'm' }, {}, [{ path: 'hostname', message: /string/ }]],
  ['hostname with newline', { hostname: 'a\nb', message: 'm' }, {}, [{ path: 'hostname', message: /control/ }]],
  ['hostname too long', { host: 'h'.repeat(256), message: 'm' }, {}, [{ path: 'host', message: /255/ }]],
  ['empty message', { host: 'h', message: '   ' }, {}, [{ path: 'message', message: /empty/ }]],
  ['message not a string', { host: 'h', message: { a: 1 } }, {}, [{ path: 'message', message: /string/ }]],
  ['message too long', { host: 'h', message: 'x'.repeat(65537) }, {}, [{ path: 'message', message: /65536/ }]],
  ['unreadable timestamp', { host: 'h', message: 'm', timestamp: 'yesterday' }, {}, [{ path: 'timestamp', message: /unrecognised time/ }]],
  ['negative time', { host: 'h', message: 'm', time: -5 }, {}, [{ path: 'time', message: /unrecognised/ }]],
  ['bad trap oid', { host: 'h', message: 'm', trap_oid: 'linkDown' }, {}, [{ path: 'trap_oid', message: /OID/ }]],
  ['bad kind', { host: 'h', message: 'm', kind: 'netflow' }, {}, [{ path: 'kind', message: /syslog/ }]],
  ['bad id', { host: 'h', message: 'm', id: 'a b' }, {}, [{ path: 'id', message: /visible ASCII/ }]],
  ['fields not an object', { host: 'h', message: 'm', fields: 'x' }, {}, [{ path: 'fields', message: /object/ }]],
  ['facility an object', { host: 'h', message: 'm', facility: {} }, {}, [{ path: 'facility', message: /string/ }]],
  ['too deep', { host: 'h', message: 'm', deep: JSON.parse('['.repeat(40) + ']'.repeat(40)) }, {}, [{ path: 'deep', message: /deeper/ }]],
  ['varbinds not an array', { kind: 'trap', host: 'h', varbinds: 'x' }, {}, [{ path: 'varbinds', message: /array/ }]],
  [
    'bad varbind',
    { kind: 'trap', host: 'h', variables: ['nope', { oid: '' }] },
    {},
    [
      { path: 'variables.0', message: /oid=/ },
      { path: 'variables.1', message: /oid/ },
    ],
  ],
  ['trap without any host', { kind: 'trap', trapOid: '1.3.6' }, {}, [{ path: 'host', message: /required/ }]],
  [
    'bad trap version and enterprise',
    { kind: 'trap', host: 'h', version: 'v3', enterprise: 'x', genericTrap: -1 },
    {},
    [
      { path: 'version', message: /v1/ },
      { path: 'enterprise', message: /OID/ },
      { path: 'genericTrap', message: /integer/ },
    ],
  ],
];

for (const [name, body, c, expected] of INVALID) {
  test(`invalid: ${name}`, () => {
    const issues = bad(body, c);
    assert.is(issues.length, expected.length, JSON.stringify(issues));
    expected.forEach((e, i) => {
      assert.is(issues[i].path, e.path);
      assert.match(issues[i].message, e.message);
    });
  });
}

// ---- time formats ----

const TIMES: [unknown, number | null | undefined][] = [
  ['2025-11-08T12:00:00Z', Date.UTC(2025, 10, 8, 12)],
  ['2025-11-08 12:00:00', Date.UTC(2025, 10, 8, 12)],
  ['2025-11-08T12:00:00.5+02:00', Date.UTC(2025, 10, 8, 10, 0, 0, 500)],
  ['2025-11-08T12:00:00-0530', Date.UTC(2025, 10, 8, 17, 30)],
  ['2025-11-08', Date.UTC(2025, 10, 8)],
  ['2025-02-30T00:00:00Z', null],
  ['2025-13-01T00:00:00Z', null],
  [1762603200, 1762603200000],
  [1762603200.5, 1762603200500],
  [1762603200123, 1762603200123],
  ['1762603200', 1762603200000],
  [1e20, null],
  [Number.NaN, null],
  ['Mon, 10 Nov 2025 10:00:00 GMT', Date.UTC(2025, 10, 10, 10)],
  ['10 Nov 2025 10:00 +0100', Date.UTC(2025, 10, 10, 9)],
  ['Mar  1 00:01:02', Date.UTC(2025, 2, 1, 0, 1, 2)],
  ['*Mar 1 00:01:02.123 UTC', Date.UTC(2025, 2, 1, 0, 1, 2, 123)],
  ['Dec 31 23:59:59', Date.UTC(2024, 11, 31, 23, 59, 59)],
  ['Nov 12 2024 08:00:00', Date.UTC(2024, 10, 12, 8)],
  ['Foo 12 08:00:00', null],
  ['12 Foo 2024 08:00', null],
  ['1', 1000],
  ['soon', null],
  [true, null],
  [undefined, undefined],
  [null, undefined],
  ['  ', undefined],
];

test('event times: ISO, epoch s/ms, HTTP-date, RFC 3164 (year inferred), garbage', () => {
  for (const [input, expected] of TIMES) assert.is(parseEventTime(input, receivedAt), expected, `parseEventTime(${JSON.stringify(input)})`);
});

// ---- body shapes ----

const lim = (maxItems: number) => ({ ...INGEST_BODY_LIMITS, maxItems });

test('parseBody: object, array, NDJSON (blank lines skipped, bad line is an item error), BOM, CRLF', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const one = parseBody(enc('\ufeff{"host":"a"}'), 'application/json; charset=utf-8', { mode: 'v2', limits: lim(10) });
  assert.is(one.shape, 'object');
  assert.equal(one.items, [{ value: { host: 'a' }, raw: '{"host":"a"}' }]);
  const arr = parseBody(enc('[{"a":1},2]'), undefined, { mode: 'v2', limits: lim(10) });
  assert.is(arr.shape, 'array');
  assert.equal(
    arr.items.map((i) => ('raw' in i ? i.raw : null)),
    ['{"a":1}', '2'],
  );
  const nd = parseBody(enc('{"a":1}\r\n\r\nnot json\n{"b":2}\n'), 'application/x-ndjson', { mode: 'v2', limits: lim(10) });
  assert.is(nd.shape, 'ndjson');
  assert.is(nd.items.length, 3);
  assert.ok('issue' in nd.items[1] && /invalid JSON/.test(nd.items[1].issue.message));
  const legacyBatch = parseBody(enc('{"a":1}\n{"b":2}'), 'text/plain', { mode: 'legacy', limits: lim(10) });
  assert.is(legacyBatch.shape, 'ndjson');
  assert.is(legacyBatch.items.length, 2);
});

test('parseBody refusals: 415, 400 (UTF-8, empty, not JSON, empty array), 413 too many items', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const status = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      assert.instance(err, ApiHttpError);
      return (err as ApiHttpError).status;
    }
    return 0;
  };
  assert.is(
    status(() => parseBody(enc('{}'), 'text/html', { mode: 'v2', limits: lim(5) })),
    415,
  );
  assert.is(
    status(() => parseBody(new Uint8Array([0x7b, 0xff, 0x7d]), 'application/json', { mode: 'v2', limits: lim(5) })),
    400,
  );
  assert.is(
    status(() => parseBody(enc('  \n'), 'application/json', { mode: 'v2', limits: lim(5) })),
    400,
  );
  assert.is(
    status(() => parseBody(enc('{"a":'), 'application/json', { mode: 'v2', limits: lim(5) })),
    400,
  );
  assert.is(
    status(() => parseBody(enc('[]'), 'application/json', { mode: 'v2', limits: lim(5) })),
    400,
  );
  assert.is(
    status(() => parseBody(enc('[1,2,3]'), 'application/json', { mode: 'v2', limits: lim(2) })),
    413,
  );
  assert.is(
    status(() => parseBody(enc('1\n2\n3\n'), 'application/x-ndjson', { mode: 'v2', limits: lim(2) })),
    413,
  );
  assert.is(
    status(() => parseBody(enc('{}'), 'text/html', { mode: 'legacy', limits: lim(5) })),
    0,
  );
});

test('parseBody: a body over its depth or values limit is refused before parsing, naming the limit, in every shape', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      assert.instance(err, ApiHttpError);
      const e = err as ApiHttpError;
      return { status: e.status, ...e.body, message: e.message, legacy: e.legacyMessage, legacyBody: e.legacy } as Record<string, unknown>;
    }
    return null;
  };
  const limits = { maxItems: 5, maxDepth: 3, maxValues: 10 };
  assert.equal(
    refusal(() => parseBody(enc('[[[[1]]]]'), 'application/json', { mode: 'v2', limits })),
    {
      status: 413,
      exceeded: 'depth',
      limit: 3,
      message: 'request body nested deeper than 3 levels',
      legacy: 'Payload Too Large - request body nested deeper than 3 levels',
      legacyBody: { exceeded: 'depth', limit: 3 },
    },
  );
  assert.is(
    refusal(() => parseBody(enc('{"a":[1,2,3,4],"b":[1,2,3,4],"c":[1,2]}'), 'application/json', { mode: 'v2', limits }))?.exceeded,
    'values',
  );
  // Every array is bounded by maxItems, not only the root: a nested one is named as items, not as events.
  assert.equal(
    refusal(() => parseBody(enc('{"rules":[1,2,3,4,5,6]}'), 'application/json', { mode: 'v2', limits })),
    {
      status: 413,
      exceeded: 'items',
      limit: 5,
      message: 'an array in the request body holds more than 5 items',
      legacy: 'Payload Too Large - an array in the request body holds more than 5 items',
      legacyBody: { exceeded: 'items', limit: 5 },
    },
  );
  assert.equal(
    refusal(() => parseBody(enc('[1,2,3,4,5,6]'), 'application/json', { mode: 'v2', limits })),
    {
      status: 413,
      exceeded: 'items',
      limit: 5,
      maxEvents: 5,
      message: 'more than 5 events in one request',
      legacy: 'Payload Too Large - more than 5 events',
      legacyBody: { exceeded: 'items', limit: 5 },
    },
  );
  // NDJSON: depth per line, values over the whole body, items = non-blank lines.
  assert.is(refusal(() => parseBody(enc('{"a":1}\n[[[[1]]]]\n'), 'application/x-ndjson', { mode: 'v2', limits }))?.exceeded, 'depth');
  assert.is(
    refusal(() => parseBody(enc('[1,2,3]\n[1,2,3]\n[1,2,3]\n'), 'application/x-ndjson', { mode: 'v2', limits }))?.exceeded,
    'values',
  );
  assert.is(refusal(() => parseBody(enc('1\n\n\n2\n3\n4\n5\n6'), 'application/x-ndjson', { mode: 'v2', limits }))?.exceeded, 'items');
  // Legacy batching (several objects, one per line) is measured as one text too.
  assert.is(
    refusal(() => parseBody(enc('{"a":[1,2,3,4]}\n{"a":[1,2,3,4]}'), 'text/plain', { mode: 'legacy', limits }))?.exceeded,
    'values',
  );
  // Within the limits: parsed as before; strings holding brackets, commas and escaped quotes count as one value.
  const ok = parseBody(enc('[{"m":"[[[[,,,,\\"]]]]"}]'), 'application/json', { mode: 'v2', limits });
  assert.equal(ok.items, [{ value: { m: '[[[[,,,,"]]]]' }, raw: '{"m":"[[[[,,,,\\"]]]]"}' }]);
  assert.is(parseBody(enc('\n'.repeat(100_000) + '{"a":1}\n'), 'application/x-ndjson', { mode: 'v2', limits }).items.length, 1);
});

test.run();
