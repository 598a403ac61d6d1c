// A bulk import pipelines its KV writes with a bounded window and audits in parts small enough for NATS.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { forEachWindowed } from '../../gateway/services/windowed.ts';
import { auditParts } from '../../gateway/services/hosts.ts';
import { encode } from '../../protocol/codec.ts';
import { ConfigAuditRecord } from '../../protocol/messages.ts';

test('forEachWindowed: never more than the window in flight, all items done', async () => {
  let inFlight = 0;
  let peak = 0;
  const done: number[] = [];
  await forEachWindowed(
    Array.from({ length: 1000 }, (_, i) => i),
    16,
    async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      done.push(i);
    },
  );
  assert.is(done.length, 1000);
  assert.ok(peak <= 16 && peak > 1, `peak ${peak}`);
});

test('forEachWindowed: the first failure is thrown after the in-flight steps finish; no new step starts', async () => {
  const started: number[] = [];
  let finished = 0;
  const err = await forEachWindowed(
    Array.from({ length: 100 }, (_, i) => i),
    4,
    async (i) => {
      started.push(i);
      await new Promise((r) => setImmediate(r));
      finished++;
      if (i === 5) throw new Error('boom 5');
    },
  ).catch((e: Error) => e);
  assert.instance(err, Error);
  assert.is((err as Error).message, 'boom 5');
  assert.ok(started.length < 20, `started ${started.length}`);
  assert.is(finished, started.length, 'nothing left running');
});

test('auditParts: one record when small; 200,000 names in parts, each under the 1 MB NATS payload, nothing lost', () => {
  const small = { mode: 'merge' as const, created: ['a'], updated: [], unchanged: 3, deleted: [] };
  assert.equal(auditParts(small), [small]);
  assert.equal(auditParts({ ...small, created: [] }), []);
  const created = Array.from({ length: 150_000 }, (_, i) => `dev-${String(i).padStart(7, '0')}.bench.example.com`);
  const updated = Array.from({ length: 50_000 }, (_, i) => `upd-${i}.bench.example.com`);
  const parts = auditParts({ mode: 'replace', created, updated, unchanged: 7, deleted: ['gone.example.com'] });
  assert.is(parts.length, 21);
  assert.equal(
    parts.flatMap((p) => p.created),
    created,
  );
  assert.equal(
    parts.flatMap((p) => p.updated),
    updated,
  );
  assert.equal(
    parts.flatMap((p) => p.deleted),
    ['gone.example.com'],
  );
  assert.is(parts[0].unchanged, 7);
  assert.equal(
    parts.map((p) => p.part),
    Array.from({ length: 21 }, (_, i) => i + 1),
  );
  for (const p of parts) {
    const bytes = encode(ConfigAuditRecord, {
      kind: 'team',
      id: 'import',
      operation: 'import',
      actor: 'ops',
      newValue: p,
      reason: 'r',
      correlationId: 'c',
      at: 0,
    }).length;
    assert.ok(bytes < 1_000_000, `part ${p.part}: ${bytes} bytes`);
  }
});

test.run();
