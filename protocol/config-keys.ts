// Dynamic configuration: every key of the mutt_config bucket, its schema, default and the actor that reads it.
// Writes are validated against the key's schema (unknown key or bad value is refused with the constraint);
// readers get typed values with defaults filled in.
//   parseConfigValue('moog_rate_limit', '100') -> { ok: true, value: 100 }

import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const bool = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());

export const ConfigKeys = {
  // alerter
  unhandled_threshold: {
    schema: int(1, 1_000_000),
    default: 100,
    actor: 'alerter',
    description: 'Unmatched events per (host, fingerprint) within the window that raise one meta-alert.',
  },
  unhandled_window_seconds: {
    schema: int(1, 30 * 86400),
    default: 86400,
    actor: 'alerter',
    description: 'Window for counting unmatched events; the meta-alert is suppressed for the rest of it.',
  },
  unhandled_default_team: {
    schema: z.string().min(1).max(100),
    default: 'NETO',
    actor: 'alerter',
    description: 'Team of a meta-alert when the host has no device team.',
  },
  alerter_backpressure_depth: {
    schema: int(1, 100_000_000),
    default: 100_000,
    actor: 'alerter',
    description: 'The alerter stops pulling while MUTT_ALERTS holds more than this many alerts.',
  },
  alerter_regex_budget_ms: {
    schema: int(1, 1000),
    default: 50,
    actor: 'alerter',
    description:
      'Time budget for matching one event against the regex rules; a change is compiled into the rule set by the next event (no rule edit needed).',
  },
  // forwarder
  moog_rate_limit: {
    schema: int(1, 1_000_000),
    default: 50,
    actor: 'forwarder',
    description: 'Deliveries to Moogsoft per period, across all forwarders together.',
  },
  moog_rate_period: { schema: num(0.1, 3600), default: 1, actor: 'forwarder', description: 'Rate-limit period in seconds.' },
  moog_rate_adaptive: {
    schema: bool,
    default: false,
    actor: 'forwarder',
    description: 'On 429/503 halve the rate, then recover it gradually (AIMD).',
  },
  moog_timeout_ms: {
    schema: int(100, 120_000),
    default: 10_000,
    actor: 'forwarder',
    description: 'Per-request timeout (connect, answer and body), read at every request: a change applies from the next one.',
  },
  moog_concurrency: {
    schema: int(1, 1024),
    default: 32,
    actor: 'forwarder',
    description:
      "In-flight deliveries per forwarder process, read at every delivery (lowered: the requests running finish first). All forwarders together hold at most max(1000, 4 × the value at the last forwarder start) alerts unacknowledged (the consumer's max_ack_pending).",
  },
  moog_batch_size: {
    schema: int(1, 1000),
    default: 1,
    actor: 'forwarder',
    description:
      'Alerts per Moogsoft request (REST LAM {"events":[...]}, Events API array); 1 sends each alert alone, as a receiver that takes single events needs. Default 1 (as before batching) until the batch path has its own tests and measurements; 50 is the size to try. Read at every alert.',
  },
  moog_batch_linger_ms: {
    schema: int(0, 1000),
    default: 5,
    actor: 'forwarder',
    description:
      'How long a batch waits for more alerts after its first before it is sent (0: only the alerts that arrived in the same event-loop turn). Read at every batch.',
  },
  moog_retry_statuses: {
    schema: z.array(int(100, 599)),
    default: [408, 425, 429, 500, 502, 503, 504],
    actor: 'forwarder',
    description: 'HTTP statuses that are retried (any other 5xx is retried too); other 4xx are permanent.',
  },
  moog_max_attempts: {
    schema: int(1, 1000),
    default: 10,
    actor: 'forwarder',
    description: 'Attempts before a retryable failure is dead-lettered.',
  },
  moog_max_age_seconds: {
    schema: int(1, 30 * 86400),
    default: 6 * 3600,
    actor: 'forwarder',
    description: 'Age after which a still-failing alert is dead-lettered.',
  },
  moog_backoff_base_ms: {
    schema: int(10, 600_000),
    default: 1000,
    actor: 'forwarder',
    description: 'First retry delay; doubles each attempt, with jitter.',
  },
  moog_backoff_max_ms: { schema: int(100, 3_600_000), default: 60_000, actor: 'forwarder', description: 'Largest retry delay.' },
  moog_payload_format: {
    schema: z.enum(['rest_lam', 'events_api']),
    default: 'rest_lam',
    actor: 'forwarder',
    description: 'REST LAM event object, or the Moogsoft Cloud Events API array.',
  },
  moog_signature: {
    schema: z.string().min(1).max(200),
    default: '{host}:{rule}:{fingerprint}',
    actor: 'forwarder',
    description: 'Signature template: {host} {rule} {fingerprint} {team} {oid}.',
  },
  moog_severity_map: {
    schema: z.array(int(0, 5)).length(8),
    default: [5, 5, 5, 4, 3, 2, 2, 1],
    actor: 'forwarder',
    description: 'Moog severity (0 clear … 5 critical) for syslog severity 0…7.',
  },
  moog_manager: {
    schema: z.string().min(1).max(100),
    default: 'MUTT',
    actor: 'forwarder',
    description: 'manager field of the REST LAM event.',
  },
  breaker_failure_rate: {
    schema: num(0.01, 1),
    default: 0.5,
    actor: 'forwarder',
    description: 'Failure ratio within the window that opens the breaker.',
  },
  breaker_min_requests: {
    schema: int(1, 100_000),
    default: 10,
    actor: 'forwarder',
    description: 'Requests in the window before the ratio counts.',
  },
  breaker_window_seconds: { schema: int(1, 3600), default: 30, actor: 'forwarder', description: 'Window over which failures are counted.' },
  breaker_open_seconds: {
    schema: int(1, 3600),
    default: 30,
    actor: 'forwarder',
    description: 'How long the breaker stays open before one probe.',
  },
  // remediation
  remediation_enabled: { schema: bool, default: true, actor: 'remediation', description: 'Replay transient dead letters automatically.' },
  remediation_interval_seconds: { schema: int(1, 86400), default: 60, actor: 'remediation', description: 'Pause between replay passes.' },
  remediation_batch_size: { schema: int(1, 10_000), default: 100, actor: 'remediation', description: 'Dead letters replayed per pass.' },
  remediation_max_replays: {
    schema: int(0, 100),
    default: 3,
    actor: 'remediation',
    description: 'Replays before an entry is quarantined.',
  },
  // gateway
  ingest_rate_limit: {
    schema: int(0, 10_000_000),
    default: 0,
    actor: 'gateway',
    description: 'Events per key per window (0 = off); beyond it 429 + Retry-After.',
  },
  ingest_rate_window_seconds: {
    schema: int(1, 3600),
    default: 60,
    actor: 'gateway',
    description: 'Window of the per-key ingest rate limit.',
  },
  slo_window_hours: { schema: int(1, 24 * 30), default: 24, actor: 'gateway', description: 'Window over which SLOs are computed.' },
} as const satisfies Record<string, { schema: z.ZodType; default: unknown; actor: string; description: string }>;

export type ConfigKey = keyof typeof ConfigKeys;
export type ConfigValues = { -readonly [K in ConfigKey]: z.output<(typeof ConfigKeys)[K]['schema']> };

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(ConfigKeys, key);
}

export function configDefaults(): ConfigValues {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(ConfigKeys)) out[k] = structuredClone(spec.default);
  return out as ConfigValues;
}

export type ConfigParse = { ok: true; value: unknown } | { ok: false; error: string };

export function parseConfigValue(key: string, value: unknown): ConfigParse {
  if (!isConfigKey(key)) return { ok: false, error: `unknown config key '${key}'` };
  const parsed = ConfigKeys[key].schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, error: `${key}${issue.path.length ? '.' + issue.path.join('.') : ''}: ${issue.message}` };
}
