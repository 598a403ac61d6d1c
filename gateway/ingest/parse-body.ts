// Request bytes -> the list of items to normalise, each with the text it came from. Accepts one JSON object,
// a JSON array of them, or NDJSON (one object per line). Body-level faults (not UTF-8, not JSON at all, empty,
// unsupported content type, too many items) throw 4xx; a bad NDJSON line is an item-level fault instead, so
// the other lines still count.
//   parseBody(bytes, 'application/x-ndjson', { mode: 'v2', maxItems: 10_000 })
//     -> { shape: 'ndjson', items: [{ value: {...}, raw: '{"host":...}' }, { issue: { path: '', message: 'invalid JSON: ...' } }] }
// Legacy mode (POST /ingest) ignores the content type, as rsyslog and curl send whatever they send, and takes
// a body of several newline-separated objects (rsyslog omhttp batching) as NDJSON.

import type { Issue } from '../http-error.ts';
import { httpError } from '../http-error.ts';
import { RAW_MAX_CHARS } from './normalise.ts';

export type BodyItem = { value: unknown; raw: string } | { issue: Issue };
export interface ParsedBody {
  shape: 'object' | 'array' | 'ndjson';
  items: BodyItem[];
}

const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines', 'application/json-seq']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

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

function tooMany(maxItems: number) {
  return httpError(413, { message: `more than ${maxItems} events in one request`, legacyMessage: `Payload Too Large - more than ${maxItems} events`, body: { maxEvents: maxItems } });
}

function ndjson(text: string, maxItems: number): ParsedBody {
  const items: BodyItem[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (items.length >= maxItems) throw tooMany(maxItems);
    try {
      items.push({ value: JSON.parse(trimmed), raw: trimmed.slice(0, RAW_MAX_CHARS) });
    } catch (err) {
      items.push({ issue: { path: '', message: jsonError(err) } });
    }
  }
  return { shape: 'ndjson', items };
}

export function parseBody(bytes: Uint8Array, contentType: string | undefined, opts: { mode: 'v2' | 'legacy'; maxItems: number }): ParsedBody {
  const type = mediaType(contentType);
  const isNdjson = NDJSON_TYPES.has(type);
  if (opts.mode === 'v2' && !isNdjson && !isJsonType(type)) {
    throw httpError(415, { message: `unsupported content type '${type.slice(0, 100)}': send application/json or application/x-ndjson` });
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw httpError(400, { message: 'request body is not valid UTF-8', legacyMessage: 'Invalid JSON: body is not valid UTF-8' });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw httpError(400, { message: 'empty body: send a JSON object, a JSON array or NDJSON', legacyMessage: 'Invalid JSON: empty body' });
  if (isNdjson) return ndjson(text, opts.maxItems);

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (opts.mode === 'legacy' && text.trim().includes('\n')) return ndjson(text, opts.maxItems);
    const message = jsonError(err);
    throw httpError(400, { message, issues: [{ path: '', message }], legacyMessage: `Invalid JSON: ${message.slice(14)}` });
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw httpError(400, { message: 'no events in body (empty array)', legacyMessage: 'Invalid JSON: empty array' });
    if (value.length > opts.maxItems) throw tooMany(opts.maxItems);
    return { shape: 'array', items: value.map((v) => ({ value: v, raw: stringifyCapped(v) })) };
  }
  return { shape: 'object', items: [{ value, raw: text.trim().slice(0, RAW_MAX_CHARS) }] };
}
