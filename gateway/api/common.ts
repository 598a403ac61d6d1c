// Building blocks shared by the management API's routes: query parameter types that answer 400 (never 500)
// for bad input — page size, sequence cursor, order, booleans, times as ISO 8601 or epoch ms — ISO 8601
// rendering of times (v2.5 sent HTTP-dates), and ETag / If-Match for revisions.
//   const Query = z.object({ limit: limitParam(100, 500), cursor: cursorParam, from: timeParam })
//   c.header('ETag', etag(rev)); const expected = parseIfMatch(c.req.header('if-match'))

import { z } from 'zod';
import { httpError } from '../http-error.ts';

export const limitParam = (def: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(def).describe(`Page size, 1–${max} (default ${def}).`);

export const cursorParam = z.coerce
  .number()
  .int()
  .min(1)
  .optional()
  .describe('Stream sequence to continue from: the `next_cursor` of the previous page.');

export const orderParam = z.enum(['asc', 'desc']).default('desc').describe('`desc`: newest first (default); `asc`: oldest first.');

export const boolParam = (description: string) =>
  z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional()
    .describe(description);

/** ISO 8601 date or date-time (UTC unless a zone is given) or epoch milliseconds → epoch ms. */
export const timeParam = (description: string) =>
  z
    .union([z.number(), z.string()])
    .transform((input, ctx) => {
      const v = String(input).trim();
      const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(v);
      // Without a zone a time is UTC (never the server's local time).
      const ms = /^\d{1,15}$/.test(v) ? Number(v) : m ? Date.parse(m[2] ? `${m[1]}T${m[2]}${m[3] ?? 'Z'}` : m[1]) : NaN;
      if (!Number.isFinite(ms)) {
        ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 date-time (2025-11-10T10:00:00Z) or epoch milliseconds' });
        return z.NEVER;
      }
      return ms;
    })
    .optional()
    .describe(description);

export const isoTime = z.string().describe('ISO 8601 date-time (UTC).');
export const nullableIsoTime = z.string().nullable().describe('ISO 8601 date-time (UTC), or null.');

export function iso(ms: number): string;
export function iso(ms: number | null | undefined): string | null;
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

export function etag(revision: number): string {
  return `"${revision}"`;
}

/** If-Match: `"12"`, `12` or `W/"12"` → 12; absent or `*` → undefined; anything else is a 400. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '' || header.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!m)
    throw httpError(400, {
      message: 'If-Match must be a revision (the ETag of a previous answer)',
      issues: [{ path: 'If-Match', message: `not a revision: ${JSON.stringify(header.slice(0, 40))}` }],
    });
  return Number(m[1]);
}

export const Revision = z.number().int().describe('KV revision: send it back as If-Match to update only this version.');

export const PageFields = {
  next_cursor: z.number().int().nullable().describe('Pass as `cursor` for the next page; null when there is none.'),
  total: z.number().int().nullable().describe('Matching records in the whole range when cheap to know (subject filters only), else null.'),
  scanned: z.number().int().describe('Stored messages read to build this page.'),
};

export const IfMatchHeader = {
  name: 'If-Match',
  description: 'Revision (ETag) the change applies to; 412 when it is no longer current.',
  example: '"7"',
};
export const ReasonHeader = {
  name: 'X-Change-Reason',
  description: 'Why (kept in the config audit).',
  example: 'CHG-1234 new core switch',
};
