// The gateway exactly as `mutt gateway` assembles it (gateway/process.ts startMuttProcess with gatewayApp), on a
// throwaway nats-server, for the ingest suites: its routes, middleware, key store, counters and metrics are the
// shipped gateway's own. Only GatewayOptions knobs differ (a reachable events-per-request limit, short publish
// timeout, counters flushed by the test); none adds, removes or reorders a middleware or a mount.
//   const f = await ingestFixture({ MUTT_EVENTS_MAX_MSGS: '3' }); ...; await f.close()

import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { Hono } from 'hono';
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { setConfig } from '../helpers/mutt-config.ts';
import { waitFor } from '../helpers/wait.ts';
import { loadEnv } from '../../protocol/env.ts';
import { decode } from '../../protocol/codec.ts';
import { IngestEvent } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import type { ApiKeyStore } from '../../gateway/auth/store.ts';
import type { IngestCounters } from '../../gateway/ingest/counters.ts';
import type { GatewayOptions } from '../../gateway/app.ts';
import { startMuttProcess, type MuttProcess } from '../../gateway/process.ts';

export const INGEST_KEY = 'ingest-key-0123456789abcdef';
export const READ_KEY = 'read-key-0123456789abcdefgh';

type IngestConfig = { ingest_rate_limit: number; ingest_rate_window_seconds: number };

export interface IngestFixture {
  nats: TestNats;
  /** The gateway process's own connection. */
  nc: NatsConnection;
  jsm: JetStreamManager;
  proc: MuttProcess;
  app: Hono;
  registry: Registry;
  counters: IngestCounters;
  store: ApiKeyStore;
  logLines: string[];
  /** Base URL of the gateway's own HTTP listener. */
  url: string;
  /** Writes dynamic config (KV mutt_config, as `mutt config set` does) and waits until the gateway applies it. */
  setConfig(values: Partial<IngestConfig>): Promise<void>;
  post(path: string, body: BodyInit | object, headers?: Record<string, string>): Promise<Response>;
  messages(): Promise<number>;
  lastEvent(subject: string): Promise<{ event: IngestEvent; headers: Record<string, string> }>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

export async function ingestFixture(
  env: Record<string, string> = {},
  knobs: Pick<GatewayOptions, 'maxEventsPerRequest'> = {},
): Promise<IngestFixture> {
  const nats = await startNats();
  const fullEnv = loadEnv({
    NATS_URL: nats.url,
    MUTT_STORAGE: 'file',
    MUTT_API_KEYS: `sender:ingest:${INGEST_KEY},viewer:read:${READ_KEY}`,
    MUTT_HTTP_HOST: '127.0.0.1',
    MUTT_HTTP_PORT: '0',
    MUTT_STARTER_RULES: 'off',
    MUTT_INSTANCE: 'ingest-test',
    ...env,
  });
  const logLines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });
  const proc = await startMuttProcess({
    env: fullEnv,
    name: 'gateway',
    actors: [],
    log,
    // Counts are flushed by the tests that look at them.
    gateway: { ...knobs, publishTimeoutMs: 1000, countersFlushMs: 3_600_000 },
  });
  const gw = proc.gateway!;
  const { nc, app, registry } = proc;
  const jsm = await jetstreamManager(nc);

  return {
    nats,
    nc,
    jsm,
    proc,
    app,
    registry,
    counters: gw.counters,
    store: gw.auth,
    logLines,
    url: `http://127.0.0.1:${proc.httpPort}`,
    async setConfig(values) {
      await setConfig(nc, values);
      await waitFor(
        () => Object.entries(values).every(([k, v]) => proc.config.get()[k as keyof IngestConfig] === v),
        5000,
        `config ${JSON.stringify(values)} applied`,
      );
    },
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
      const values = (await metric.get()).values.filter((v) =>
        Object.entries(labels).every(([k, val]) => String((v.labels as Record<string, unknown>)[k]) === val),
      );
      return values.reduce((sum, v) => sum + v.value, 0);
    },
    async close() {
      await proc.stop();
      await nats.stop();
    },
  };
}
