// A gateway ingest app on a throwaway nats-server, as the lead will compose it: the root Hono app mounts
// ingestRoutes() and renders errors with errorRenderer(). Used by tests/gateway/ingest*.test.ts.
//   const f = await ingestFixture({ MUTT_EVENTS_MAX_MSGS: '3' }); ...; await f.close()

import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { jsPublisher } from '../../actors/runtime/js-publisher.ts';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { loadEnv } from '../../protocol/env.ts';
import { decode } from '../../protocol/codec.ts';
import { IngestEvent } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { openApiKeyStore, type ApiKeyStore } from '../../gateway/auth/store.ts';
import { openIngestCounters, type IngestCounters } from '../../gateway/ingest/counters.ts';
import { ingestRoutes, type IngestConfig, type IngestDeps } from '../../gateway/ingest/routes.ts';
import { errorRenderer } from '../../gateway/http-error.ts';

export const INGEST_KEY = 'ingest-key-0123456789abcdef';
export const READ_KEY = 'read-key-0123456789abcdefgh';

export interface IngestFixture {
  nats: TestNats;
  nc: NatsConnection;
  jsm: JetStreamManager;
  app: Hono;
  registry: Registry;
  counters: IngestCounters;
  store: ApiKeyStore;
  config: IngestConfig;
  logLines: string[];
  /** Base URL of the same app served over a real socket. */
  url: string;
  post(path: string, body: BodyInit | object, headers?: Record<string, string>): Promise<Response>;
  messages(): Promise<number>;
  lastEvent(subject: string): Promise<{ event: IngestEvent; headers: Record<string, string> }>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

export async function ingestFixture(env: Record<string, string> = {}, opts: Partial<IngestDeps> = {}): Promise<IngestFixture> {
  const nats = await startNats();
  const nc = await connect({ servers: nats.url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
  const fullEnv = loadEnv({ MUTT_STORAGE: 'file', MUTT_API_KEYS: `sender:ingest:${INGEST_KEY},viewer:read:${READ_KEY}`, ...env });
  await provision(nc, fullEnv);
  const logLines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });
  const store = await openApiKeyStore(nc, fullEnv, { log });
  const counters = await openIngestCounters(nc, { log, timeoutMs: 1000, flushIntervalMs: 3_600_000 }); // tests flush explicitly
  const registry = new Registry();
  const config: IngestConfig = { ingest_rate_limit: 0, ingest_rate_window_seconds: 60 };
  const app = new Hono();
  app.onError(errorRenderer(log));
  app.route('/', ingestRoutes({
    js: jsPublisher(nc), nc, auth: store, log, registry, config: () => config, counters,
    bodyLimitBytes: fullEnv.MUTT_BODY_LIMIT_BYTES, publishTimeoutMs: 1000, ...opts,
  }));
  const server: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const jsm = await jetstreamManager(nc);

  return {
    nats, nc, jsm, app, registry, counters, store, config, logLines, url,
    async post(path, body, headers = {}) {
      const isRaw = typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer;
      const h = new Headers({ 'Content-Type': 'application/json', 'X-API-Key': INGEST_KEY });
      for (const [k, v] of Object.entries(headers)) h.set(k, v);
      return app.request(path, { method: 'POST', body: isRaw ? (body as BodyInit) : JSON.stringify(body), headers: h });
    },
    async messages() {
      return (await jsm.streams.info(StreamName.events)).state.messages;
    },
    async lastEvent(subject) {
      const m = await jsm.streams.getMessage(StreamName.events, { last_by_subj: subject });
      if (!m) throw new Error(`no message on ${subject}`);
      const r = decode(IngestEvent, m.data);
      if (!r.ok) throw r.error;
      const headers: Record<string, string> = {};
      for (const k of m.header?.keys() ?? []) headers[k] = m.header!.get(k);
      return { event: r.value, headers };
    },
    async metric(name, labels = {}) {
      const metric = registry.getSingleMetric(name);
      if (!metric) return 0;
      const values = (await metric.get()).values.filter((v) => Object.entries(labels).every(([k, val]) => String((v.labels as Record<string, unknown>)[k]) === val));
      return values.reduce((sum, v) => sum + v.value, 0);
    },
    async close() {
      await new Promise((r) => server.close(r));
      await counters.close().catch(() => undefined);
      await store.close();
      await nc.close();
      await nats.stop();
    },
  };
}
