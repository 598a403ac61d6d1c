// Subject names and the one place where free text (host names, teams) becomes a subject token.
// A NATS token may not contain '.', '*', '>' or whitespace; host names are full of dots. We keep tokens
// readable for operators using the nats CLI: 'router1.prod.example.com' -> 'router1_prod_example_com'.
//   hostToken('Core-SW1.example.com') === 'core-sw1_example_com'
//   tokenToHost('core-sw1_example_com') === 'core-sw1.example.com'

const SAFE = /^[a-z0-9-]$/;
const PLAIN = /^[a-z0-9.-]+$/;

/** Encodes any text into one subject token: lower-cased, '.' -> '_', other unsafe bytes -> %XX. */
export function encodeToken(text: string): string {
  if (text.length === 0) return '%';
  const lower = text.toLowerCase();
  // Most host names and teams need nothing but the dots replaced: skip the per-character loop.
  if (PLAIN.test(lower)) return lower.replaceAll('.', '_');
  let out = '';
  for (const ch of lower) {
    if (SAFE.test(ch)) out += ch;
    else if (ch === '.') out += '_';
    else for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Inverse of encodeToken (the lower-cased form of the original). */
export function decodeToken(token: string): string {
  if (token === '%') return '';
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    const ch = token[i];
    if (ch === '_') bytes.push(0x2e);
    else if (ch === '%' && i + 2 < token.length && /^[0-9A-Fa-f]{2}$/.test(token.slice(i + 1, i + 3))) {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

export const hostToken = encodeToken;

/** Rule ids are already token-safe ([A-Za-z0-9_-], see protocol/rules.ts) and keep their case; anything else is encoded. */
export function ruleToken(ruleId: string): string {
  return /^[A-Za-z0-9_-]+$/.test(ruleId) ? ruleId : encodeToken(ruleId);
}
export const tokenToHost = decodeToken;

export const EventKind = { syslog: 'syslog', trap: 'trap' } as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/** Pipeline stages, as they appear in DLQ subjects and metrics. */
export const Stage = {
  ingest: 'ingest',
  alerter: 'alerter',
  forwarder: 'forwarder',
  remediation: 'remediation',
  quarantine: 'quarantine',
} as const;
export type Stage = (typeof Stage)[keyof typeof Stage];

/** Rule id used in audit subjects for events no rule matched, and for meta-alerts. Not a valid rule id. */
export const UNHANDLED_RULE = '_unhandled';
export const META_RULE = '_meta';

export const subjects = {
  events: 'mutt.events.>',
  event: (kind: EventKind, host: string) => `mutt.events.${kind}.${hostToken(host)}`,
  alerts: 'mutt.alerts.>',
  alert: (team: string) => `mutt.alerts.${encodeToken(team)}`,
  dlq: 'mutt.dlq.>',
  dlqEntry: (stage: Stage, reason: string) => `mutt.dlq.${stage}.${reason}`,
  dlqStage: (stage: Stage) => `mutt.dlq.${stage}.>`,
  auditEvents: 'mutt.audit.event.>',
  auditEvent: (host: string, ruleId: string) => `mutt.audit.event.${hostToken(host)}.${ruleToken(ruleId)}`,
  auditEventsByHost: (host: string) => `mutt.audit.event.${hostToken(host)}.*`,
  auditEventsByRule: (ruleId: string) => `mutt.audit.event.*.${ruleToken(ruleId)}`,
  auditConfig: 'mutt.audit.config.>',
  auditConfigEntry: (kind: string, id: string) => `mutt.audit.config.${encodeToken(kind)}.${encodeToken(id)}`,
  /** Core NATS (not stored): each process announces its health here every few seconds. */
  heartbeat: (actor: string, instance: string) => `mutt.health.${encodeToken(actor)}.${encodeToken(instance)}`,
  heartbeats: 'mutt.health.>',
  /** Core NATS: any message here makes every process send its heartbeat at once (`mutt status`). */
  healthPing: 'mutt.ping.health',
} as const;

/** Parses 'mutt.events.<kind>.<host>' back into its parts; null for anything else. */
export function parseEventSubject(subject: string): { kind: EventKind; host: string } | null {
  const parts = subject.split('.');
  if (parts.length !== 4 || parts[0] !== 'mutt' || parts[1] !== 'events') return null;
  if (parts[2] !== 'syslog' && parts[2] !== 'trap') return null;
  return { kind: parts[2], host: tokenToHost(parts[3]) };
}

/** Parses 'mutt.dlq.<stage>.<reason>'. */
export function parseDlqSubject(subject: string): { stage: string; reason: string } | null {
  const parts = subject.split('.');
  if (parts.length !== 4 || parts[0] !== 'mutt' || parts[1] !== 'dlq') return null;
  return { stage: parts[2], reason: parts[3] };
}

/** Header names carried on every MUTT message so the nats CLI shows the essentials without decoding msgpack. */
export const Headers = {
  correlationId: 'Mutt-Correlation-Id',
  host: 'Mutt-Host',
  rule: 'Mutt-Rule',
  decision: 'Mutt-Decision',
  reason: 'Mutt-Reason',
  stage: 'Mutt-Stage',
  attempts: 'Mutt-Attempts',
  error: 'Mutt-Error',
  contentType: 'Content-Type',
  msgId: 'Nats-Msg-Id',
} as const;
