// /api/v2/audit/events (what the alerter decided for each event: by host, rule, decision, forwarded, time) and
// /api/v2/audit/config (who changed which rule, host, team, config key, API key or dead letter: by kind, id,
// actor, operation, time). Both page by stream sequence: `cursor` = the previous page's next_cursor, `limit`
// ≤ 500, newest first unless order=asc; `total` when the filter is cheap to count. Times are ISO 8601.
//   auditRoutes(api, services)

import { z } from 'zod';
import { ConfigAuditRecord, Decision, Environment } from '../../protocol/messages.ts';
import type { ConfigAuditEntry } from '../services/audit-config.ts';
import type { EventAuditEntry } from '../services/audit-events.ts';
import type { ManagementServices } from '../services/index.ts';
import { boolParam, cursorParam, iso, isoTime, limitParam, orderParam, PageFields, timeParam } from './common.ts';
import type { ApiRouter } from './route.ts';

export const EventAuditView = z
  .object({
    seq: z.number().int().describe('Stream sequence (the cursor unit).'),
    at: isoTime.describe('When the alerter decided.'),
    stored_at: isoTime,
    event_time: isoTime.describe('Event time as the sender stated it.'),
    received_at: isoTime.describe('When MUTT received the event.'),
    kind: z.enum(['handled', 'unhandled', 'meta']),
    event_id: z.string(),
    correlation_id: z.string(),
    host: z.string(),
    rule_id: z.string().nullable(),
    decision: Decision,
    forwarded: z.boolean(),
    environment: Environment,
    team: z.string().nullable(),
    severity: z.number().int().nullable(),
    alert_id: z.string().nullable(),
    message: z.string(),
    event: z.record(z.string(), z.unknown()).describe('The event as stored (protocol IngestEvent).'),
  })
  .meta({ id: 'EventAuditRecord' });

export const ConfigAuditView = z
  .object({
    seq: z.number().int().describe('Stream sequence (the cursor unit).'),
    at: isoTime,
    actor: z.string().describe("The API key's name (or cli, system) — never a secret."),
    kind: ConfigAuditRecord.shape.kind,
    id: z.string(),
    operation: ConfigAuditRecord.shape.operation,
    old_value: z.unknown().optional(),
    new_value: z.unknown().optional(),
    reason: z.string().nullable(),
    correlation_id: z.string(),
  })
  .meta({ id: 'ConfigAuditRecord' });

export function eventAuditView(e: EventAuditEntry): z.output<typeof EventAuditView> {
  const r = e.record;
  return {
    seq: e.seq,
    at: iso(r.at),
    stored_at: iso(e.storedAt),
    event_time: iso(r.eventTime),
    received_at: iso(r.event.receivedAt),
    kind: r.kind,
    event_id: r.eventId,
    correlation_id: r.correlationId,
    host: r.host,
    rule_id: r.ruleId,
    decision: r.decision,
    forwarded: r.forwarded,
    environment: r.environment,
    team: r.team,
    severity: r.severity,
    alert_id: r.alertId ?? null,
    message: r.event.message,
    event: r.event as Record<string, unknown>,
  };
}

export function configAuditView(e: ConfigAuditEntry): z.output<typeof ConfigAuditView> {
  const r = e.record;
  return {
    seq: e.seq,
    at: iso(r.at),
    actor: r.actor,
    kind: r.kind,
    id: r.id,
    operation: r.operation,
    ...(r.oldValue !== undefined ? { old_value: r.oldValue } : {}),
    ...(r.newValue !== undefined ? { new_value: r.newValue } : {}),
    reason: r.reason ?? null,
    correlation_id: r.correlationId,
  };
}

const EventQuery = z.object({
  host: z.string().trim().min(1).max(255).optional().describe('Events from this host.'),
  rule: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .optional()
    .describe('Events this rule handled (`_unhandled` for unmatched, `_meta` for meta-alerts).'),
  decision: Decision.optional(),
  forwarded: boolParam('Only events that were (true) or were not (false) sent to Moogsoft.'),
  from: timeParam('Stored at or after (ISO 8601 or epoch ms).'),
  to: timeParam('Stored at or before (ISO 8601 or epoch ms).'),
  cursor: cursorParam,
  limit: limitParam(100, 500),
  order: orderParam,
});

const ConfigQuery = z.object({
  kind: ConfigAuditRecord.shape.kind.optional(),
  id: z.string().trim().min(1).max(255).optional().describe('Rule id, host name, config key, key name or DLQ sequence.'),
  actor: z.string().trim().min(1).max(100).optional().describe('Key name of whoever made the change.'),
  operation: ConfigAuditRecord.shape.operation.optional(),
  from: timeParam('At or after (ISO 8601 or epoch ms).'),
  to: timeParam('At or before (ISO 8601 or epoch ms).'),
  cursor: cursorParam,
  limit: limitParam(100, 500),
  order: orderParam,
});

const eventExample = {
  seq: 1042,
  at: '2026-01-05T09:30:00.120Z',
  stored_at: '2026-01-05T09:30:00.121Z',
  event_time: '2026-01-05T09:29:59.000Z',
  received_at: '2026-01-05T09:30:00.100Z',
  kind: 'handled',
  event_id: 'e-7f3a',
  correlation_id: 'c-7f3a',
  host: 'core-sw1.example.com',
  rule_id: 'link-down',
  decision: 'page_and_ticket',
  forwarded: true,
  environment: 'prod',
  team: 'NETO',
  severity: 3,
  alert_id: 'alert:e-7f3a:link-down',
  message: '%LINK-3-UPDOWN: Interface Gi0/1, changed state to down',
  event: { kind: 'syslog', id: 'e-7f3a', host: 'core-sw1.example.com', message: '%LINK-3-UPDOWN: Interface Gi0/1, changed state to down' },
};
const configExample = {
  seq: 77,
  at: '2026-01-05T09:30:00.000Z',
  actor: 'ops',
  kind: 'rule',
  id: 'link-down',
  operation: 'update',
  old_value: { id: 'link-down', priority: 100 },
  new_value: { id: 'link-down', priority: 10 },
  reason: 'CHG-1234',
  correlation_id: 'c-9b1e',
};

export function auditRoutes(api: ApiRouter, s: ManagementServices): void {
  api.openapi.describeTag('audit', 'Event audit (MUTT_AUDIT_EVENTS, 90 days) and config audit (MUTT_AUDIT_CONFIG, 365 days).');
  api.route(
    {
      method: 'get',
      path: '/api/v2/audit/events',
      operationId: 'queryEventAudit',
      tag: 'audit',
      scope: 'read',
      query: EventQuery,
      summary: 'Query the event audit trail',
      description:
        'host and rule filter through the stream subject (cheap, and `total` is exact); decision, forwarded and time filter per record, at most 20,000 records read per page (a page may come back short with a next_cursor).',
      responses: {
        200: {
          description: 'One page.',
          schema: z.object({ items: z.array(EventAuditView), ...PageFields }),
          example: { items: [eventExample], next_cursor: 1041, total: 5230, scanned: 1 },
        },
      },
    },
    async ({ query }) => {
      const page = await s.eventAudit.query(query);
      return {
        status: 200,
        body: { items: page.items.map(eventAuditView), next_cursor: page.nextCursor, total: page.total, scanned: page.scanned },
      };
    },
  );
  api.route(
    {
      method: 'get',
      path: '/api/v2/audit/config',
      operationId: 'queryConfigAudit',
      tag: 'audit',
      scope: 'read',
      query: ConfigQuery,
      summary: 'Query the config audit trail',
      description:
        'Every change to rules, development hosts, device teams, config keys, API keys and every DLQ operation: who (key name), when, old and new value, reason, correlation id.',
      responses: {
        200: {
          description: 'One page.',
          schema: z.object({ items: z.array(ConfigAuditView), ...PageFields }),
          example: { items: [configExample], next_cursor: 76, total: 77, scanned: 1 },
        },
      },
    },
    async ({ query }) => {
      const page = await s.configAudit.query(query);
      return {
        status: 200,
        body: { items: page.items.map(configAuditView), next_cursor: page.nextCursor, total: page.total, scanned: page.scanned },
      };
    },
  );
}
