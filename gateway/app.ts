// The gateway's Hono app: ingest (legacy /ingest, /api/v1/ingest, /api/v2/events) and the management API
// (/api/v2/..., /api/v1 aliases, OpenAPI) behind API-key auth, the web UI (/ui/, session login), and the
// service description at '/' (browsers are sent to the UI). Health, readiness and metrics routes are mounted by
// the process itself (actors/runtime/http.ts). Errors of every route are rendered in one place (http-error.ts).
// The product starts it through gateway/process.ts (startMuttProcess), and so do the tests that need it in-process.
//   startMuttProcess({ env, name: 'gateway', actors: [], gateway: true })   // calls gatewayApp(ctx, {})

import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { jsPublisher } from '../actors/runtime/js-publisher.ts';
import type { HttpApp, ProcessContext } from '../actors/runtime/process.ts';
import { VERSION } from '../actors/runtime/process.ts';
import { errorRenderer } from './http-error.ts';
import { openApiKeyStore, type ApiKeyStore } from './auth/store.ts';
import { FailureThrottle } from './auth/throttle.ts';
import { openIngestCounters, type IngestCounters } from './ingest/counters.ts';
import { ingestPipeline, ingestRoutes } from './ingest/routes.ts';
import { ApiRouter } from './api/route.ts';
import { authGuard } from './auth/middleware.ts';
import { OpenApiRegistry } from './openapi/document.ts';
import type { GatewayEnv } from './middleware/context.ts';
import { openManagementServices, type ManagementServices } from './services/index.ts';
import { seedStarterRules } from './services/starter-rules.ts';
import { managementRoutes } from './api/management.ts';
import { openWebUi, type WebUi, type WebUiOptions } from './ui/index.ts';

/**
 * Knobs of the parts, each defaulting to what the product runs with (bin/mutt passes none). Tests turn them to
 * make waits short or limits reachable; none of them adds, removes or reorders a middleware or a mount.
 */
export interface GatewayOptions extends Pick<WebUiOptions, 'sessionStore' | 'sessionPolicy' | 'pushEveryMs'> {
  /** The failed-authentication brake shared by ingest, API and UI sign-in (default 20 failures a minute per address). */
  authThrottle?: FailureThrottle;
  /** Regex safety analysis time per rule write (default 5000 ms). */
  regexTimeoutMs?: number;
  /** How often ingest counts are flushed to KV (default 1000 ms). */
  countersFlushMs?: number;
  /** Source commit for GET /api/v2/version (default: read from .git). */
  commit?: string | null;
  /** Check each management answer against its declared schema (tests). */
  validateResponses?: boolean;
  /** Events one ingest request may carry (default the body limits' 10,000). */
  maxEventsPerRequest?: number;
  /** How long ingest waits for JetStream to store a request's events (default: the publisher's). */
  publishTimeoutMs?: number;
}

/** The served app and the parts it is built from (the same objects its routes use). */
export interface Gateway extends HttpApp {
  services: ManagementServices;
  auth: ApiKeyStore;
  counters: IngestCounters;
  authThrottle: FailureThrottle;
  ui: WebUi;
}

// Same-origin keeps the real Origin on the UI's own form posts: under no-referrer Chromium sends `Origin: null`,
// which the UI's same-origin check (rightly) refuses, so nobody could sign in. Across sites nothing leaks.
export const GLOBAL_SECURITY_HEADERS = {
  crossOriginResourcePolicy: 'same-origin',
  xFrameOptions: 'DENY',
  referrerPolicy: 'same-origin',
} as const;

export async function gatewayApp(ctx: ProcessContext, opts: GatewayOptions = {}): Promise<Gateway> {
  const { nc, env, log, registry } = ctx;
  const auth = await openApiKeyStore(nc, env, { log });
  const counters = await openIngestCounters(nc, { log, flushIntervalMs: opts.countersFlushMs });
  const authThrottle = opts.authThrottle ?? new FailureThrottle();
  const app = new Hono<GatewayEnv>();
  app.onError(errorRenderer(log));
  // nosniff, frame denial, same-origin referrers etc. on every answer. `overwrite: false`: a header a route set
  // itself wins, so the UI's stricter set (its own CSP, gateway/ui/security-headers.ts) is what a page carries.
  app.use(secureHeaders({ ...GLOBAL_SECURITY_HEADERS, overwrite: false }));
  app.get('/', (c) =>
    (c.req.header('accept') ?? '').includes('text/html')
      ? c.redirect('/ui/')
      : c.json({
          service: 'MUTT gateway',
          version: VERSION,
          instance: ctx.instance,
          endpoints: {
            ui: '/ui/',
            ingest: '/ingest',
            events: '/api/v2/events',
            api: '/api/v2',
            openapi: '/api/v2/openapi.json',
            docs: '/api/v2/docs',
            health: '/healthz',
            ready: '/readyz',
            metrics: '/metrics',
          },
        }),
  );
  // One registry for every declared route: the ingest routes first, then the management API, whose
  // /api/v2/openapi.json serves the whole document.
  const openapi = new OpenApiRegistry();
  const ingestApp = new Hono<GatewayEnv>();
  ingestRoutes(
    new ApiRouter(ingestApp, openapi, {
      surface: 'ingest',
      guard: authGuard({ store: auth, registry, log, throttle: authThrottle }),
      registry,
      bodyLimitBytes: env.MUTT_BODY_LIMIT_BYTES,
    }),
    ingestPipeline({
      js: jsPublisher(nc),
      nc,
      log,
      registry,
      counters,
      bodyLimitBytes: env.MUTT_BODY_LIMIT_BYTES,
      maxEventsPerRequest: opts.maxEventsPerRequest,
      publishTimeoutMs: opts.publishTimeoutMs,
      config: () => {
        const c = ctx.config.get();
        return { ingest_rate_limit: c.ingest_rate_limit, ingest_rate_window_seconds: c.ingest_rate_window_seconds };
      },
    }),
  );
  app.route('/', ingestApp);
  const services = await openManagementServices(ctx, { counters, regexTimeoutMs: opts.regexTimeoutMs });
  // Before the port opens, so the first event anyone sends already meets the starter rules. A failure here must
  // not keep the gateway down: the rules can be written by hand.
  await seedStarterRules(nc, services.rules, env.MUTT_STARTER_RULES, log).catch((err) =>
    log.error({ err: (err as Error).message }, 'could not create the starter rule set'),
  );
  app.route(
    '/',
    managementRoutes(ctx, { services, auth, authThrottle, commit: opts.commit, validateResponses: opts.validateResponses, openapi }),
  );
  const ui = await openWebUi(ctx, {
    services,
    auth,
    authThrottle,
    sessionStore: opts.sessionStore,
    sessionPolicy: opts.sessionPolicy,
    pushEveryMs: opts.pushEveryMs,
  });
  app.route('/', ui.app);
  return {
    app: app as unknown as Hono,
    services,
    auth,
    counters,
    authThrottle,
    ui,
    close: async () => {
      await ui.close();
      services.close();
      await counters.close();
      await auth.close();
    },
  };
}
