// Stream, consumer and KV bucket definitions. Sizes and ages come from the environment (protocol/env.ts);
// replicas are configuration, not code.

import type { Env } from './env.ts';
import { ConfigKeys } from './config-keys.ts';
import { subjects } from './subjects.ts';

export const StreamName = {
  events: 'MUTT_EVENTS',
  alerts: 'MUTT_ALERTS',
  dlq: 'MUTT_DLQ',
  auditEvents: 'MUTT_AUDIT_EVENTS',
  auditConfig: 'MUTT_AUDIT_CONFIG',
} as const;
export type StreamName = (typeof StreamName)[keyof typeof StreamName];

export const Bucket = {
  rules: 'mutt_rules',
  hosts: 'mutt_hosts',
  config: 'mutt_config',
  state: 'mutt_state',
  keys: 'mutt_keys',
  counters: 'mutt_counters',
  unhandled: 'mutt_unhandled',
} as const;
export type Bucket = (typeof Bucket)[keyof typeof Bucket];

const DAY_NS = 24 * 3600 * 1e9;
const MINUTE_NS = 60 * 1e9;

/** Plain data matching the JetStream StreamConfig fields MUTT sets. */
export interface StreamSpec {
  name: StreamName;
  subjects: string[];
  retention: 'workqueue' | 'limits';
  discard: 'new' | 'old';
  max_msgs: number;
  max_bytes: number;
  max_age: number; // ns, 0 = forever
  duplicate_window: number; // ns
  storage: 'file' | 'memory';
  num_replicas: number;
  description: string;
}

export function streamSpecs(env: Env): StreamSpec[] {
  const common = { storage: env.MUTT_STORAGE, num_replicas: env.MUTT_REPLICAS } as const;
  return [
    {
      name: StreamName.events,
      subjects: [subjects.events],
      retention: 'workqueue',
      discard: 'new',
      max_msgs: env.MUTT_EVENTS_MAX_MSGS,
      max_bytes: env.MUTT_EVENTS_MAX_BYTES,
      max_age: 0,
      duplicate_window: 2 * MINUTE_NS,
      description: 'ingest backlog: syslog lines and traps awaiting the alerter',
      ...common,
    },
    {
      name: StreamName.alerts,
      subjects: [subjects.alerts],
      retention: 'workqueue',
      discard: 'new',
      max_msgs: env.MUTT_ALERTS_MAX_MSGS,
      max_bytes: -1,
      max_age: 0,
      duplicate_window: 10 * MINUTE_NS,
      description: 'delivery backlog: alerts awaiting Moogsoft',
      ...common,
    },
    {
      name: StreamName.dlq,
      subjects: [subjects.dlq],
      retention: 'limits',
      discard: 'old',
      max_msgs: -1,
      max_bytes: -1,
      max_age: env.MUTT_DLQ_MAX_AGE_DAYS * DAY_NS,
      duplicate_window: 2 * MINUTE_NS,
      description: 'dead letters with reason, stage and original payload',
      ...common,
    },
    {
      name: StreamName.auditEvents,
      subjects: [subjects.auditEvents],
      retention: 'limits',
      discard: 'old',
      max_msgs: -1,
      max_bytes: -1,
      max_age: env.MUTT_AUDIT_EVENTS_MAX_AGE_DAYS * DAY_NS,
      duplicate_window: 10 * MINUTE_NS,
      description: 'one record per handled event',
      ...common,
    },
    {
      name: StreamName.auditConfig,
      subjects: [subjects.auditConfig],
      retention: 'limits',
      discard: 'old',
      max_msgs: -1,
      max_bytes: -1,
      max_age: env.MUTT_AUDIT_CONFIG_MAX_AGE_DAYS * DAY_NS,
      duplicate_window: 2 * MINUTE_NS,
      description: 'who changed which rule, host, team, key or config',
      ...common,
    },
  ];
}

export interface BucketSpec {
  bucket: Bucket;
  history: number;
  max_age_ms: number; // 0 = forever
  description: string;
}

export const bucketSpecs: BucketSpec[] = [
  { bucket: Bucket.rules, history: 10, max_age_ms: 0, description: 'alert rules' },
  { bucket: Bucket.hosts, history: 5, max_age_ms: 0, description: 'dev.<host> development hosts, team.<host> device teams' },
  { bucket: Bucket.config, history: 20, max_age_ms: 0, description: 'dynamic configuration' },
  { bucket: Bucket.state, history: 1, max_age_ms: 0, description: 'breaker, rate windows, UI sessions (CAS)' },
  { bucket: Bucket.keys, history: 5, max_age_ms: 0, description: 'API key hashes and scopes' },
  { bucket: Bucket.counters, history: 1, max_age_ms: 26 * 3600 * 1000, description: 'per-minute ingest counts (kept 26 h)' },
  // One key per (host, fingerprint) of unmatched events, and a sender chooses both: each key must vanish once its
  // window is over. KV per-key TTL silently never expires on nats-server 2.9; a bucket's max_age does. Every
  // occurrence rewrites its key, so a key outlives its last occurrence by max_age, which is never before its
  // window ends. The alerter keeps max_age equal to the unhandled_window_seconds in effect
  // (actors/alerter/unhandled-expiry.ts); this is the value a new bucket starts with.
  {
    bucket: Bucket.unhandled,
    history: 1,
    max_age_ms: unhandledBucketMaxAgeMs(ConfigKeys.unhandled_window_seconds.default),
    description: 'unmatched-event counters per (host, fingerprint), expiring with their window',
  },
];

/** max_age of the mutt_unhandled bucket for a window: a counter is dropped no sooner than its window ends. */
export function unhandledBucketMaxAgeMs(windowSeconds: number): number {
  return windowSeconds * 1000;
}

/** Durable consumer names, one per consuming actor. */
export const Durable = {
  alerter: 'alerter',
  forwarder: 'forwarder',
  remediation: 'remediation',
} as const;
