// The gateway exactly as `mutt gateway` assembles it (gateway/process.ts startMuttProcess: startProcess with
// gatewayApp and the health routes) on a throwaway nats-server, with real API keys; requests go to the served app
// in-process (app.request). Its services, key store and counters are the gateway's own, not a second set.
// Management answers are checked against their declared schemas (validateResponses), so docs cannot drift.
//   const f = await apiFixture(); const r = await f.call('GET', '/api/v2/rules'); ...; await f.close()

import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { Hono } from 'hono';
import { pino } from 'pino';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import type { ProcessContext } from '../../actors/runtime/process.ts';
import { loadEnv } from '../../protocol/env.ts';
import type { ApiKeyStore } from '../../gateway/auth/store.ts';
import type { FailureThrottle } from '../../gateway/auth/throttle.ts';
import type { IngestCounters } from '../../gateway/ingest/counters.ts';
import { startMuttProcess, type MuttProcess } from '../../gateway/process.ts';
import type { ManagementServices } from '../../gateway/services/index.ts';

export const KEYS = {
  admin: 'admin-secret-0123456789abcdef',
  read: 'read-secret-0123456789abcdefgh',
  ingest: 'ingest-secret-0123456789abcdef',
} as const;

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  /** Sent as is (no JSON encoding). */
  raw?: string;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export interface ApiFixture {
  nats: TestNats;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  ctx: ProcessContext;
  /** The running gateway process (its served app, HTTP port, stop). */
  proc: MuttProcess;
  services: ManagementServices;
  store: ApiKeyStore;
  counters: IngestCounters;
  app: Hono;
  logLines: string[];
  call(method: string, path: string, opts?: CallOptions): Promise<Answer>;
  close(): Promise<void>;
}

export const API_KEYS_ENV = `ops:admin:${KEYS.admin},viewer:read:${KEYS.read},sender:ingest:${KEYS.ingest}`;

export async function apiFixture(opts: { regexTimeoutMs?: number; authThrottle?: FailureThrottle } = {}): Promise<ApiFixture> {
  const nats = await startNats();
  const env = loadEnv({ NATS_URL: nats.url, MUTT_STORAGE: 'memory', MUTT_API_KEYS: API_KEYS_ENV, MUTT_INSTANCE: 'api-test', MUTT_HTTP_HOST: '127.0.0.1', MUTT_HTTP_PORT: '0', MUTT_STARTER_RULES: 'off' });
  const logLines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });
  const proc = await startMuttProcess({
    env, name: 'gateway', actors: [], log,
    gateway: { regexTimeoutMs: opts.regexTimeoutMs ?? 2000, authThrottle: opts.authThrottle, countersFlushMs: 50, validateResponses: true, commit: 'abc123' },
  });
  const gw = proc.gateway!;
  const { nc, app } = proc;
  const { services, auth: store, counters } = gw;

  return {
    nats, nc, js: jetstream(nc), jsm: await jetstreamManager(nc), ctx: proc, proc, services, store, counters, app, logLines,
    async call(method, path, o = {}) {
      const headers = new Headers(o.headers ?? {});
      const key = o.key === undefined ? KEYS.admin : o.key;
      if (key !== null && !headers.has('authorization')) headers.set('X-API-Key', key);
      let body: string | undefined;
      if (o.raw !== undefined) body = o.raw;
      else if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        if (!headers.has('content-type')) headers.set('Content-Type', 'application/json');
      }
      const res = await app.request(path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async close() {
      await proc.stop();
      await nats.stop();
    },
  };
}

/** A valid rule body. */
export function rule(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, match_type: 'contains', match_string: `${id}-needle`, prod_handling: 'page_and_ticket', dev_handling: 'ticket_only', team_assignment: 'NETO', ...extra };
}
