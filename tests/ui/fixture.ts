// The web UI on a throwaway nats-server, composed as the gateway will: management services over a process
// context, real API keys, the UI routes on a root app with the gateway's error renderer. `agent()` is a
// minimal browser for app.request(): it keeps cookies, sends Origin like a browser does on a POST, and picks
// the CSRF token out of the last page, so tests read like clicks.
//   const f = await uiFixture(); const a = f.agent(); await a.login(KEYS.admin); const p = await a.get('/ui/rules')

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
import { FailureThrottle } from '../../gateway/auth/throttle.ts';
import { openIngestCounters, type IngestCounters } from '../../gateway/ingest/counters.ts';
import { errorRenderer } from '../../gateway/http-error.ts';
import { openManagementServices, type ManagementServices } from '../../gateway/services/index.ts';
import { openWebUi, type WebUi } from '../../gateway/ui/index.ts';
import type { SessionPolicy } from '../../gateway/ui/session/sessions.ts';

export const KEYS = {
  admin: 'ui-admin-secret-0123456789abcdef',
  read: 'ui-read-secret-0123456789abcdefgh',
  ingest: 'ui-ingest-secret-0123456789abcdef',
} as const;

export const ORIGIN = 'http://localhost';

export interface Page {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

export interface Agent {
  cookies: Map<string, string>;
  /** CSRF token of the last HTML page that had one. */
  csrf: string;
  get(path: string, headers?: Record<string, string>): Promise<Page>;
  /** POSTs a form; `_csrf` is added from the last page unless given (or `csrf: false`). */
  post(path: string, fields?: Record<string, string>, opts?: { csrf?: string | false; headers?: Record<string, string> }): Promise<Page>;
  login(key: string): Promise<Page>;
}

export interface UiFixture {
  nats: TestNats;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  ctx: ProcessContext;
  services: ManagementServices;
  store: ApiKeyStore;
  counters: IngestCounters;
  ui: WebUi;
  app: Hono;
  logLines: string[];
  agent(app?: Hono): Agent;
  /** Another gateway replica on the same NATS (its own services, key store and UI). */
  replica(opts?: { sessionStore?: 'kv' | 'memory' }): Promise<{ app: Hono; close(): Promise<void> }>;
  close(): Promise<void>;
}

export interface UiFixtureOptions {
  sessionStore?: 'kv' | 'memory';
  sessionPolicy?: SessionPolicy;
  pushEveryMs?: number;
  /** An existing NATS (e.g. a pipeline's) instead of a new one. */
  natsUrl?: string;
  /** JetStream storage of a new server's streams (default memory; 'file' survives a restart). */
  storage?: 'file' | 'memory';
}

async function gatewayParts(nc: NatsConnection, name: string, opts: UiFixtureOptions, logLines: string[]) {
  const env = loadEnv({ MUTT_STORAGE: 'memory', MUTT_API_KEYS: `ops:admin:${KEYS.admin},viewer:read:${KEYS.read},sender:ingest:${KEYS.ingest}`, MUTT_INSTANCE: name });
  const log = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });
  const controller = new AbortController();
  const config = await ConfigView.open(nc, log);
  const registry = new Registry();
  const ctx: ProcessContext = { nc, env, config, log, registry, health: new Health(), instance: name, signal: controller.signal };
  const store = await openApiKeyStore(nc, env, { log });
  const counters = await openIngestCounters(nc, { log, flushIntervalMs: 50 });
  const services = await openManagementServices(ctx, { counters, regexTimeoutMs: 2000 });
  const ui = await openWebUi(ctx, { services, auth: store, authThrottle: new FailureThrottle({ maxFailures: 5 }), sessionStore: opts.sessionStore ?? 'memory', sessionPolicy: { sweepEveryMs: 0, ...opts.sessionPolicy }, pushEveryMs: opts.pushEveryMs ?? 200 });
  const app = new Hono();
  app.onError(errorRenderer(log));
  app.route('/', ui.app);
  return {
    env, ctx, store, counters, services, ui, app,
    async close() {
      if (controller.signal.aborted) return;
      controller.abort();
      await ui.close();
      services.close();
      config.stop();
      await counters.close().catch(() => undefined);
      await store.close();
    },
  };
}

export function csrfOf(html: string): string | null {
  return /name="_csrf" value="([^"]*)"/.exec(html)?.[1] ?? null;
}

export function makeAgent(app: Hono): Agent {
  const cookies = new Map<string, string>();
  const agent: Agent = {
    cookies,
    csrf: '',
    async get(path, headers = {}) {
      return send('GET', path, undefined, headers);
    },
    async post(path, fields = {}, opts = {}) {
      const body = new URLSearchParams(fields);
      const token = opts.csrf === undefined ? agent.csrf : opts.csrf;
      if (token !== false && !body.has('_csrf')) body.set('_csrf', token);
      return send('POST', path, body.toString(), { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, ...opts.headers });
    },
    async login(key) {
      await agent.get('/ui/login');
      return agent.post('/ui/login', { key });
    },
  };
  async function send(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<Page> {
    const h = new Headers(Object.entries(headers).filter(([, v]) => v !== ''));
    // Like a browser: cookies whose path is a prefix of the request path.
    const jar = [...cookies].filter(([k]) => k !== 'mutt_login' || path.startsWith('/ui/login')).map(([k, v]) => `${k}=${v}`).join('; ');
    if (jar && !h.has('cookie')) h.set('cookie', jar);
    const res = await app.request(path, { method, headers: h, body });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (value === '' || /max-age=0/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
    }
    const text = (res.headers.get('content-type') ?? '').includes('text/event-stream') ? '' : await res.text();
    const token = csrfOf(text);
    if (token) agent.csrf = token;
    return { status: res.status, headers: res.headers, text, location: res.headers.get('location') };
  }
  return agent;
}

export async function uiFixture(opts: UiFixtureOptions = {}): Promise<UiFixture> {
  const nats = opts.natsUrl ? { url: opts.natsUrl, port: 0, storeDir: '', kill: async () => {}, restart: async () => {}, stop: async () => {} } : await startNats();
  const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  // A given NATS (a pipeline's) is already provisioned, with its own storage settings.
  if (!opts.natsUrl) await provision(nc, loadEnv({ MUTT_STORAGE: opts.storage ?? 'memory' }));
  const logLines: string[] = [];
  const main = await gatewayParts(nc, 'ui-test', opts, logLines);
  const replicas: { close(): Promise<void> }[] = [];
  return {
    nats, nc, js: jetstream(nc), jsm: await jetstreamManager(nc), ctx: main.ctx, services: main.services, store: main.store, counters: main.counters,
    ui: main.ui, app: main.app, logLines,
    agent: (app) => makeAgent(app ?? main.app),
    async replica(o = {}) {
      const r = await gatewayParts(nc, `ui-test-${replicas.length + 2}`, { ...opts, ...o }, logLines);
      replicas.push(r);
      return { app: r.app, close: r.close };
    },
    async close() {
      for (const r of replicas) await r.close();
      await main.close();
      await nc.close();
      await nats.stop();
    },
  };
}
