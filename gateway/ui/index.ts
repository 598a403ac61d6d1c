// The web UI under /ui: server-rendered pages (Hono JSX) over the management services, signed in with an API
// key into a server-side session. Every /ui answer gets the strict CSP and friends; every POST must be
// same-origin, carry the session's CSRF token, and (for writes) come from an admin key. Assets and the login
// page are the only routes without a session.
//   const ui = await openWebUi(ctx, { services, auth, authThrottle })   // sessions in KV mutt_state
//   app.route('/', ui.app)  …  await ui.close()

import { Hono, type MiddlewareHandler } from 'hono';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Env } from '../../protocol/env.ts';
import type { ApiKeyStore } from '../auth/store.ts';
import type { FailureThrottle } from '../auth/throttle.ts';
import { correlationId } from '../middleware/correlation.ts';
import type { ManagementServices } from '../services/index.ts';
import { assetRoutes } from './assets/index.ts';
import { DashboardFeed } from './dashboard/feed.ts';
import type { UiDeps } from './deps.ts';
import type { UiEnv } from './env.ts';
import { uiErrorRenderer } from './errors.tsx';
import { auditRoutes } from './pages/audit.tsx';
import { configRoutes } from './pages/config.tsx';
import { dashboardRoutes } from './pages/dashboard.tsx';
import { dlqRoutes } from './pages/dlq.tsx';
import { hostRoutes } from './pages/hosts.tsx';
import { loginRoutes } from './pages/login.tsx';
import { notFoundRoute } from './pages/not-found.tsx';
import { ruleRoutes } from './pages/rules.tsx';
import { uiSecurityHeaders } from './security-headers.ts';
import { KvSessionBackend } from './session/kv-backend.ts';
import { csrfProtect, readForm, requireSession, sameOrigin } from './session/middleware.ts';
import { MemorySessionBackend, SessionManager, type SessionPolicy } from './session/sessions.ts';

export type { UiDeps } from './deps.ts';

const PUBLIC = /^\/ui\/(login|assets\/[^/]+)$/;

/** requireSession + csrfProtect on every /ui route except the login page and assets. */
function sessionGate(deps: UiDeps): MiddlewareHandler<UiEnv> {
  const session = requireSession({ sessions: deps.sessions, auth: deps.auth });
  const csrf = csrfProtect();
  return async function sessionGate(c, next) {
    if (PUBLIC.test(c.req.path)) return next();
    const redirected = await session(c, async () => {
      await csrf(c, next);
    });
    if (redirected) return redirected;
  };
}

const ensureCorrelationId: MiddlewareHandler = (() => {
  const assign = correlationId();
  return async function ensureCorrelationId(c, next) {
    if (c.get('correlationId')) return next();
    return assign(c, next);
  };
})();

export function uiRoutes(deps: UiDeps): Hono<UiEnv> {
  const full: UiDeps = {
    ...deps,
    feed: deps.feed ?? new DashboardFeed(deps.services, { maxAgeMs: Math.max(200, (deps.pushEveryMs ?? 2000) - 250) }),
  };
  const app = new Hono<UiEnv>();
  app.onError(uiErrorRenderer(deps.log));
  app.get('/ui', (c) => c.redirect('/ui/', 301));
  app.use('/ui/*', uiSecurityHeaders(), ensureCorrelationId, sameOrigin(), readForm(deps.bodyLimitBytes ?? 1 << 20));
  app.route('/', assetRoutes());
  app.use('/ui/*', sessionGate(full));
  loginRoutes(app, full);
  dashboardRoutes(app, full);
  ruleRoutes(app, full);
  hostRoutes(app, full);
  configRoutes(app, full);
  auditRoutes(app, full);
  dlqRoutes(app, full);
  notFoundRoute(app);
  return app;
}

export interface WebUiOptions {
  services: ManagementServices;
  auth: ApiKeyStore;
  authThrottle?: FailureThrottle;
  /**
   * 'kv' (default): sessions in KV mutt_state, shared by every gateway replica (needs the NATS permission in
   * docs/UI.md under least-privilege users). 'memory': this process only (one gateway, or sticky sessions).
   */
  sessionStore?: 'kv' | 'memory';
  sessionPolicy?: SessionPolicy;
  pushEveryMs?: number;
}

export interface WebUi {
  app: Hono;
  sessions: SessionManager;
  close(): Promise<void>;
}

export async function openWebUi(
  ctx: { nc: NatsConnection; env: Pick<Env, 'MUTT_BODY_LIMIT_BYTES'>; log: Logger; registry: Registry },
  opts: WebUiOptions,
): Promise<WebUi> {
  const log = ctx.log.child({ component: 'ui' });
  const backend = opts.sessionStore === 'memory' ? new MemorySessionBackend() : await KvSessionBackend.open(ctx.nc);
  const sessions = new SessionManager(backend, opts.sessionPolicy, (err) =>
    log.warn({ err: (err as Error).message }, 'expired UI sessions could not be swept'),
  );
  const app = uiRoutes({
    services: opts.services,
    auth: opts.auth,
    authThrottle: opts.authThrottle,
    sessions,
    log,
    registry: ctx.registry,
    bodyLimitBytes: Math.min(ctx.env.MUTT_BODY_LIMIT_BYTES, 1 << 20),
    pushEveryMs: opts.pushEveryMs,
  });
  return { app: app as unknown as Hono, sessions, close: () => sessions.close() };
}
