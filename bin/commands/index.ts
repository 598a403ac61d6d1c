// Every `mutt` subcommand, in the order `mutt help` lists them. A command's module is loaded only when it runs
// (or prints its help): `mutt status` does not load the gateway, the actors or Hono, whose loading dominates a
// short command's start-up (docs/PERFORMANCE.md, "CLI start-up").
import type { Command } from './command.ts';
import { ACTOR_NAMES } from '../actors.ts';

export interface CommandEntry {
  name: string;
  /** One line for `mutt help`. */
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: CommandEntry[] = [
  {
    name: 'up',
    summary: 'run the gateway and every actor in one process (starts nats-server if none is running)',
    load: async () => (await import('./serve.ts')).up,
  },
  {
    name: 'run',
    summary: `run one actor (${ACTOR_NAMES.join(' | ')}); N such processes share its work`,
    load: async () => (await import('./serve.ts')).run,
  },
  {
    name: 'gateway',
    summary: 'run the HTTP gateway alone (ingest API, management API, web UI)',
    load: async () => (await import('./serve.ts')).gateway,
  },
  {
    name: 'setup',
    summary: 'create or update MUTT streams and KV buckets, then exit',
    load: async () => (await import('./setup.ts')).setup,
  },
  {
    name: 'fake-moog',
    summary: 'run a fake Moogsoft that records alerts (GET /stats, /events) and misbehaves on request (POST /control)',
    load: async () => (await import('./fake-moog.ts')).fakeMoog,
  },
  {
    name: 'config-reference',
    summary: 'print the configuration reference (docs/CONFIGURATION.md) generated from the schemas',
    load: async () => (await import('./config-reference.ts')).configReference,
  },
  {
    name: 'status',
    summary: 'processes, readiness, rules, flow per input and decision, lag, DLQ, breaker and SLOs; exit 0 only when all ready',
    load: async () => (await import('./status.ts')).status,
  },
  {
    name: 'config',
    summary: 'list, read, change and reset dynamic configuration (validated, audited, live without restart)',
    load: async () => (await import('./config.ts')).config,
  },
  {
    name: 'dlq',
    summary: 'dead letters: list, show (decoded), replay, purge — each replay/purge audited',
    load: async () => (await import('./dlq.ts')).dlq,
  },
  {
    name: 'rules',
    summary: 'list, show, add, edit, disable, enable, remove and test alert rules; import / export them in MUTT v2.5 formats (CSV or JSON)',
    load: async () => (await import('./rules.ts')).rules,
  },
  {
    name: 'audit',
    summary: 'query the event audit: what the alerter decided for each event, and --follow to watch decisions live',
    load: async () => (await import('./audit.ts')).audit,
  },
  {
    name: 'hosts',
    summary: 'development hosts and device teams: list, add, remove, import / export (v2.5 formats)',
    load: async () => (await import('./hosts.ts')).hosts,
  },
  {
    name: 'keys',
    summary: 'API keys of the gateway: list, add (secret shown once), revoke',
    load: async () => (await import('./keys.ts')).keys,
  },
  {
    name: 'send',
    summary: 'send test events (one, a file, or a stream at a rate) over HTTP or NATS, with a progress line',
    load: async () => (await import('./send.ts')).send,
  },
  {
    name: 'smoke',
    summary: 'send one canary event through the gateway and time each hop to Moogsoft; exit 0 only if delivered',
    load: async () => (await import('./smoke.ts')).smoke,
  },
];
