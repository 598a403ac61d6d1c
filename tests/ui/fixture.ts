// The web UI of the gateway exactly as `mutt gateway` assembles it (gateway/process.ts startMuttProcess) on a
// throwaway nats-server, with real API keys; pages are requested from the served app in-process. Its services,
// key store, counters and sessions are the gateway's own. `agent()` is a minimal browser for app.request(): it
// keeps cookies, sends Origin like a browser does on a POST, and picks the CSRF token out of the last page, so
// tests read like clicks.
//   const f = await uiFixture(); const a = f.agent(); await a.login(KEYS.admin); const p = await a.get('/ui/rules')

import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { Hono } from 'hono';
import { pino } from 'pino';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import type { ProcessContext } from '../../actors/runtime/process.ts';
import { loadEnv } from '../../protocol/env.ts';
import type { ApiKeyStore } from '../../gateway/auth/store.ts';
import { FailureThrottle } from '../../gateway/auth/throttle.ts';
import type { IngestCounters } from '../../gateway/ingest/counters.ts';
import { startMuttProcess, type MuttProcess } from '../../gateway/process.ts';
import type { ManagementServices } from '../../gateway/services/index.ts';
import type { WebUi } from '../../gateway/ui/index.ts';
import type { SessionPolicy } from '../../gateway/ui/session/sessions.ts';

export const KEYS = {
  admin: 'ui-admin-secret-0123456789abcdef',
  read: 'ui-read-secret-0123456789abcdefgh',
  ingest: 'ui-ingest-secret-0123456789abcdef',
} as const;

export const API_KEYS_ENV = `ops:admin:${KEYS.admin},viewer:read:${KEYS.read},sender:ingest:${KEYS.ingest}`;

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
  /** The running gateway process (its served app, HTTP port, stop). */
  proc: MuttProcess;
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
  /** JetStream storage of a new server's streams (default memory; 'file' survives a restart). */
  storage?: 'file' | 'memory';
}

async function startGateway(natsUrl: string, name: string, opts: UiFixtureOptions, logLines: string[]): Promise<MuttProcess> {
  const env = loadEnv({ NATS_URL: natsUrl, MUTT_STORAGE: opts.storage ?? 'memory', MUTT_API_KEYS: API_KEYS_ENV, MUTT_INSTANCE: name, MUTT_HTTP_HOST: '127.0.0.1', MUTT_HTTP_PORT: '0', MUTT_STARTER_RULES: 'off' });
  const log = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });
  return startMuttProcess({
    env, name: 'gateway', actors: [], log,
    gateway: {
      regexTimeoutMs: 2000, countersFlushMs: 50, authThrottle: new FailureThrottle({ maxFailures: 5 }),
      sessionStore: opts.sessionStore ?? 'memory', sessionPolicy: { sweepEveryMs: 0, ...opts.sessionPolicy }, pushEveryMs: opts.pushEveryMs ?? 200,
    },
  });
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
  const nats = await startNats();
  const logLines: string[] = [];
  const main = await startGateway(nats.url, 'ui-test', opts, logLines);
  const gw = main.gateway!;
  const replicas: MuttProcess[] = [];
  return {
    nats, nc: main.nc, js: jetstream(main.nc), jsm: await jetstreamManager(main.nc), ctx: main, proc: main,
    services: gw.services, store: gw.auth, counters: gw.counters, ui: gw.ui, app: main.app, logLines,
    agent: (app) => makeAgent(app ?? main.app),
    async replica(o = {}) {
      const r = await startGateway(nats.url, `ui-test-${replicas.length + 2}`, { ...opts, ...o }, logLines);
      replicas.push(r);
      return { app: r.app, close: r.stop };
    },
    async close() {
      for (const r of replicas) await r.stop();
      await main.stop();
      await nats.stop();
    },
  };
}
