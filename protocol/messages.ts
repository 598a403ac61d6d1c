// The zod schema of every message MUTT stores in a stream. Types are inferred from these, never written twice.
// Times are epoch milliseconds (cheap in msgpack, unambiguous across time zones).

import { z } from 'zod';

const epochMs = z.number().int().nonnegative();
const severity = z.number().int().min(0).max(7).nullable();

/** Where an event entered MUTT. */
export const EventSource = z.object({
  input: z.enum(['http', 'syslog-udp', 'syslog-tcp', 'snmp', 'nats']),
  address: z.string().optional(),
});

const eventBase = {
  /** Stable identity: the dedupe key (Nats-Msg-Id) for the event and everything derived from it. */
  id: z.string().min(1).max(200),
  correlationId: z.string().min(1).max(200),
  host: z.string().min(1).max(255),
  message: z.string().max(65536),
  severity,
  /** Event time as the sender stated it (falls back to receive time). */
  time: epochMs,
  receivedAt: epochMs,
  source: EventSource,
  /** Normalised trap OID ('.1.3.6…'); syslog lines relayed from snmptrapd may carry one too. */
  trapOid: z.string().optional(),
  facility: z.string().optional(),
  /** The original text or JSON as received, for audit and replay. */
  raw: z.string().max(131072).optional(),
  /** Every field the sender gave that MUTT has no name for, kept as is. */
  fields: z.record(z.string(), z.unknown()).optional(),
};

export const SyslogEvent = z.object({
  kind: z.literal('syslog'),
  ...eventBase,
  appName: z.string().optional(),
  procId: z.string().optional(),
  msgId: z.string().optional(),
  /** How the line was understood: a syslog format, 'json' for HTTP posts, or 'unparsed' (whole line kept as message). */
  parse: z.enum(['rfc5424', 'rfc3164', 'cisco', 'lenient', 'unparsed', 'json']),
});

export const Varbind = z.object({
  oid: z.string(),
  type: z.string(),
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
});

export const TrapEvent = z.object({
  kind: z.literal('trap'),
  ...eventBase,
  version: z.enum(['v1', 'v2c', 'inform', 'unknown']),
  enterprise: z.string().optional(),
  agentAddress: z.string().optional(),
  genericTrap: z.number().int().optional(),
  specificTrap: z.number().int().optional(),
  varbinds: z.array(Varbind),
});

export const IngestEvent = z.discriminatedUnion('kind', [SyslogEvent, TrapEvent]);
export type IngestEvent = z.infer<typeof IngestEvent>;
export type SyslogEvent = z.infer<typeof SyslogEvent>;
export type TrapEvent = z.infer<typeof TrapEvent>;
export type Varbind = z.infer<typeof Varbind>;

export const Handling = z.enum(['page_and_ticket', 'page_only', 'ticket_only', 'ignore']);
export type Handling = z.infer<typeof Handling>;
export const Decision = z.enum(['page_and_ticket', 'page_only', 'ticket_only', 'ignore', 'unhandled', 'meta_alert']);
export type Decision = z.infer<typeof Decision>;
export const Environment = z.enum(['prod', 'dev']);
export type Environment = z.infer<typeof Environment>;

/** What the alerter hands to the forwarder. Carries no secret: Moog credentials live only in the forwarder. */
export const Alert = z.object({
  kind: z.enum(['rule', 'meta']),
  /** Nats-Msg-Id of the alert: derived from the event id and rule, so a redelivered event never alerts twice. */
  id: z.string().min(1),
  eventId: z.string(),
  correlationId: z.string(),
  host: z.string(),
  message: z.string(),
  severity,
  eventTime: epochMs,
  createdAt: epochMs,
  decision: z.enum(['page_and_ticket', 'page_only', 'ticket_only', 'meta_alert']),
  ruleId: z.string(),
  environment: Environment,
  team: z.string(),
  /** Masked message text: the same problem with different numbers/addresses has the same fingerprint. */
  fingerprint: z.string(),
  trapOid: z.string().optional(),
  event: IngestEvent,
});
export type Alert = z.infer<typeof Alert>;

export const DlqReason = z.enum([
  'undecodable', // bytes that are neither msgpack nor JSON
  'schema_invalid', // decodable, but not the message kind the stream carries
  'retries_exhausted', // a retryable failure outlived its attempt budget
  'expired', // a retryable failure outlived its age budget
  'rejected', // the far side refused it for good (e.g. Moogsoft 4xx)
  'poison', // the handler crashed the process (delivered too often without an outcome)
  'deadline_exceeded', // the handler did not settle within the actor's deadline, on its last attempt
  'max_replays', // replayed too often; quarantined for an operator
]);
export type DlqReason = z.infer<typeof DlqReason>;

/** Reasons whose cause may go away by itself (a slow or hung Moogsoft included): remediation replays these. */
export const TRANSIENT_REASONS: readonly DlqReason[] = ['retries_exhausted', 'expired', 'deadline_exceeded'];

export const DlqEntry = z.object({
  reason: DlqReason,
  stage: z.string(),
  attempts: z.number().int().nonnegative(),
  firstError: z.string(),
  lastError: z.string(),
  firstSeenAt: epochMs,
  lastSeenAt: epochMs,
  originalSubject: z.string(),
  originalStream: z.string(),
  originalSeq: z.number().int().nonnegative().optional(),
  originalHeaders: z.record(z.string(), z.string()).optional(),
  originalPayload: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes'),
  correlationId: z.string().optional(),
  /** HTTP status and response excerpt when a remote refused the message. */
  status: z.number().int().optional(),
  excerpt: z.string().optional(),
  replays: z.number().int().nonnegative().default(0),
});
export type DlqEntry = z.infer<typeof DlqEntry>;

export const EventAuditRecord = z.object({
  kind: z.enum(['handled', 'unhandled', 'meta']),
  eventId: z.string(),
  correlationId: z.string(),
  at: epochMs,
  eventTime: epochMs,
  host: z.string(),
  ruleId: z.string().nullable(),
  decision: Decision,
  forwarded: z.boolean(),
  environment: Environment,
  team: z.string().nullable(),
  severity,
  alertId: z.string().optional(),
  event: IngestEvent,
});
export type EventAuditRecord = z.infer<typeof EventAuditRecord>;

export const ConfigAuditRecord = z.object({
  at: epochMs,
  /** The API key's name (or 'cli', 'system'), never the secret. */
  actor: z.string(),
  kind: z.enum(['rule', 'host', 'team', 'config', 'key', 'dlq']),
  id: z.string(),
  operation: z.enum(['create', 'update', 'delete', 'replay', 'purge', 'quarantine', 'import', 'reset']),
  oldValue: z.unknown().optional(),
  newValue: z.unknown().optional(),
  reason: z.string().optional(),
  correlationId: z.string(),
});
export type ConfigAuditRecord = z.infer<typeof ConfigAuditRecord>;
