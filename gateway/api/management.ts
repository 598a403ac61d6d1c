// The management API as one Hono app for the lead to mount: /api/v2 (rules, dev-hosts, teams, config, audit,
// dlq, metrics, actors, slo, version, openapi.json, docs) and the deprecated /api/v1 aliases of v2.5's routes.
// Auth per route with the gateway's API keys (read for GET, admin for writes); errors render as {error, issues?}.
//   const services = await openManagementServices(ctx, { counters })
//   app.route('/', managementRoutes(ctx, { services, auth: store, authThrottle }))
//   apiDocument()   // the OpenAPI document without NATS (docs/API.md is generated from it)

import { Hono } from 'hono';
import { Registry } from 'prom-client';
import type { ProcessContext } from '../../actors/runtime/process.ts';
import { VERSION } from '../../actors/runtime/process.ts';
import { authGuard } from '../auth/middleware.ts';
import type { ApiKeyStore } from '../auth/store.ts';
import type { FailureThrottle } from '../auth/throttle.ts';
import type { GatewayEnv } from '../middleware/context.ts';
import { OpenApiRegistry, type OpenApiDocument } from '../openapi/document.ts';
import type { ManagementServices } from '../services/index.ts';
import { ingestRoutes } from '../ingest/routes.ts';
import { auditRoutes } from './audit.ts';
import { configRoutes } from './config.ts';
import { dlqRoutes } from './dlq.ts';
import { docsRoutes } from './docs.ts';
import { hostRoutes } from './hosts.ts';
import { legacyAuditRoutes } from './legacy-audit.ts';
import { metricsRoutes } from './metrics.ts';
import { ApiRouter } from './route.ts';
import { ruleRoutes } from './rules.ts';
import { sloRoutes } from './slo.ts';
import { versionRoutes } from './version.ts';

export interface ManagementDeps {
  services: ManagementServices;
  /** The gateway's API key store (gateway/auth/store.ts). */
  auth: ApiKeyStore;
  /** Share the ingest routes' throttle so failed authentications add up across the gateway. */
  authThrottle?: FailureThrottle;
  /** Source commit for GET /api/v2/version (default: read from .git, null outside a checkout). */
  commit?: string | null;
  /** Check each answer against its declared schema (tests). */
  validateResponses?: boolean;
  /** The gateway's registry, which the ingest routes were declared into first (default: a new one). */
  openapi?: OpenApiRegistry;
}

export const API_INFO = {
  title: 'MUTT management API',
  version: VERSION,
  description:
    'Rules, development hosts, device teams, dynamic configuration, audit trails, dead letters, metrics and SLOs of MUTT. ' +
    'Authenticate with an API key in X-API-Key or Authorization: Bearer (scope read for GET, admin for writes). ' +
    "Errors are {error, issues?}; times are ISO 8601 UTC; /api/v1 routes are deprecated aliases of v2.5's API.",
};

function register(api: ApiRouter, services: ManagementServices, commit: string | null | undefined): () => OpenApiDocument {
  let doc: OpenApiDocument | undefined;
  const document = () => (doc ??= api.openapi.document(API_INFO));
  ruleRoutes(api, services);
  hostRoutes(api, services);
  configRoutes(api, services);
  auditRoutes(api, services);
  legacyAuditRoutes(api, services);
  dlqRoutes(api, services);
  metricsRoutes(api, services);
  sloRoutes(api, services);
  versionRoutes(api, { commit });
  docsRoutes(api, document);
  return document;
}

export function managementRoutes(ctx: Pick<ProcessContext, 'env' | 'log' | 'registry'>, deps: ManagementDeps): Hono<GatewayEnv> {
  // Errors are rendered by the host app (gateway/app.ts), not here: see ingestRoutes.
  const app = new Hono<GatewayEnv>();
  const guard = authGuard({ store: deps.auth, registry: ctx.registry, log: ctx.log, throttle: deps.authThrottle });
  const api = new ApiRouter(app, deps.openapi ?? new OpenApiRegistry(), {
    guard,
    registry: ctx.registry,
    bodyLimitBytes: ctx.env.MUTT_BODY_LIMIT_BYTES,
    validateResponses: deps.validateResponses,
  });
  register(api, deps.services, deps.commit);
  return app;
}

/** Every route's spec (with its zod schemas), registered without NATS or keys: handlers are never run. */
export function apiRegistry(): OpenApiRegistry {
  const unavailable = new Proxy(
    {},
    {
      get: (_t, p) => {
        throw new Error(`services.${String(p)} used while only building the API document`);
      },
    },
  ) as ManagementServices;
  const api = new ApiRouter(new Hono<GatewayEnv>(), new OpenApiRegistry(), {
    guard: () => async (_c, next) => next(),
    registry: new Registry(),
    bodyLimitBytes: 0,
  });
  register(api, unavailable, null);
  return api.openapi;
}

/** The OpenAPI document of the gateway (ingest and management routes), built without NATS or keys. */
export function apiDocument(): OpenApiDocument {
  const registry = apiRegistry();
  const inert = new ApiRouter(new Hono<GatewayEnv>(), registry, {
    surface: 'ingest',
    guard: () => async (_c, next) => next(),
    registry: new Registry(),
    bodyLimitBytes: 0,
  });
  ingestRoutes(inert, {
    store: () => Promise.reject(new Error('ingest used while only building the API document')),
    depth: () => undefined,
  });
  return registry.document(API_INFO);
}
