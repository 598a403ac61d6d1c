// What the forwarder POSTs to Moogsoft for one alert, in either of the two formats Moogsoft ingests:
//   'rest_lam'   — one REST LAM event object (Moogsoft Enterprise / Onprem REST LAM, field names of its
//                  default mapping: signature, source_id, external_id, manager, source, class, agent, ...)
//   'events_api' — a one-element array for the Moogsoft Cloud Events API (source, check, description,
//                  severity name, dedupe_key, time, tags, ...)
// The payload never carries a credential: it is built from the Alert (which has none) and drops any
// secret-named field a sender may have attached to the original event.
// Several alerts go in one request as a REST LAM `{"events":[...]}` or a longer Events API array (moogBody).
//   toMoogPayload(alert, { format: 'rest_lam', signature: '{host}:{rule}:{fingerprint}', severityMap, manager: 'MUTT' })
//   moogBody('rest_lam', alerts.map((a) => moogEventText(a, cfg)))   // '{"events":[{...},{...}]}'

import type { Alert, IngestEvent } from '../../protocol/messages.ts';
import { moogSeverityName, toMoogSeverity } from './moog-severity.ts';
import { scrubSecrets } from './scrub.ts';
import { renderSignature } from './signature.ts';

export type PayloadFormat = 'rest_lam' | 'events_api';

export interface PayloadConfig {
  format: PayloadFormat;
  /** Signature template: {host} {rule} {fingerprint} {team} {oid}. */
  signature: string;
  /** Moog severity (0–5) for each syslog severity 0–7. */
  severityMap: readonly number[];
  manager: string;
}

export const AGENT = 'MUTT';

export interface RestLamEvent {
  signature: string;
  source_id: string;
  external_id: string;
  manager: string;
  source: string;
  class: string;
  agent: string;
  agent_location: string;
  type: string;
  severity: number;
  description: string;
  agent_time: number;
  custom_info: {
    decision: Alert['decision'];
    rule: string;
    environment: Alert['environment'];
    team: string;
    correlation_id: string;
    trap_oid: string | null;
    fingerprint: string;
    event_id: string;
    event: IngestEvent;
  };
}

export interface EventsApiEvent {
  source: string;
  check: string;
  description: string;
  severity: ReturnType<typeof moogSeverityName>;
  dedupe_key: string;
  time: number;
  manager: string;
  class: string;
  type: string;
  service: string[];
  /** Flat string values only: the Events API refuses nested objects in tags. */
  tags: Record<string, string>;
}

/** The body of a request carrying this one alert: moogBody of its moogEventText, as an object. */
export function toMoogPayload(alert: Alert, cfg: PayloadConfig): RestLamEvent | EventsApiEvent[] {
  const event = toMoogEvent(alert, cfg);
  return cfg.format === 'events_api' ? [event as EventsApiEvent] : (event as RestLamEvent);
}

/** The one event of an alert in the configured format, as JSON text: what a batch body is assembled from. */
export function moogEventText(alert: Alert, cfg: PayloadConfig): string {
  return JSON.stringify(toMoogEvent(alert, cfg));
}

function toMoogEvent(alert: Alert, cfg: PayloadConfig): RestLamEvent | EventsApiEvent {
  return cfg.format === 'events_api' ? toEventsApiEvent(alert, cfg) : toRestLamEvent(alert, cfg);
}

/**
 * The request body for events given as JSON texts (moogEventText). One event is sent exactly as
 * toMoogPayload builds it (a REST LAM object, a one-element Events API array); several are a REST LAM
 * `{"events":[...]}` or an Events API array.
 */
export function moogBody(format: PayloadFormat, texts: readonly string[]): string {
  if (format === 'events_api') return `[${texts.join(',')}]`;
  return texts.length === 1 ? texts[0] : `{"events":[${texts.join(',')}]}`;
}

export function toRestLamEvent(alert: Alert, cfg: PayloadConfig): RestLamEvent {
  return {
    signature: renderSignature(cfg.signature, alert),
    source_id: alert.host,
    // The alert id is stable across redeliveries, so Moogsoft (and the fake) can recognise a retried POST.
    external_id: alert.id,
    manager: cfg.manager,
    source: alert.host,
    // v2.5 put the team in class; Moogsoft routing set up for v2.5 keys on it, so it stays.
    class: alert.team,
    agent: AGENT,
    agent_location: agentLocation(alert.event),
    type: alertType(alert),
    severity: toMoogSeverity(alert.severity, cfg.severityMap),
    description: alert.message,
    // Event time, not send time: an alert delivered after an outage must not look fresh.
    agent_time: Math.floor(alert.eventTime / 1000),
    custom_info: {
      decision: alert.decision,
      rule: alert.ruleId,
      environment: alert.environment,
      team: alert.team,
      correlation_id: alert.correlationId,
      trap_oid: alert.trapOid ?? null,
      fingerprint: alert.fingerprint,
      event_id: alert.eventId,
      event: withoutSecrets(alert.event),
    },
  };
}

export function toEventsApiEvent(alert: Alert, cfg: PayloadConfig): EventsApiEvent {
  const tags: Record<string, string> = {
    mutt_alert_id: alert.id,
    mutt_event_id: alert.eventId,
    correlation_id: alert.correlationId,
    decision: alert.decision,
    rule: alert.ruleId,
    environment: alert.environment,
    team: alert.team,
    fingerprint: alert.fingerprint,
    event_kind: alert.event.kind,
    input: agentLocation(alert.event),
  };
  if (alert.trapOid) tags.trap_oid = alert.trapOid;
  if (alert.event.kind === 'syslog' && alert.event.facility) tags.facility = alert.event.facility;
  return {
    source: alert.host,
    // check names the problem; two rules firing on one host are two alerts, as Moogsoft advises.
    check: alert.ruleId,
    description: alert.message,
    severity: moogSeverityName(toMoogSeverity(alert.severity, cfg.severityMap)),
    dedupe_key: renderSignature(cfg.signature, alert),
    time: Math.floor(alert.eventTime / 1000),
    manager: cfg.manager,
    class: alert.team,
    type: alertType(alert),
    service: [alert.team],
    tags,
  };
}

function alertType(alert: Alert): string {
  return alert.kind === 'meta' ? 'MetaAlert' : 'Alert';
}

function agentLocation(event: IngestEvent): string {
  return event.source.address ? `${event.source.input}@${event.source.address}` : event.source.input;
}

const SECRET_NAME = /api[_-]?key|apikey|secret|passw|token|authorization|credential/i;

/** The original event minus anything a sender attached that looks like a credential. */
function withoutSecrets(event: IngestEvent): IngestEvent {
  let out = event;
  if (event.fields && hasSecretKey(event.fields, 0)) out = { ...out, fields: dropSecretKeys(event.fields, 0) as Record<string, unknown> };
  if (event.raw !== undefined) {
    const raw = scrubSecrets(event.raw);
    if (raw !== event.raw) out = { ...out, raw };
  }
  return out;
}

// Bounded depth: sender JSON is size-capped at ingest, but a hostile nesting must not blow the stack here.
const MAX_DEPTH = 16;

function hasSecretKey(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => hasSecretKey(v, depth + 1));
  return Object.entries(value).some(([k, v]) => SECRET_NAME.test(k) || hasSecretKey(v, depth + 1));
}

function dropSecretKeys(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => dropSecretKeys(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !SECRET_NAME.test(k))
      .map(([k, v]) => [k, dropSecretKeys(v, depth + 1)]),
  );
}
