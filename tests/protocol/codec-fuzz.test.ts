// The stream codec under hostile input: thousands of random byte strings, truncated and bit-flipped valid
// messages, and JSON of the wrong shape. decode() must never throw and must classify every failure as
// 'undecodable' or 'schema_invalid' (what the runtime dead-letters with), and valid messages must round-trip.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode, encode, CodecError } from '../../protocol/codec.ts';
import { Alert, DlqEntry, IngestEvent } from '../../protocol/messages.ts';

// Deterministic PRNG so a failure reproduces.
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const valid: IngestEvent = {
  kind: 'trap',
  id: 'e1',
  correlationId: 'c1',
  host: 'sw1',
  message: 'linkDown',
  severity: 3,
  time: 1,
  receivedAt: 2,
  source: { input: 'snmp', address: '10.0.0.1' },
  version: 'v2c',
  varbinds: [{ oid: '.1.3.6.1.2.1.2.2.1.1.2', type: 'Integer', value: 2 }],
  trapOid: '.1.3.6.1.6.3.1.1.5.3',
};

test('valid messages round-trip through msgpack and JSON', () => {
  const bytes = encode(IngestEvent, valid);
  const back = decode(IngestEvent, bytes);
  assert.ok(back.ok);
  assert.equal(back.ok && back.value, valid);
  const json = decode(IngestEvent, Buffer.from(JSON.stringify(valid)), 'application/json');
  assert.ok(json.ok);
  const sniffed = decode(IngestEvent, Buffer.from(JSON.stringify(valid)));
  assert.ok(sniffed.ok, 'a body starting with { is read as JSON');
});

test('5,000 random, truncated and bit-flipped payloads: never a throw, always a typed failure', () => {
  const random = rng(20261129);
  const good = encode(IngestEvent, valid);
  const counts = { ok: 0, undecodable: 0, schema_invalid: 0 };
  for (let i = 0; i < 5000; i++) {
    let bytes: Uint8Array;
    const kind = i % 4;
    if (kind === 0) bytes = Uint8Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256));
    else if (kind === 1) bytes = good.slice(0, Math.floor(random() * good.length));
    else if (kind === 2) {
      bytes = good.slice();
      for (let f = 0; f < 3; f++) bytes[Math.floor(random() * bytes.length)] ^= 1 << Math.floor(random() * 8);
    } else
      bytes = Buffer.from(
        JSON.stringify({
          kind: random() < 0.5 ? 'syslog' : 'trap',
          host: random() < 0.5 ? 5 : 'h',
          __proto__: { polluted: true },
          message: 'x'.repeat(Math.floor(random() * 100)),
        }),
      );
    for (const schema of [IngestEvent, Alert, DlqEntry]) {
      let r;
      try {
        r = decode(schema, bytes);
      } catch (err) {
        assert.unreachable(`decode threw on case ${i}: ${(err as Error).message}`);
        return;
      }
      if (r.ok) counts.ok++;
      else {
        assert.instance(r.error, CodecError);
        assert.ok(r.error.reason === 'undecodable' || r.error.reason === 'schema_invalid');
        counts[r.error.reason]++;
      }
    }
  }
  assert.ok(counts.undecodable > 0 && counts.schema_invalid > 0, JSON.stringify(counts));
  assert.is(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
});

test('an empty body is undecodable, a JSON array is schema-invalid', () => {
  const empty = decode(IngestEvent, new Uint8Array());
  assert.ok(!empty.ok && empty.error.reason === 'undecodable');
  const arr = decode(IngestEvent, Buffer.from('[1,2]'), 'application/json');
  assert.ok(!arr.ok && arr.error.reason === 'schema_invalid');
  assert.ok(!arr.ok && arr.error.issues.length > 0);
});

test.run();
