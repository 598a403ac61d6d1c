// JSON under limits: a body is measured (nesting depth, elements of each array, JSON values) by one pass over its
// bytes before JSON.parse builds anything, so a small body that would become a huge object graph — 1.7 million
// `{}` in 5 MiB, an array nested 2.5 million deep — is refused while it is still bytes. Why a pre-scan of our
// own rather than a streaming parser: docs/adr/0004-bounded-json-pre-scan.md.
//   scanJson(bytes, { maxItems: 10_000, maxDepth: 32, maxValues: 250_000 }) -> { items: 1, values: 7 }
//   parseJsonBounded('{"a":[1,2]}', limits) -> { a: [1, 2] }          // JsonLimitError('depth', 32) when deeper
// What counts: the root is one value; every element of an array and every member of an object is one more
// (a member's key and value together). `items` is the number of elements of the root array (1 for any other
// root); maxItems bounds every array, at the root or nested (e.g. the rule tester's `rules`).
// The scan trusts JSON.parse for syntax: on text JSON.parse accepts, the counts are exact; on text it refuses,
// they may be anything, and JSON.parse refuses it afterwards.

export type JsonLimitName = 'bytes' | 'items' | 'depth' | 'values';

export interface JsonLimits {
  /** Elements of any one array (lines of NDJSON); a root object or scalar is one item. */
  maxItems: number;
  /** Nesting of arrays and objects: `[[1]]` is depth 2, a scalar depth 0. */
  maxDepth: number;
  /** Every value in the document, containers and scalars (see above). */
  maxValues: number;
}

export class JsonLimitError extends Error {
  /** For 'items': whether the array over the limit is the root (the list of events) or one nested in it. */
  constructor(
    readonly limit: JsonLimitName,
    readonly max: number,
    readonly nested = false,
  ) {
    super(`${limit} limit exceeded (${max})`);
    this.name = 'JsonLimitError';
  }
}

export interface JsonCounts {
  items: number;
  values: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Measures bytes[from, to) as one JSON text and throws JsonLimitError at the first limit it passes. It allocates
 * two arrays of maxDepth + 1 entries and nothing per value. `valuesSoFar` lets NDJSON lines share one values budget.
 */
export function scanJson(bytes: Uint8Array, limits: JsonLimits, from = 0, to = bytes.length, valuesSoFar = 0): JsonCounts {
  // Per open container (index = depth): whether it is an array, and its elements so far.
  const isArray = new Uint8Array(limits.maxDepth + 1);
  const elements = new Uint32Array(limits.maxDepth + 1);
  let depth = 0;
  let values = valuesSoFar + 1;
  let rootIsArray: boolean | undefined;
  let rootItems = 0;
  const entry = () => {
    if (++values > limits.maxValues) throw new JsonLimitError('values', limits.maxValues);
    if (isArray[depth] === 1 && ++elements[depth] > limits.maxItems) throw new JsonLimitError('items', limits.maxItems, depth > 1);
  };
  let i = from;
  while (i < to) {
    const kind = KIND[bytes[i]];
    if (kind === OTHER) {
      i++;
    } else if (kind === STRING) {
      i = stringEnd(bytes, i + 1, to) + 1;
    } else if (kind === NEXT) {
      if (depth > 0) entry();
      i++;
    } else if (kind === OPEN) {
      if (++depth > limits.maxDepth) throw new JsonLimitError('depth', limits.maxDepth);
      const array = bytes[i] === OPEN_ARRAY;
      isArray[depth] = array ? 1 : 0;
      // A second root (legacy batches: one object per line) starts its count afresh.
      elements[depth] = 0;
      rootIsArray ??= array;
      // The container's first entry, unless it is empty.
      i++;
      while (i < to && WHITESPACE[bytes[i]] === 1) i++;
      if (i < to && KIND[bytes[i]] !== CLOSE) entry();
    } else {
      if (depth === 1 && rootItems === 0) rootItems = elements[1];
      if (depth > 0) depth--;
      i++;
    }
  }
  return { items: rootIsArray ? rootItems : 1, values };
}

const OTHER = 0;
const STRING = 1;
const NEXT = 2;
const OPEN = 3;
const CLOSE = 4;
const KIND = new Uint8Array(256);
KIND[QUOTE] = STRING;
KIND[COMMA] = NEXT;
KIND[OPEN_ARRAY] = OPEN;
KIND[OPEN_OBJECT] = OPEN;
KIND[CLOSE_ARRAY] = CLOSE;
KIND[CLOSE_OBJECT] = CLOSE;
const WHITESPACE = new Uint8Array(256);
for (const b of [SPACE, TAB, LF, CR]) WHITESPACE[b] = 1;

/** Index of the quote closing a string whose first character is at `i` (or `to` when it never closes). */
function stringEnd(bytes: Uint8Array, i: number, to: number): number {
  // Short strings (keys, host names) by a plain loop, where a call to indexOf costs more than it saves; long
  // ones (messages) by indexOf.
  const short = Math.min(to, i + 24);
  for (; i < short; i++) {
    const b = bytes[i];
    if (b === QUOTE) return i;
    if (b === BACKSLASH) i++;
  }
  for (;;) {
    if (i >= to) return to;
    const q = bytes.indexOf(QUOTE, i);
    if (q === -1 || q >= to) return to;
    // Escaped when an odd number of backslashes precede it (back to `i`, which no backslash escapes).
    let k = q - 1;
    while (k >= i && bytes[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q;
    i = q + 1;
  }
}

/** JSON.parse, after the text has been measured against the limits (JsonLimitError, or JSON.parse's SyntaxError). */
export function parseJsonBounded(text: string, limits: JsonLimits, bytes?: Uint8Array): unknown {
  scanJson(bytes ?? Buffer.from(text, 'utf8'), limits);
  return JSON.parse(text);
}
