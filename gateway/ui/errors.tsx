// Errors of UI routes as HTML pages, in one place: HTTP errors keep their status and message (403 for a
// read-only key or a bad CSRF token, 404, 415, 413), service failures map like the API's (invalid 400,
// not_found 404, exists 409, revision_mismatch 409), NATS failures are 503 "service unavailable", and
// anything else is a 500 whose details stay in the log (with the correlation id shown to quote).
//   uiApp.onError(uiErrorRenderer(log)); const f = describeFailure(err) // { status, title, message }

import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { ApiHttpError } from '../http-error.ts';
import { ServiceError } from '../services/errors.ts';
import type { UiEnv } from './env.ts';
import { renderPage } from './render.tsx';

export interface Failure {
  status: ContentfulStatusCode;
  title: string;
  message: string;
  /** Field issues of a refused input. */
  issues?: { path: string; message: string }[];
  /** A bug rather than a refusal or an outage: log it with its stack. */
  unexpected?: boolean;
}

const NATS_ERRORS =
  /^(TimeoutError|ConnectionError|ClosedConnectionError|DrainingConnectionError|NoResponders|RequestError|PermissionViolationError|JetStream\w*|StreamNotFoundError|ConsumerNotFoundError)$/;

const TITLES: Record<number, string> = {
  400: 'Not accepted',
  401: 'Not signed in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported',
  429: 'Too many attempts',
  503: 'Service unavailable',
};

/** True when an error means NATS (and so the MUTT services) could not be reached or answered badly. */
export function isUnavailable(err: unknown): boolean {
  return err instanceof Error && NATS_ERRORS.test(err.name);
}

export function describeFailure(err: unknown): Failure {
  if (err instanceof ServiceError) {
    const status = err.reason === 'invalid' ? 400 : err.reason === 'forbidden' ? 403 : err.reason === 'not_found' ? 404 : 409;
    const message =
      err.reason === 'revision_mismatch'
        ? `${err.message}. Someone else changed it meanwhile: reload to see the current version.`
        : err.message;
    return { status, title: TITLES[status], message, issues: err.issues };
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    return { status, title: TITLES[status] ?? 'Error', message: err.message, issues: err instanceof ApiHttpError ? err.issues : undefined };
  }
  if (isUnavailable(err)) {
    return {
      status: 503,
      title: TITLES[503],
      message: `MUTT's services did not answer (${(err as Error).name}: ${(err as Error).message}). NATS may be down or unreachable; try again shortly.`,
    };
  }
  return {
    status: 500,
    title: 'Something went wrong',
    message: 'The gateway hit an unexpected error. It has been logged; quote the correlation id when reporting it.',
    unexpected: true,
  };
}

export function ErrorBanner(props: { failure: Failure; correlationId?: string }) {
  const f = props.failure;
  return (
    <div class="flash error" role="alert" data-testid="error-banner">
      <strong>{f.title}:</strong> {f.message}
      {f.issues && f.issues.length > 0 && (
        <ul>
          {f.issues.map((i) => (
            <li>
              {i.path ? `${i.path}: ` : ''}
              {i.message}
            </li>
          ))}
        </ul>
      )}
      {props.correlationId && <div class="small muted">correlation id {props.correlationId}</div>}
    </div>
  );
}

export function uiErrorRenderer(log?: Logger) {
  return function renderUiError(err: Error, c: Context<UiEnv>): Response | Promise<Response> {
    const failure = describeFailure(err);
    const correlationId = c.get('correlationId');
    if (failure.unexpected) log?.error({ err, correlationId, path: c.req.path }, 'UI request failed');
    else if (failure.status >= 500)
      log?.warn({ err: err.message, correlationId, path: c.req.path }, 'UI request failed: service unavailable');
    if (err instanceof ApiHttpError) for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    if ((c.req.header('accept') ?? '').includes('text/event-stream')) return c.text(failure.message, failure.status);
    return renderPage(
      c,
      { title: failure.title, nav: 'none', status: failure.status },
      <>
        <h1>{failure.title}</h1>
        <ErrorBanner failure={failure} correlationId={correlationId} />
        <p>
          <a href="/ui/">Back to the dashboard</a>
        </p>
      </>,
    );
  };
}
