// The one place HTTP errors become responses. Handlers and middleware throw `httpError(status, {...})` (an
// HTTPException carrying issues, headers and extra body fields); `errorRenderer(log)` turns it into JSON:
//   api style:    {error, issues?, ...body}                               (v2 routes, management API)
//   legacy style: {status:"error", message, correlation_id, ...legacy}    (v2.5's /ingest, so old senders parse it)
// Anything that is not an HTTPException is a bug: logged with its stack, answered 500 without details.
//   app.onError(errorRenderer(log)); throw httpError(400, { message: 'no events in body', issues })

import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import type { ErrorStyle } from './middleware/context.ts';

export interface Issue {
  /** Dotted path into the item ('' for the item itself), named as the sender named the field. */
  path: string;
  message: string;
}

export interface HttpErrorOptions {
  message: string;
  issues?: Issue[];
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
  /** Extra fields of the api-style body. */
  body?: Record<string, unknown>;
  /** Message in the legacy body when it must differ from `message` (v2.5 wording). */
  legacyMessage?: string;
  /** Extra fields of the legacy body (v2.5 names: retry_after, queue_depth, ...). */
  legacy?: Record<string, unknown>;
  cause?: unknown;
}

export class ApiHttpError extends HTTPException {
  readonly issues?: Issue[];
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown>;
  readonly legacyMessage?: string;
  readonly legacy: Record<string, unknown>;
  constructor(status: ContentfulStatusCode, opts: HttpErrorOptions) {
    super(status, { message: opts.message, cause: opts.cause });
    this.name = 'ApiHttpError';
    this.issues = opts.issues;
    this.headers = opts.headers ?? {};
    this.body = opts.body ?? {};
    this.legacyMessage = opts.legacyMessage;
    this.legacy = opts.legacy ?? {};
  }
}

export function httpError(status: ContentfulStatusCode, opts: HttpErrorOptions): ApiHttpError {
  return new ApiHttpError(status, opts);
}

/** Sets the error style for the rest of the request (legacy routes call this first). */
export function errorStyle(style: ErrorStyle) {
  return async function errorStyle(c: Context, next: () => Promise<void>) {
    c.set('errorStyle', style);
    await next();
  };
}

/** The response body for an error, without the status; exported for tests and for the lead's own handlers. */
export function errorBody(
  err: ApiHttpError | HTTPException,
  style: ErrorStyle,
  correlationId: string | undefined,
): Record<string, unknown> {
  const api = err instanceof ApiHttpError;
  if (style === 'legacy') {
    return {
      status: 'error',
      message: (api && err.legacyMessage) || err.message,
      correlation_id: correlationId ?? null,
      ...(api ? err.legacy : {}),
    };
  }
  return {
    error: err.message,
    ...(api && err.issues ? { issues: err.issues } : {}),
    ...(api ? err.body : {}),
  };
}

export function errorRenderer(log?: Logger) {
  return function renderError(err: Error, c: Context): Response {
    const correlationId = c.get('correlationId') as string | undefined;
    const style = (c.get('errorStyle') as ErrorStyle | undefined) ?? 'api';
    if (correlationId) c.header('X-Correlation-ID', correlationId);
    if (err instanceof HTTPException) {
      if (err instanceof ApiHttpError) for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      const status = err.status === 500 ? 500 : err.status;
      return c.json(errorBody(err, style, correlationId), status as ContentfulStatusCode);
    }
    log?.error({ err, correlationId, path: c.req.path }, 'unhandled error');
    const internal = new HTTPException(500, { message: 'internal error' });
    return c.json(errorBody(internal, style, correlationId), 500);
  };
}
