// v2.5's page-numbered audit routes, kept for old clients on top of the cursor-paged services:
//   GET /api/v1/audit-logs      event audit  {logs, pagination:{page, limit, total, pages}}
//   GET /api/v1/audit           config audit {logs, pagination}   (changed_by, operation, table_name, record_id)
//   GET /api/v1/config/history  config changes {history, pagination}
// Same parameters and shapes as v2.5, its defects fixed: bad numbers or dates are a 400 (not a 500), dates are
// ISO 8601, history works. `total`/`pages` are null when counting would need a scan (time or text filters).
// Pages deeper than 10,000 records are refused: use the /api/v2 cursor.
//   legacyAuditRoutes(api, services)

import { z } from 'zod';
import type { ConfigAuditRecord } from '../../protocol/messages.ts';
import type { AuditPage, ConfigAuditEntry, ConfigAuditFilter } from '../services/audit-config.ts';
import type { EventAuditEntry } from '../services/audit-events.ts';
import type { ManagementServices } from '../services/index.ts';
import { httpError } from '../http-error.ts';
import { iso, nullableIsoTime, timeParam } from './common.ts';
import type { ApiRouter } from './route.ts';
import { v1Deprecation } from './version.ts';

const MAX_DEPTH = 10_000;

const pageParam = z.coerce.number().int().min(1).default(1).describe('Page number, from 1.');
/** v2.5 clamped the page size into 1–200 rather than refusing it. */
const legacyLimit = z.coerce
  .number()
  .int()
  .default(50)
  .transform((v) => Math.min(200, Math.max(1, v)))
  .describe('Page size, clamped to 1–200 (default 50).');

const Pagination = z.object({
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int().nullable(),
  pages: z.number().int().nullable(),
});

const TABLES = {
  alert_rules: 'rule',
  dynamic_config: 'config',
  development_hosts: 'host',
  device_teams: 'team',
  api_keys: 'key',
  dead_letters: 'dlq',
} as const;
const TABLE_OF = Object.fromEntries(Object.entries(TABLES).map(([t, k]) => [k, t])) as Record<
  ConfigAuditRecord['kind'],
  keyof typeof TABLES
>;
const OPERATIONS = { create: 'create', update: 'update', delete: 'delete' } as const;

/** Collects records [skip, skip + take) of a cursor-paged source. */
async function slice<T>(
  fetch: (cursor: number | undefined, limit: number) => Promise<AuditPage<T>>,
  page: number,
  limit: number,
): Promise<{ items: T[]; total: number | null }> {
  const skip = (page - 1) * limit;
  if (skip + limit > MAX_DEPTH)
    throw httpError(400, {
      message: `page ${page} is too deep for page numbers; use the /api/v2 cursor`,
      issues: [{ path: 'page', message: `page × limit must be ≤ ${MAX_DEPTH}` }],
    });
  const out: T[] = [];
  let cursor: number | undefined;
  let total: number | null = null;
  for (let first = true; out.length < skip + limit; first = false) {
    const r = await fetch(cursor, Math.min(500, skip + limit - out.length));
    if (first) total = r.total;
    out.push(...r.items);
    if (r.nextCursor === null) break;
    cursor = r.nextCursor;
  }
  return { items: out.slice(skip, skip + limit), total };
}

function pagination(page: number, limit: number, total: number | null) {
  return { page, limit, total, pages: total === null ? null : Math.ceil(total / limit) };
}

const EventLogRow = z.object({
  id: z.number().int(),
  event_timestamp: nullableIsoTime,
  received_at: nullableIsoTime,
  hostname: z.string(),
  matched_rule_id: z.string().nullable(),
  handling_decision: z.string(),
  forwarded_to_moog: z.boolean(),
  raw_message: z.string(),
  correlation_id: z.string(),
  environment: z.string(),
  team: z.string().nullable(),
  severity: z.number().int().nullable(),
});

const ConfigLogRow = z.object({
  id: z.number().int(),
  changed_at: nullableIsoTime,
  changed_by: z.string(),
  operation: z.string().describe('CREATE, UPDATE, DELETE (and REPLAY, PURGE, IMPORT, RESET for changes v2.5 did not have).'),
  table_name: z.string(),
  record_id: z.string(),
  old_values: z.unknown().nullable(),
  new_values: z.unknown().nullable(),
  reason: z.string().nullable(),
  correlation_id: z.string(),
});

function eventRow(e: EventAuditEntry): z.output<typeof EventLogRow> {
  const r = e.record;
  return {
    id: e.seq,
    event_timestamp: iso(r.eventTime),
    received_at: iso(r.event.receivedAt),
    hostname: r.host,
    matched_rule_id: r.ruleId,
    handling_decision: r.decision,
    forwarded_to_moog: r.forwarded,
    raw_message: r.event.raw ?? r.event.message,
    correlation_id: r.correlationId,
    environment: r.environment,
    team: r.team,
    severity: r.severity,
  };
}

function configRow(e: ConfigAuditEntry): z.output<typeof ConfigLogRow> {
  const r = e.record;
  return {
    id: e.seq,
    changed_at: iso(r.at),
    changed_by: r.actor,
    operation: r.operation.toUpperCase(),
    table_name: TABLE_OF[r.kind],
    record_id: r.id,
    old_values: r.oldValue ?? null,
    new_values: r.newValue ?? null,
    reason: r.reason ?? null,
    correlation_id: r.correlationId,
  };
}

const AuditLogsQuery = z.object({
  page: pageParam,
  limit: legacyLimit,
  hostname: z.string().trim().min(1).max(255).optional(),
  rule_id: z.string().trim().min(1).max(64).optional(),
  start_date: timeParam('Inclusive lower bound (ISO 8601 or epoch ms).'),
  end_date: timeParam('Inclusive upper bound.'),
});

const ConfigAuditQuery = z.object({
  page: pageParam,
  limit: legacyLimit,
  changed_by: z.string().trim().min(1).max(100).optional().describe('Case-insensitive part of the key name.'),
  operation: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['create', 'update', 'delete']))
    .optional()
    .describe('CREATE, UPDATE or DELETE (any case).'),
  table_name: z.enum(Object.keys(TABLES) as [keyof typeof TABLES, ...(keyof typeof TABLES)[]]).optional(),
  record_id: z.string().trim().min(1).max(255).optional(),
  start_date: timeParam('Inclusive lower bound (ISO 8601 or epoch ms).'),
  end_date: timeParam('Inclusive upper bound.'),
});

const HistoryQuery = z.object({ page: pageParam, limit: legacyLimit });

const configRowExample = {
  id: 77,
  changed_at: '2026-01-05T09:30:00.000Z',
  changed_by: 'ops',
  operation: 'UPDATE',
  table_name: 'dynamic_config',
  record_id: 'moog_rate_limit',
  old_values: { key: 'moog_rate_limit', value: 50 },
  new_values: { key: 'moog_rate_limit', value: 100 },
  reason: 'capacity',
  correlation_id: 'c-9b1e',
};

export function legacyAuditRoutes(api: ApiRouter, s: ManagementServices): void {
  api.route(
    {
      method: 'get',
      path: '/api/v1/audit-logs',
      operationId: 'eventAuditLogsV1',
      tag: 'audit',
      scope: 'read',
      query: AuditLogsQuery,
      summary: 'Event audit, page-numbered (v1)',
      deprecated: v1Deprecation('/api/v2/audit/events'),
      responses: {
        200: {
          description: 'Newest first.',
          schema: z.object({ logs: z.array(EventLogRow), pagination: Pagination }),
          example: {
            logs: [
              {
                id: 1042,
                event_timestamp: '2026-01-05T09:29:59.000Z',
                received_at: '2026-01-05T09:30:00.100Z',
                hostname: 'core-sw1.example.com',
                matched_rule_id: 'link-down',
                handling_decision: 'page_and_ticket',
                forwarded_to_moog: true,
                raw_message: '%LINK-3-UPDOWN: Interface Gi0/1, changed state to down',
                correlation_id: 'c-7f3a',
                environment: 'prod',
                team: 'NETO',
                severity: 3,
              },
            ],
            pagination: { page: 1, limit: 50, total: 1, pages: 1 },
          },
        },
      },
    },
    async ({ query: q }) => {
      const { items, total } = await slice(
        (cursor, limit) =>
          s.eventAudit.query({ host: q.hostname, rule: q.rule_id, from: q.start_date, to: q.end_date, cursor, limit, order: 'desc' }),
        q.page,
        q.limit,
      );
      return { status: 200, body: { logs: items.map(eventRow), pagination: pagination(q.page, q.limit, total) } };
    },
  );

  const configPage = (f: Omit<ConfigAuditFilter, 'cursor' | 'limit' | 'order'>, page: number, limit: number) =>
    slice((cursor, n) => s.configAudit.query({ ...f, cursor, limit: n, order: 'desc' }), page, limit);

  api.route(
    {
      method: 'get',
      path: '/api/v1/audit',
      operationId: 'configAuditV1',
      tag: 'audit',
      scope: 'read',
      query: ConfigAuditQuery,
      summary: 'Config audit, page-numbered (v1)',
      deprecated: v1Deprecation('/api/v2/audit/config'),
      responses: {
        200: {
          description: 'Newest first.',
          schema: z.object({ logs: z.array(ConfigLogRow), pagination: Pagination }),
          example: { logs: [configRowExample], pagination: { page: 1, limit: 50, total: 1, pages: 1 } },
        },
      },
    },
    async ({ query: q }) => {
      const { items, total } = await configPage(
        {
          kind: q.table_name ? TABLES[q.table_name] : undefined,
          id: q.record_id,
          actorContains: q.changed_by,
          operation: q.operation ? OPERATIONS[q.operation] : undefined,
          from: q.start_date,
          to: q.end_date,
        },
        q.page,
        q.limit,
      );
      return { status: 200, body: { logs: items.map(configRow), pagination: pagination(q.page, q.limit, total) } };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/api/v1/config/history',
      operationId: 'configChangesV1',
      tag: 'config',
      scope: 'read',
      query: HistoryQuery,
      summary: 'Configuration changes, page-numbered (v1)',
      description: 'v2.5 always answered 500 here; this works.',
      deprecated: v1Deprecation('/api/v2/audit/config?kind=config'),
      responses: {
        200: {
          description: 'Newest first.',
          schema: z.object({ history: z.array(ConfigLogRow), pagination: Pagination }),
          example: { history: [configRowExample], pagination: { page: 1, limit: 50, total: 1, pages: 1 } },
        },
      },
    },
    async ({ query: q }) => {
      const { items, total } = await configPage({ kind: 'config' }, q.page, q.limit);
      return { status: 200, body: { history: items.map(configRow), pagination: pagination(q.page, q.limit, total) } };
    },
  );
}
