// The web UI of the gateway exactly as `mutt gateway` assembles it (tests/helpers/gateway-fixture.ts) with real
// API keys; pages are requested from the served app in-process. `agent()` is a minimal browser for app.request(): it
// keeps cookies, sends Origin like a browser does on a POST, and picks the CSRF token out of the last page, so
// tests read like clicks.
//   const f = await uiFixture(); const a = f.agent(); await a.login(KEYS.admin); const p = await a.get('/ui/rules')

import type { Hono } from 'hono';
import { FailureThrottle } from '../../gateway/auth/throttle.ts';
import type { SessionPolicy } from '../../gateway/ui/session/sessions.ts';
import { apiKeysEnv, gatewayFixture, type GatewayFixture } from '../helpers/gateway-fixture.ts';

export const KEYS = {
  admin: 'ui-admin-secret-0123456789abcdef',
  read: 'ui-read-secret-0123456789abcdefgh',
  ingest: 'ui-ingest-secret-0123456789abcdef',
} as const;

export const API_KEYS_ENV = apiKeysEnv(KEYS);

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

export interface UiFixture extends Omit<GatewayFixture, 'replica'> {
  agent(app?: Hono): Agent;
  /** Another gateway replica on the same NATS (its own services, key store and UI). */
  replica(opts?: { sessionStore?: 'kv' | 'memory' }): Promise<{ app: Hono; close(): Promise<void> }>;
}

export interface UiFixtureOptions {
  sessionStore?: 'kv' | 'memory';
  sessionPolicy?: SessionPolicy;
  pushEveryMs?: number;
  /** JetStream storage of a new server's streams (default memory; 'file' survives a restart). */
  storage?: 'file' | 'memory';
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
    const jar = [...cookies]
      .filter(([k]) => k !== 'mutt_login' || path.startsWith('/ui/login'))
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
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
  const g = await gatewayFixture({
    keys: KEYS,
    instance: 'ui-test',
    storage: opts.storage,
    gateway: {
      regexTimeoutMs: 2000,
      countersFlushMs: 50,
      authThrottle: new FailureThrottle({ maxFailures: 5 }),
      sessionStore: opts.sessionStore ?? 'memory',
      sessionPolicy: { sweepEveryMs: 0, ...opts.sessionPolicy },
      pushEveryMs: opts.pushEveryMs ?? 200,
    },
  });
  return {
    ...g,
    agent: (app) => makeAgent(app ?? g.app),
    // Each replica has its own failed-login brake, as a second gateway process would.
    replica: (o = {}) => g.replica({ ...o, authThrottle: new FailureThrottle({ maxFailures: 5 }) }),
  };
}
