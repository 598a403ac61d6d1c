import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JsonLimitError, scanJson, type JsonLimits } from '../../gateway/bounded-json.ts';

const UNBOUNDED: JsonLimits = { maxItems: 1e9, maxDepth: 1000, maxValues: 1e9 };

/** What scanJson must find, computed from the parsed value. */
function reference(v: unknown, depth = 0): { values: number; depth: number; longest: number } {
  if (v === null || typeof v !== 'object') return { values: 1, depth, longest: 0 };
  const children = Array.isArray(v) ? v : Object.values(v);
  const r = { values: 1, depth: depth + 1, longest: Array.isArray(v) ? v.length : 0 };
  for (const c of children) {
    const x = reference(c, depth + 1);
    r.values += x.values;
    r.depth = Math.max(r.depth, x.depth);
    r.longest = Math.max(r.longest, x.longest);
  }
  return r;
}

let seed = 7;
const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const ALPHABET = ['a', 'b', ' ', '"', '\\', '[', ']', '{', '}', ',', ':', '\n', 'é', '\u2028', '😀'];

function randomString(): string {
  const n = Math.floor(rnd() ** 2 * 60);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rnd() * ALPHABET.length)];
  return s;
}

function randomValue(depth: number): unknown {
  const r = rnd();
  if (depth > 5 || r < 0.35) return [null, true, 1.5e3, -2, randomString(), randomString()][Math.floor(rnd() * 6)];
  const n = Math.floor(rnd() * 6);
  if (r < 0.7) return Array.from({ length: n }, () => randomValue(depth + 1));
  return Object.fromEntries(Array.from({ length: n }, () => [randomString(), randomValue(depth + 1)]));
}

test('scanJson counts values, depth and array lengths exactly on 2,000 random documents (escapes, brackets in strings, any spacing)', () => {
  for (let n = 0; n < 2000; n++) {
    const v = randomValue(0);
    const text = JSON.stringify(v, null, n % 3 === 0 ? 2 : undefined);
    const bytes = Buffer.from(text);
    const ref = reference(v);
    assert.is(scanJson(bytes, UNBOUNDED).values, ref.values, text);
    // The limits refuse exactly at the reference counts.
    const at = { maxItems: Math.max(ref.longest, 1), maxDepth: Math.max(ref.depth, 1), maxValues: ref.values };
    scanJson(bytes, at);
    if (ref.values > 1)
      assert.throws(
        () => scanJson(bytes, { ...at, maxValues: ref.values - 1 }),
        (e: unknown) => e instanceof JsonLimitError && e.limit === 'values',
        text,
      );
    if (ref.depth > 1)
      assert.throws(
        () => scanJson(bytes, { ...at, maxDepth: ref.depth - 1 }),
        (e: unknown) => e instanceof JsonLimitError && e.limit === 'depth',
        text,
      );
    if (ref.longest > 1)
      assert.throws(
        () => scanJson(bytes, { ...at, maxItems: ref.longest - 1 }),
        (e: unknown) => e instanceof JsonLimitError && e.limit === 'items',
        text,
      );
  }
});

test('scanJson: root items, a long string with escaped quotes and backslashes, a sub-range of the bytes', () => {
  assert.equal(scanJson(Buffer.from('[1,[2,3],{"a":[]}]'), UNBOUNDED), { items: 3, values: 7 });
  assert.equal(scanJson(Buffer.from('{"a":1}'), UNBOUNDED), { items: 1, values: 2 });
  const long = JSON.stringify(['x'.repeat(30) + '\\"'.repeat(5) + '\\\\' + '"],[', 1]);
  assert.equal(scanJson(Buffer.from(long), UNBOUNDED), { items: 2, values: 3 });
  const b = Buffer.from('xx[1,2]yy');
  assert.equal(scanJson(b, UNBOUNDED, 2, 7), { items: 2, values: 3 });
});

test.run();
