// Request bytes -> the list of items to normalise, each with the text it came from. Accepts one JSON object,
// a JSON array of them, or NDJSON (one object per line). Body-level faults (not UTF-8, not JSON at all, empty,
// unsupported content type, over a limit) throw 4xx; a bad NDJSON line is an item-level fault instead, so
// the other lines still count. The limits (items, depth, JSON values: gateway/body-limits.ts) are checked on the
// bytes before anything is parsed (gateway/bounded-json.ts), and NDJSON is walked line by line in place: no body
// under the byte limit becomes an object graph or a list of lines larger than the limits allow.
//   parseBody(bytes, 'application/x-ndjson', { mode: 'v2', limits: INGEST_BODY_LIMITS })
//     -> { shape: 'ndjson', items: [{ value: {...}, raw: '{"host":...}' }, { issue: { path: '', message: 'invalid JSON: ...' } }] }
// Legacy mode (POST /ingest) ignores the content type, as rsyslog and curl send whatever they send, and takes
// a body of several newline-separated objects (rsyslog omhttp batching) as NDJSON.

import { isUtf8 } from 'node:buffer';
import { JsonLimitError, scanJson, type JsonLimits } from '../bounded-json.ts';
import type { Issue } from '../http-error.ts';
import { httpError } from '../http-error.ts';
import { limitExceeded } from '../middleware/body-limit.ts';
import { RAW_MAX_CHARS } from './normalise.ts';

export type BodyItem = { value: unknown; raw: string } | { issue: Issue };
export interface ParsedBody {
  shape: 'object' | 'array' | 'ndjson';
  items: BodyItem[];
}

const NDJSON_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'application/jsonlines',
  'application/json-seq',
]);

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function isJsonType(type: string): boolean {
  return type === '' || type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

function jsonError(err: unknown): string {
  return `invalid JSON: ${String((err as Error).message ?? err).slice(0, 160)}`;
}

function stringifyCapped(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? '').slice(0, RAW_MAX_CHARS);
  } catch {
    return '';
  }
}

/** Over a limit: the root array's item limit keeps its v2.5 wording (events), the others say which limit. */
function overLimit(err: JsonLimitError) {
  if (err.limit !== 'items' || err.nested) return limitExceeded(err);
  return limitExceeded(err, {
    message: `more than ${err.max} events in one request`,
    legacyMessage: `Payload Too Large - more than ${err.max} events`,
    body: { maxEvents: err.max },
  });
}

const LF = 0x0a;

/** True when bytes[from, to) holds only JSON whitespace. */
function blank(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== LF) return false;
  }
  return true;
}

function ndjson(buf: Buffer, from: number, limits: JsonLimits): ParsedBody {
  const items: BodyItem[] = [];
  let values = 0;
  for (let start = from; start < buf.length;) {
    let end = buf.indexOf(LF, start);
    if (end === -1) end = buf.length;
    const lineStart = start;
    start = end + 1;
    if (blank(buf, lineStart, end)) continue;
    if (items.length >= limits.maxItems) throw overLimit(new JsonLimitError('items', limits.maxItems));
    const trimmed = buf.toString('utf8', lineStart, end).trim();
    try {
      values = scanJson(buf, limits, lineStart, end, values).values;
    } catch (err) {
      if (err instanceof JsonLimitError) throw overLimit(err);
      throw err;
    }
    try {
      items.push({ value: JSON.parse(trimmed), raw: trimmed.slice(0, RAW_MAX_CHARS) });
    } catch (err) {
      items.push({ issue: { path: '', message: jsonError(err) } });
    }
  }
  return { shape: 'ndjson', items };
}

export function parseBody(
  bytes: Uint8Array,
  contentType: string | undefined,
  opts: { mode: 'v2' | 'legacy'; limits: JsonLimits },
): ParsedBody {
  const type = mediaType(contentType);
  const isNdjson = NDJSON_TYPES.has(type);
  if (opts.mode === 'v2' && !isNdjson && !isJsonType(type)) {
    throw httpError(415, { message: `unsupported content type '${type.slice(0, 100)}': send application/json or application/x-ndjson` });
  }
  if (!isUtf8(bytes))
    throw httpError(400, { message: 'request body is not valid UTF-8', legacyMessage: 'Invalid JSON: body is not valid UTF-8' });
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const from = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0; // a UTF-8 byte order mark
  if (blank(buf, from, buf.length))
    throw httpError(400, { message: 'empty body: send a JSON object, a JSON array or NDJSON', legacyMessage: 'Invalid JSON: empty body' });
  if (isNdjson) return ndjson(buf, from, opts.limits);

  try {
    scanJson(buf, opts.limits, from);
  } catch (err) {
    // Legacy batching (objects on lines of their own) is measured here as one text: the same values and depth.
    if (err instanceof JsonLimitError) throw overLimit(err);
    throw err;
  }
  const text = buf.toString('utf8', from);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (opts.mode === 'legacy' && text.trim().includes('\n')) return ndjson(buf, from, opts.limits);
    const message = jsonError(err);
    throw httpError(400, { message, issues: [{ path: '', message }], legacyMessage: `Invalid JSON: ${message.slice(14)}` });
  }
  if (Array.isArray(value)) {
    if (value.length === 0)
      throw httpError(400, { message: 'no events in body (empty array)', legacyMessage: 'Invalid JSON: empty array' });
    return { shape: 'array', items: value.map((v) => ({ value: v, raw: stringifyCapped(v) })) };
  }
  return { shape: 'object', items: [{ value, raw: text.trim().slice(0, RAW_MAX_CHARS) }] };
}
