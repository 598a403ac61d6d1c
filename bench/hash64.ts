// Cost per call of the fingerprint's hash: the hand-written hash64 that fingerprint.ts used until ADR 0007 (kept
// below as the baseline) against node:crypto and npm xxHash implementations, on masked messages of the sizes the alerter hashes: the masked bench events (short,
// typical, cut short) and a message masked at MASK_MAX (the bound). Also prints the whole fingerprint() per call, so the
// hash's share of it shows. The npm hashes are not dependencies (ADR 0007); install them outside the tree:
//   mkdir -p /tmp/hash-libs && npm --prefix /tmp/hash-libs i xxhash-wasm@1.1.0 @node-rs/xxhash@1.7.8 xxhashjs@0.2.2
//   node --import tsx bench/hash64.ts --libs /tmp/hash-libs [--rounds 5]

import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fingerprint, maskMessage, MASK_MAX } from '../actors/alerter/fingerprint.ts';
import { generateEvents, generateRules } from './rules-engine.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const rounds = Number(arg('rounds', '5'));
const req = createRequire(join(arg('libs', '.'), 'node_modules', 'x.js'));
const hex16 = (b: bigint) => b.toString(16).padStart(16, '0');

/** The fingerprint's hash before ADR 0007: two 32-bit multiply–xorshift lanes over UTF-16 units. */
function hash64(text: string): string {
  let h1 = 0x811c9dc5 ^ text.length;
  let h2 = 0x9e3779b9 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x85ebca6b);
    h2 = Math.imul(h2 ^ c, 0xc2b2ae35);
    h1 ^= h1 >>> 15;
    h2 ^= h2 >>> 13;
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x7feb352d) ^ Math.imul(h2 ^ (h2 >>> 15), 0x846ca68b);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0x27d4eb2f) ^ Math.imul(h1 ^ (h1 >>> 13), 0x165667b1);
  h1 ^= h1 >>> 16;
  h2 ^= h2 >>> 16;
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

const candidates: Record<string, (s: string) => string> = {
  'hash64 (before ADR 0007)': hash64,
  'crypto.createHash sha1, 16 hex': (s) => crypto.createHash('sha1').update(s).digest('hex').slice(0, 16),
  'crypto.createHash sha256, 16 hex': (s) => crypto.createHash('sha256').update(s).digest('hex').slice(0, 16),
};
// crypto.hash (Node 20.12+): one shot, no Hash object.
for (const alg of ['md5', 'sha1', 'sha256']) candidates[`crypto.hash ${alg}, 16 hex`] = (s) => crypto.hash(alg, s, 'hex').slice(0, 16);
const optional = <M>(name: string, add: (mod: M) => Promise<void> | void) => {
  try {
    return add(req(name) as M);
  } catch (err) {
    console.log(`(${name} not loaded: ${(err as Error).message.split('\n')[0]})`);
  }
};
await optional<() => Promise<{ h64ToString(s: string): string }>>('xxhash-wasm', async (init) => {
  const { h64ToString } = await init();
  candidates['xxhash-wasm 1.1.0 h64ToString'] = (s) => h64ToString(s);
});
await optional<{ xxh64(s: string): bigint; xxh3: { xxh64(s: string): bigint } }>('@node-rs/xxhash', ({ xxh64, xxh3 }) => {
  candidates['@node-rs/xxhash 1.7.8 xxh64'] = (s) => hex16(xxh64(s));
  candidates['@node-rs/xxhash 1.7.8 xxh3.xxh64'] = (s) => hex16(xxh3.xxh64(s));
});
await optional<{ h64(s: string, seed: number): { toString(radix: number): string } }>('xxhashjs', ({ h64 }) => {
  candidates['xxhashjs 0.2.2 h64'] = (s) => h64(s, 0).toString(16).padStart(16, '0');
});

const raw = generateEvents(20_000, generateRules(1000, 42), 43).map((e) => e.message);
const masked = raw.map((m) => maskMessage(m));
const long = maskMessage(Array.from({ length: 2000 }, (_, i) => `word${i % 7 ? '' : i} x`).join(' ')).slice(0, MASK_MAX);
const avg = Math.round(masked.reduce((a, s) => a + s.length, 0) / masked.length);
const inputs: [string, string[]][] = [
  ['the same, cut to 48 chars', masked.map((s) => s.slice(0, 48))],
  [`masked bench events (avg ${avg} chars)`, masked],
  [`one masked message of ${long.length} chars`, Array.from({ length: 2000 }, () => long)],
];

/** ns per call: the fastest of `rounds` runs over the inputs. */
function measure(fn: (s: string) => string, xs: string[]): number {
  let sink = 0;
  for (const s of xs) sink += fn(s).length; // warm-up
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < xs.length; i++) sink += fn(xs[i]).length;
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / xs.length);
  }
  if (sink === 0) throw new Error('unreachable');
  return best;
}

console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; node ${process.version}; fastest of ${rounds} rounds`,
);
console.log(`fingerprint() whole (mask + hash) on the raw bench events: ${measure((m) => fingerprint(m), raw).toFixed(0)} ns/call`);
for (const [label, xs] of inputs) {
  console.log(label);
  for (const [name, fn] of Object.entries(candidates))
    console.log(`  ${name.padEnd(36)} ${measure(fn, xs).toFixed(0).padStart(7)} ns/call   e.g. ${fn(xs[0])}`);
}
