// The management API on a throwaway nats-server, composed as the lead will: services opened over a process
// context, managementRoutes() mounted on a root app with the gateway's error renderer, real API keys. Answers
// are checked against their declared schemas (validateResponses), so docs cannot drift from behaviour.
//   const f = await apiFixture(); const r = await f.call('GET', '/api/v2/rules'); ...; await f.close()

import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Hono } from 'hono';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { ConfigView } from '../../actors/runtime/config-view.ts';
import { Health } from '../../actors/runtime/health.ts';
import type { ProcessContext } from '../../actors/runtime/process.ts';
import { loadEnv } from '../../protocol/env.ts';
import { openApiKeyStore, type ApiKeyStore } from '../../gateway/auth/store.ts';
import type { FailureThrottle } from '../../gateway/auth/throttle.ts';
import { openIngestCounters, type IngestCounters } from '../../gateway/ingest/counters.ts';
import { errorRenderer } from '../../gateway/http-error.ts';
import { managementRoutes } from '../../gateway/api/management.ts';
import { openManagementServices, type ManagementServices } from '../../gateway/services/index.ts';

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
  services: ManagementServices;
  store: ApiKeyStore;
  counters: IngestCounters;
  app: Hono;
  logLines: string[];
  call(method: string, path: string, opts?: CallOptions): Promise<Answer>;
  close(): Promise<void>;
}

export async function apiFixture(opts: { regexTimeoutMs?: number; authThrottle?: FailureThrottle } = {}): Promise<ApiFixture> {
  const nats = await startNats();
  const nc = await connect({ servers: nats.url });
  const env = loadEnv({ MUTT_STORAGE: 'memory', MUTT_API_KEYS: `ops:admin:${KEYS.admin},viewer:read:${KEYS.read},sender:ingest:${KEYS.ingest}`, MUTT_INSTANCE: 'api-test' });
  await provision(nc, env);
  const logLines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });
  const controller = new AbortController();
  const config = await ConfigView.open(nc, log);
  const registry = new Registry();
  const ctx: ProcessContext = { nc, env, config, log, registry, health: new Health(), instance: 'api-test', signal: controller.signal };
  const store = await openApiKeyStore(nc, env, { log });
  const counters = await openIngestCounters(nc, { log, flushIntervalMs: 50 });
  const services = await openManagementServices(ctx, { counters, regexTimeoutMs: opts.regexTimeoutMs ?? 2000 });
  const app = new Hono();
  app.onError(errorRenderer(log));
  app.route('/', managementRoutes(ctx, { services, auth: store, authThrottle: opts.authThrottle, validateResponses: true, commit: 'abc123' }));

  return {
    nats, nc, js: jetstream(nc), jsm: await jetstreamManager(nc), ctx, services, store, counters, app, logLines,
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
      let parsed: unknown = undefined;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async close() {
      controller.abort();
      services.close();
      config.stop();
      await counters.close().catch(() => undefined);
      await store.close();
      await nc.close();
      await nats.stop();
    },
  };
}

/** A valid rule body. */
export function rule(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, match_type: 'contains', match_string: `${id}-needle`, prod_handling: 'page_and_ticket', dev_handling: 'ticket_only', team_assignment: 'NETO', ...extra };
}
