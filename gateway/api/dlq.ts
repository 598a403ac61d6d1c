// /api/v2/dlq: dead letters for operators — list (stage, reason, since; sequence cursor), show one with its
// original payload decoded, replay one or every match of a filter, purge one or by filter (confirm: true).
// Reads need scope read, every write admin, and each write is one config-audit record (kind 'dlq').
//   dlqRoutes(api, services)

import { z } from 'zod';
import { DlqReason } from '../../protocol/messages.ts';
import type { StoredEntry } from '../../actors/remediation/replay.ts';
import type { ManagementServices } from '../services/index.ts';
import { cursorParam, iso, isoTime, limitParam, PageFields, ReasonHeader, timeParam } from './common.ts';
import type { ApiRouter } from './route.ts';

const stageParam = z
  .string()
  .trim()
  .regex(/^[a-z0-9_-]{1,64}$/, 'a stage name: lower-case letters, digits, _ or -')
  .optional()
  .describe('Stage that dead-lettered it (ingest, alerter, forwarder, remediation, quarantine, …).');

export const DlqEntryView = z
  .object({
    seq: z.number().int(),
    subject: z.string(),
    stored_at: isoTime,
    stage: z.string(),
    reason: DlqReason,
    attempts: z.number().int(),
    first_error: z.string(),
    last_error: z.string(),
    first_seen_at: isoTime,
    last_seen_at: isoTime,
    original_subject: z.string(),
    original_stream: z.string(),
    original_seq: z.number().int().nullable(),
    correlation_id: z.string().nullable(),
    status: z.number().int().nullable().describe('HTTP status when a remote refused it.'),
    excerpt: z.string().nullable(),
    replays: z.number().int(),
    payload_bytes: z.number().int(),
  })
  .meta({ id: 'DeadLetter' });

const DlqDetail = DlqEntryView.extend({
  original_headers: z.record(z.string(), z.string()),
  payload: z.object({
    encoding: z.enum(['json', 'base64']).describe('json: the payload decoded (msgpack or JSON); base64: undecodable bytes.'),
    value: z.unknown(),
    bytes: z.number().int(),
  }),
}).meta({ id: 'DeadLetterDetail' });

export function dlqView(e: StoredEntry): z.output<typeof DlqEntryView> {
  const d = e.entry;
  return {
    seq: e.seq,
    subject: e.subject,
    stored_at: iso(e.time),
    stage: d.stage,
    reason: d.reason,
    attempts: d.attempts,
    first_error: d.firstError,
    last_error: d.lastError,
    first_seen_at: iso(d.firstSeenAt),
    last_seen_at: iso(d.lastSeenAt),
    original_subject: d.originalSubject,
    original_stream: d.originalStream,
    original_seq: d.originalSeq ?? null,
    correlation_id: d.correlationId ?? null,
    status: d.status ?? null,
    excerpt: d.excerpt ?? null,
    replays: d.replays,
    payload_bytes: d.originalPayload.length,
  };
}

const ListQuery = z.object({
  stage: stageParam,
  reason: DlqReason.optional(),
  since: timeParam('Only entries whose last failure is at or after this time (ISO 8601 or epoch ms).'),
  cursor: cursorParam,
  limit: limitParam(100, 500),
});

const SeqParam = z.object({ seq: z.coerce.number().int().min(1).describe('DLQ stream sequence.') });

const ReplayFilter = z.object({
  stage: stageParam,
  reason: DlqReason.optional(),
  since: timeParam('Only entries whose last failure is at or after this time.'),
  limit: z.number().int().min(1).max(1000).default(100).describe('At most this many, oldest first.'),
  comment: z.string().max(1000).optional().describe('Why (kept in the config audit as the reason; X-Change-Reason does the same).'),
});

const PurgeFilter = z.object({
  stage: stageParam,
  reason: DlqReason.optional(),
  since: timeParam('Only entries whose last failure is at or after this time.'),
  confirm: z.literal(true, { message: 'purging needs "confirm": true' }).describe('Must be true: purged entries are gone.'),
  comment: z.string().max(1000).optional().describe('Why (kept in the config audit as the reason; X-Change-Reason does the same).'),
});

const Replayed = z.object({ seq: z.number().int(), to: z.object({ stream: z.string(), seq: z.number().int() }) });

const entryExample = {
  seq: 311,
  subject: 'mutt.dlq.forwarder.retries_exhausted',
  stored_at: '2026-01-05T09:40:00.000Z',
  stage: 'forwarder',
  reason: 'retries_exhausted',
  attempts: 10,
  first_error: 'HTTP 503',
  last_error: 'HTTP 503',
  first_seen_at: '2026-01-05T09:30:00.000Z',
  last_seen_at: '2026-01-05T09:40:00.000Z',
  original_subject: 'mutt.alerts.neto',
  original_stream: 'MUTT_ALERTS',
  original_seq: 90211,
  correlation_id: 'c-7f3a',
  status: 503,
  excerpt: 'Service Unavailable',
  replays: 0,
  payload_bytes: 912,
};

export function dlqRoutes(api: ApiRouter, s: ManagementServices): void {
  api.openapi.describeTag(
    'dlq',
    'Dead letters (MUTT_DLQ): what could not be processed, why, and the original message; replay or purge them.',
  );
  const tag = 'dlq';
  api.route(
    {
      method: 'get',
      path: '/api/v2/dlq',
      operationId: 'listDeadLetters',
      tag,
      scope: 'read',
      query: ListQuery,
      summary: 'List dead letters',
      description: 'Oldest first. `total` counts every entry matching stage/reason (omitted with since).',
      responses: {
        200: {
          description: 'One page.',
          schema: z.object({ items: z.array(DlqEntryView), next_cursor: PageFields.next_cursor, total: PageFields.total }),
          example: { items: [entryExample], next_cursor: 312, total: 40 },
        },
      },
    },
    async ({ query }) => {
      const page = await s.dlq.list(query);
      return { status: 200, body: { items: page.items.map(dlqView), next_cursor: page.nextCursor, total: page.total } };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/api/v2/dlq/replay',
      operationId: 'replayDeadLetters',
      tag,
      scope: 'admin',
      headers: [ReasonHeader],
      summary: 'Replay every dead letter matching a filter',
      description: 'Republishes each to its original subject (deduplicated, Mutt-Replays counted) and removes it from the DLQ.',
      body: { schema: ReplayFilter, example: { stage: 'forwarder', reason: 'retries_exhausted', limit: 500 } },
      responses: {
        200: {
          description: 'What was replayed.',
          schema: z.object({
            replayed: z.number().int(),
            failed: z.array(z.object({ seq: z.number().int(), error: z.string() })),
            items: z.array(Replayed),
          }),
          example: { replayed: 1, failed: [], items: [{ seq: 311, to: { stream: 'MUTT_ALERTS', seq: 90577 } }] },
        },
      },
    },
    async ({ body, change }) => {
      const r = await s.dlq.replayMatching(
        { stage: body.stage, reason: body.reason, since: body.since, limit: body.limit },
        change(body.comment),
      );
      return { status: 200, body: { replayed: r.replayed.length, failed: r.failed, items: r.replayed } };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/api/v2/dlq/purge',
      operationId: 'purgeDeadLetters',
      tag,
      scope: 'admin',
      headers: [ReasonHeader],
      summary: 'Purge dead letters matching a filter',
      description: 'Needs `"confirm": true`. No filter purges everything.',
      body: { schema: PurgeFilter, example: { stage: 'alerter', reason: 'schema_invalid', confirm: true } },
      responses: {
        200: { description: 'How many were deleted.', schema: z.object({ purged: z.number().int() }), example: { purged: 12 } },
      },
    },
    async ({ body, change }) => ({
      status: 200,
      body: await s.dlq.purge({ stage: body.stage, reason: body.reason, since: body.since }, change(body.comment)),
    }),
  );

  api.route(
    {
      method: 'get',
      path: '/api/v2/dlq/:seq',
      operationId: 'getDeadLetter',
      tag,
      scope: 'read',
      params: SeqParam,
      summary: 'Show one dead letter with its decoded payload',
      responses: {
        200: {
          description: 'The entry, its original headers and payload.',
          schema: DlqDetail,
          example: {
            ...entryExample,
            original_headers: { 'Mutt-Correlation-Id': 'c-7f3a' },
            payload: { encoding: 'json', value: { kind: 'rule', host: 'core-sw1.example.com' }, bytes: 912 },
          },
        },
        404: { description: 'No dead letter at this sequence.' },
      },
    },
    async ({ params }) => {
      const e = await s.dlq.show(params.seq);
      return { status: 200, body: { ...dlqView(e), original_headers: e.entry.originalHeaders ?? {}, payload: e.payload } };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/api/v2/dlq/:seq/replay',
      operationId: 'replayDeadLetter',
      tag,
      scope: 'admin',
      params: SeqParam,
      headers: [ReasonHeader],
      summary: 'Replay one dead letter',
      responses: {
        200: {
          description: 'Republished; the dead letter is removed.',
          schema: Replayed,
          example: { seq: 311, to: { stream: 'MUTT_ALERTS', seq: 90577 } },
        },
        404: { description: 'No dead letter at this sequence.' },
      },
    },
    async ({ params, change }) => ({ status: 200, body: await s.dlq.replay(params.seq, change()) }),
  );

  api.route(
    {
      method: 'delete',
      path: '/api/v2/dlq/:seq',
      operationId: 'purgeDeadLetter',
      tag,
      scope: 'admin',
      params: SeqParam,
      headers: [ReasonHeader],
      summary: 'Purge one dead letter',
      responses: {
        200: { description: 'Deleted.', schema: z.object({ purged: z.number().int() }), example: { purged: 1 } },
        404: { description: 'No dead letter at this sequence.' },
      },
    },
    async ({ params, change }) => ({ status: 200, body: await s.dlq.purgeOne(params.seq, change()) }),
  );
}
