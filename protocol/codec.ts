// One call to encode or to decode-and-validate any MUTT message. Bodies are msgpack; producers may also
// publish JSON (header 'Content-Type: application/json', or a body starting with '{' — a msgpack map can
// never start with 0x7b, so the sniff is unambiguous for our object messages).
//   const bytes = encode(Alert, alert)
//   const r = decode(Alert, bytes); if (!r.ok) dlq(r.error.reason, r.error.message)

import { Packr } from 'msgpackr';
import type { z } from 'zod';

// useRecords:false keeps the wire format plain msgpack maps that any language can read.
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' } as ConstructorParameters<typeof Packr>[0]);

export type DecodeFailure = 'undecodable' | 'schema_invalid';

export class CodecError extends Error {
  readonly reason: DecodeFailure;
  readonly issues: { path: string; message: string }[];
  constructor(reason: DecodeFailure, message: string, issues: { path: string; message: string }[] = [], cause?: unknown) {
    super(message, { cause });
    this.name = 'CodecError';
    this.reason = reason;
    this.issues = issues;
  }
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: CodecError };

export function encode<S extends z.ZodType>(schema: S, value: z.input<S>): Uint8Array {
  return packr.pack(schema.parse(value));
}

/** Encode without re-validating: for hot paths whose value was just built from a validated one. */
export function encodeTrusted(value: unknown): Uint8Array {
  return packr.pack(value);
}

export function decodeRaw(bytes: Uint8Array, contentType?: string | null): unknown {
  const json = (contentType ?? '').toLowerCase().startsWith('application/json') || bytes[0] === 0x7b;
  if (json) return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  return packr.unpack(bytes);
}

export function decode<S extends z.ZodType>(schema: S, bytes: Uint8Array, contentType?: string | null): Decoded<z.output<S>> {
  let raw: unknown;
  try {
    if (bytes.length === 0) throw new Error('empty body');
    raw = decodeRaw(bytes, contentType);
  } catch (err) {
    return { ok: false, error: new CodecError('undecodable', `undecodable: ${(err as Error).message}`, [], err) };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const summary = issues
    .slice(0, 3)
    .map((i) => `${i.path || '(root)'}: ${i.message}`)
    .join('; ');
  return { ok: false, error: new CodecError('schema_invalid', `schema_invalid: ${summary}`, issues) };
}
