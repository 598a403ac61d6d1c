// Declares a gateway route once: its OpenAPI description (gateway/openapi/document.ts) and its Hono handler come
// from the same spec, so the document cannot drift from what is validated. Every route of the gateway is declared
// this way (gateway/routes.ts), through one router per surface:
//   'api'     the management API. Per route: request metrics, X-API-Version headers, Deprecation/Sunset headers
//             (v1 aliases), correlation id, API-key scope, body read under the body limit and measured against its
//             JSON limits before it is parsed (gateway/body-limits.ts: 413 naming the limit), path / query / JSON
//             body validated by zod (a 400 naming each field — never a 500 for bad input), service failures
//             mapped to 4xx, the answer rendered as JSON. Handlers return data, not responses.
//   'ingest'  the same without the version headers; `errorStyle: 'legacy'` answers errors in v2.5's shape and
//             `streamBody` leaves the body to the handler (it measures and splits NDJSON itself).
//   'ui'      web UI form posts: the UI app's own guards (CSP, same-origin, form read, session, CSRF) run first;
//             the router adds the write scope. The form schema documents the fields the services validate.
//   api.route({ method: 'get', path: '/api/v2/rules/:id', params: z.object({ id: RuleId }), scope: 'read', … },
//     async ({ params }) => ({ status: 200, body: view(await rules.get(params.id)) }))

import type { Context, Env, Hono, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { Change } from '../services/change.ts';
import { JsonLimitError, parseJsonBounded, type JsonLimits } from '../bounded-json.ts';
import { MANAGEMENT_BODY_LIMITS } from '../body-limits.ts';
import { httpError } from '../http-error.ts';
import { limitExceeded, readBodyLimited } from '../middleware/body-limit.ts';
import type { ErrorStyle, GatewayEnv } from '../middleware/context.ts';
import { correlationId } from '../middleware/correlation.ts';
import { deprecation } from '../middleware/deprecation.ts';
import { requestMetrics } from '../middleware/request-metrics.ts';
import type { BodySpec, OpenApiRegistry, OperationSpec, Scope } from '../openapi/document.ts';
import { parseIfMatch } from './common.ts';
import { toHttpError } from './service-errors.ts';

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P, Q, B, E extends Env = GatewayEnv> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  /** For routes with `rawBody`: the body as text, its bytes and its content type. */
  raw: { text: string; bytes: Uint8Array; contentType: string };
  /** The parsed JSON body (also when the service, not the route, validates it: `validateBody: false`). */
  json: unknown;
  c: Context<E>;
  /** Who is changing what and why: key name, correlation id, reason (X-Change-Reason or body `reason`), If-Match. */
  change(bodyReason?: unknown): Change;
}

export type ApiResult = { status: ContentfulStatusCode; body: unknown; headers?: Record<string, string> } | Response;

export type RouteSpec<P, Q, B> = Omit<OperationSpec, 'params' | 'query' | 'body'> & {
  params?: P;
  query?: Q;
  body?: B extends z.ZodType ? Omit<BodySpec, 'schema'> & { schema: B } : undefined;
  /** Hand the body over unparsed (the route accepts several content types). */
  rawBody?: boolean;
  /** Leave the body unread: the handler reads it itself (ingest measures and splits NDJSON line by line). */
  streamBody?: boolean;
  /** How errors of this route are rendered (http-error.ts): 'api' (default) or v2.5's 'legacy' shape. */
  errorStyle?: ErrorStyle;
  /** false: the body schema documents the input and the service validates it (same issues, one place). */
  validateBody?: false;
  /** Items, depth and values a JSON body may hold. Default MANAGEMENT_BODY_LIMITS. */
  bodyLimits?: JsonLimits;
};

/** Which part of the gateway a router declares routes of (see the header). */
export type Surface = 'api' | 'ingest' | 'ui';

export interface ApiRouterDeps {
  /** Default 'api'. */
  surface?: Surface;
  /** The middleware that admits a request with `scope` (API key; for 'ui' the session's scopes). */
  guard: (scope: Scope) => MiddlewareHandler;
  registry: Registry;
  bodyLimitBytes: number;
  /** Check every JSON answer against its declared schema (tests): a mismatch is a 500 naming the field. */
  validateResponses?: boolean;
}

const ensureCorrelationId: MiddlewareHandler = (() => {
  const assign = correlationId();
  return async function ensureCorrelationId(c, next) {
    if (c.get('correlationId')) return next();
    return assign(c, next);
  };
})();

const setApiStyle: MiddlewareHandler = async function apiErrorStyle(c, next) {
  c.set('errorStyle', 'api');
  await next();
};

const setLegacyStyle: MiddlewareHandler = async function legacyErrorStyle(c, next) {
  c.set('errorStyle', 'legacy');
  await next();
};

/**
 * A JSON body measured against `limits` before JSON.parse builds it: 413 naming the limit, 400 when it is not JSON.
 *   const json = parseJsonBody(raw.text, HOST_IMPORT_BODY_LIMITS, raw.bytes)
 */
export function parseJsonBody(text: string, limits: JsonLimits, bytes?: Uint8Array, notJson = 'request body is not valid JSON'): unknown {
  try {
    return parseJsonBounded(text, limits, bytes);
  } catch (err) {
    if (err instanceof JsonLimitError) throw limitExceeded(err);
    throw httpError(400, { message: notJson, issues: [{ path: '', message: 'expected a JSON body (Content-Type: application/json)' }] });
  }
}

function issuesOf(err: z.ZodError, prefix: string) {
  return err.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message }));
}

function validate<S extends z.ZodType>(schema: S, value: unknown, what: string, prefix: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw httpError(400, { message: `invalid ${what}`, issues: issuesOf(r.error, prefix) });
  return r.data;
}

export class ApiRouter<E extends Env = GatewayEnv> {
  constructor(
    readonly app: Hono<E>,
    readonly openapi: OpenApiRegistry,
    private readonly deps: ApiRouterDeps,
  ) {}

  route<
    P extends z.ZodObject | undefined = undefined,
    Q extends z.ZodObject | undefined = undefined,
    B extends z.ZodType | undefined = undefined,
  >(spec: RouteSpec<P, Q, B>, handler: (input: RouteInput<P, Q, B, E>) => Promise<ApiResult> | ApiResult): void {
    const surface = this.deps.surface ?? 'api';
    this.openapi.add({ ...(spec as unknown as OperationSpec), ...(surface === 'ui' ? { ui: true } : {}) });
    const version = spec.path.startsWith('/api/v1/') ? '1' : '2';
    const chain: MiddlewareHandler[] = [];
    if (surface !== 'ui') {
      chain.push(requestMetrics(this.deps.registry, spec.path));
      if (surface === 'api')
        chain.push(async function apiVersion(c, next) {
          c.header('X-API-Version', version);
          c.header('X-API-Supported-Versions', '2, 1');
          await next();
        });
      if (spec.deprecated) chain.push(deprecation(spec.deprecated));
      chain.push(spec.errorStyle === 'legacy' ? setLegacyStyle : setApiStyle, ensureCorrelationId);
    }
    if (spec.scope) chain.push(this.deps.guard(spec.scope));
    const limit = this.deps.bodyLimitBytes;
    const check = this.deps.validateResponses;

    // UI forms were read by the UI app's readForm (c.get('form')); a streamed body is the handler's to read.
    const readsBody = surface !== 'ui' && !spec.streamBody && !!(spec.body || spec.rawBody);

    const run = async (c: Context<GatewayEnv>): Promise<Response> => {
      const params = (spec.params ? validate(spec.params, c.req.param(), 'path parameters', '') : undefined) as Out<P>;
      const query = (spec.query ? validate(spec.query, c.req.query(), 'query parameters', '') : undefined) as Out<Q>;
      let body = undefined as Out<B>;
      let json: unknown = undefined;
      let raw: RouteInput<P, Q, B, E>['raw'] = { text: '', bytes: new Uint8Array(0), contentType: '' };
      if (readsBody) {
        const bytes = await readBodyLimited(c, limit);
        raw = {
          text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
          bytes,
          contentType: (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase(),
        };
        if (!spec.rawBody && spec.body) {
          if (raw.text.trim() !== '') {
            json = parseJsonBody(raw.text, spec.bodyLimits ?? MANAGEMENT_BODY_LIMITS, bytes);
          } else if (spec.body.required !== false) {
            throw httpError(400, { message: 'request body is missing', issues: [{ path: '', message: 'expected a JSON body' }] });
          }
          if (spec.validateBody !== false)
            body = validate(
              spec.body.required === false ? spec.body.schema.optional() : spec.body.schema,
              json,
              'request body',
              '',
            ) as Out<B>;
        }
      }
      const change = (bodyReason?: unknown): Change => {
        const header = c.req.header('x-change-reason')?.trim();
        const reason = header || (typeof bodyReason === 'string' && bodyReason.trim() ? bodyReason.trim() : undefined);
        return {
          actor: c.get('principal')?.name ?? 'anonymous',
          correlationId: c.get('correlationId'),
          reason: reason?.slice(0, 1000),
          ifMatch: parseIfMatch(c.req.header('if-match')),
        };
      };
      let result: ApiResult;
      try {
        result = await handler({ params, query, body, raw, json, c: c as unknown as Context<E>, change });
      } catch (err) {
        throw toHttpError(err);
      }
      if (result instanceof Response) return result;
      if (check) {
        const declared = spec.responses[result.status]?.schema;
        if (!declared)
          throw new Error(`${spec.method.toUpperCase()} ${spec.path} answered ${result.status}, which its spec does not declare`);
        const r = declared.safeParse(result.body);
        if (!r.success)
          throw new Error(
            `${spec.method.toUpperCase()} ${spec.path} answer does not match its schema: ${JSON.stringify(issuesOf(r.error, ''))}`,
          );
      }
      for (const [k, v] of Object.entries(result.headers ?? {})) c.header(k, v);
      return c.json(result.body as object, result.status);
    };
    this.app.on([spec.method.toUpperCase()], [spec.path], ...(chain as MiddlewareHandler<E>[]), run as unknown as MiddlewareHandler<E>);
  }
}
