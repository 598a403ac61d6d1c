// The limits of every JSON request body, declared once per kind of route; the byte limit of all of them is
// MUTT_BODY_LIMIT_BYTES. A body over any of them is answered 413 with `exceeded` (bytes, items, depth, values)
// and `limit` (gateway/middleware/body-limit.ts), before JSON.parse builds anything (gateway/bounded-json.ts).
// docs/INGEST.md and docs/API.md list them; the figures behind the numbers are in docs/RELIABILITY.md.
//   parseJsonBounded(text, MANAGEMENT_BODY_LIMITS)

import { JsonLimitError, type JsonLimits } from './bounded-json.ts';

/** /ingest, /api/v1/ingest, /api/v2/events: 10,000 events, each with room for a few dozen fields. */
export const INGEST_BODY_LIMITS: JsonLimits = { maxItems: 10_000, maxDepth: 32, maxValues: 250_000 };

/** Every management API route with a JSON body (rules, config, hosts, keys, DLQ...); the rule tester's 10,000
 *  proposed rules are one array, so maxItems refuses a longer list before it is parsed. */
export const MANAGEMENT_BODY_LIMITS: JsonLimits = { maxItems: 10_000, maxDepth: 32, maxValues: 250_000 };

/** Bulk host imports (dev hosts, teams): up to 200,000 entries of a name and a team or note each. */
export const HOST_IMPORT_BODY_LIMITS: JsonLimits = { maxItems: 200_000, maxDepth: 8, maxValues: 650_000 };

/** Lines of a CSV host import: the entries allowed, plus room for a header, comments and blank lines. */
export const HOST_IMPORT_MAX_CSV_LINES = 250_000;

/** Throws JsonLimitError('items') when `text` holds more than `max` lines, before it is split into them. */
export function checkLineCount(text: string, max: number): void {
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (++lines > max) throw new JsonLimitError('items', max);
  }
}
