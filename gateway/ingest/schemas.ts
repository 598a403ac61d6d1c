// The ingest API's request and answer shapes for its route declarations (gateway/ingest/routes.ts) and so for the
// OpenAPI document. The body is not validated against HttpEvent as a whole: each item of an object, array or NDJSON
// body is normalised on its own (normalise.ts), so one bad event is refused with its index and the rest are stored.
//   api.route({ …, body: { schema: HttpEventBody, … }, streamBody: true, responses: { 202: { schema: EventsAccepted } } }, …)

import { z } from 'zod';

const severity = z.union([z.string(), z.number()]);

export const HttpEvent = z
  .object({
    host: z.string().optional().describe('Sending device (or `hostname`). Required for syslog; a trap falls back to its agent address.'),
    hostname: z.string().optional().describe("v2.5's name for `host`."),
    message: z.string().optional().describe('The log line (required for syslog; built from OID and varbinds for a trap).'),
    kind: z.enum(['syslog', 'trap']).optional().describe("'trap' when absent only if varbinds are present."),
    time: z.union([z.string(), z.number()]).optional().describe('Event time (or `timestamp`): ISO 8601, epoch s/ms, RFC 3164, HTTP-date.'),
    syslog_severity: severity.optional().describe('Name or 0–7 (or `severity`).'),
    trap_oid: z.string().optional().describe('Trap OID (or `trapOid`).'),
    varbinds: z.array(z.unknown()).optional().describe('Trap variables: {oid, type?, value} or "@{oid=…; value=…}" (or `variables`).'),
    id: z.union([z.string(), z.number()]).optional().describe('v2 only: the dedupe key of this event (1–200 visible ASCII characters).'),
  })
  .loose()
  .meta({
    id: 'HttpEvent',
    description: 'One event as posted (docs/INGEST.md names every accepted field). Other fields are kept in `fields`.',
  });

export const HttpEventBody = z
  .union([HttpEvent, z.array(HttpEvent)])
  .describe('One event, a JSON array of events, or NDJSON (application/x-ndjson: one event per line).');

export const ItemError = z
  .object({
    index: z.number().int().describe('Position of the item in the body (0-based).'),
    issues: z.array(z.object({ path: z.string(), message: z.string() })),
  })
  .meta({ id: 'IngestItemError', description: 'Why one item was refused; the other items are unaffected.' });

export const EventsAccepted = z
  .object({
    accepted: z.number().int().describe('Items stored (duplicates included).'),
    rejected: z.number().int(),
    duplicates: z.array(z.number().int()).describe('Indexes of items JetStream already held (Idempotency-Key or `id`).'),
    ids: z.array(z.string().nullable()).describe('Event id per item; null for a refused one.'),
    errors: z.array(ItemError),
  })
  .meta({ id: 'EventsAccepted' });

export const LegacyQueued = z
  .object({
    status: z.literal('queued'),
    correlation_id: z.string(),
    event_id: z.string().optional(),
    queue_depth: z.number().int().optional().describe('MUTT_EVENTS backlog after this request, when known.'),
    event_ids: z.array(z.string().nullable()).optional().describe('Several items: event id per item.'),
    accepted: z.number().int().optional(),
    rejected: z.number().int().optional(),
    errors: z.array(ItemError).optional(),
    duplicates: z.number().int().optional(),
  })
  .meta({ id: 'LegacyQueued', description: "v2.5's answer to POST /ingest." });

export const LegacyError = z
  .object({
    status: z.literal('error'),
    message: z.string(),
    correlation_id: z.string().nullable(),
  })
  .loose()
  .meta({ id: 'LegacyError', description: "v2.5's error shape (with retry_after, queue_depth, errors… where they apply)." });

export const IdempotencyKeyHeader = {
  name: 'Idempotency-Key',
  description: 'Makes a retry safe: event i is stored with Nats-Msg-Id `<key>:<i>` (1–150 visible ASCII characters).',
  example: 'batch-2025-11-10-0001',
};

export const CorrelationIdHeader = {
  name: 'X-Correlation-ID',
  description: 'Honoured when safe and echoed; one is made when absent.',
};
