// The HTTP ingest API of the gateway (docs/INGEST.md):
//   POST /ingest          v2.5's route, as rsyslog / snmptrapd scripts / curl use it: X-API-KEY, one JSON object
//                         (also an array or newline-separated batch) -> 200 {status:"queued", correlation_id, event_id, queue_depth}
//   POST /api/v1/ingest   the same, with Deprecation / Sunset / Link headers pointing at v2
//   POST /api/v2/events   a JSON object, array or NDJSON -> 202 {accepted, rejected, duplicates, ids, errors} once
//                         JetStream acknowledged every stored event; per-item errors {index, issues:[{path, message}]}
// Every route (declared through the 'ingest' router, gateway/api/route.ts): API key with scope 'ingest',
// X-Correlation-ID honoured and echoed, body capped while streaming and measured before it is parsed (413 naming
// the limit: bytes, items, depth, values — gateway/body-limits.ts), Idempotency-Key -> Nats-Msg-Id
// `${key}:${index}`, per-key rate limit (429), MUTT_EVENTS full or NATS down (503 + Retry-After, saying which items
// were stored). Legacy routes answer errors in v2.5's shape. The pipeline (state: rate windows, NATS link, backlog)
// is apart from the declarations, so the OpenAPI document is built without NATS.
//   ingestRoutes(ingestRouter, ingestPipeline({ js: jsPublisher(nc), nc, log, registry, config, bodyLimitBytes, counters }))

import type { Context } from 'hono';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { IngestEvent } from '../../protocol/messages.ts';
import type { JsonLimits } from '../bounded-json.ts';
import { INGEST_BODY_LIMITS } from '../body-limits.ts';
import type { ApiRouter } from '../api/route.ts';
import { ApiHttpError, httpError, type Issue } from '../http-error.ts';
import { readBodyLimited } from '../middleware/body-limit.ts';
import { remoteAddress, type GatewayEnv } from '../middleware/context.ts';
import { isSafeToken } from '../middleware/correlation.ts';
import { EventsBacklog, type Backlog } from './backlog.ts';
import type { IngestCounters } from './counters.ts';
import { ingestMetrics, type RejectReason } from './metrics.ts';
import { normaliseHttpEvent } from './normalise.ts';
import { parseBody, type BodyItem } from './parse-body.ts';
import type { JsPublish } from '../../actors/runtime/js-publisher.ts';
import { ConnectionState, publishEvents, RETRY_AFTER_SECONDS, type PublishFailure } from '../../actors/runtime/publish-events.ts';
import { KeyRateLimiter } from './rate-limit.ts';
import { CorrelationIdHeader, EventsAccepted, HttpEventBody, IdempotencyKeyHeader, LegacyError, LegacyQueued } from './schemas.ts';

export interface IngestConfig {
  ingest_rate_limit: number;
  ingest_rate_window_seconds: number;
}

export interface IngestDeps {
  /** Stores events; the connection's fast publisher (js-publisher.ts) in production. */
  js: JsPublish;
  nc: NatsConnection;
  log: Logger;
  registry: Registry;
  /** Read on every request, so dynamic config changes apply at once. */
  config: () => IngestConfig;
  bodyLimitBytes: number;
  counters: IngestCounters;
  /** Items per request (413 beyond). Default INGEST_BODY_LIMITS.maxItems (10,000). */
  maxEventsPerRequest?: number;
  /** PubAck wait per event. Default 5,000 ms. */
  publishTimeoutMs?: number;
}

/** End of /api/v1/ingest (v2.5's lifecycle policy: 12 months after deprecation). /ingest itself stays. */
export const LEGACY_SUNSET = 'Fri, 01 Jan 2027 00:00:00 GMT';
export const IDEMPOTENCY_KEY_MAX = 150;
const INPUT = 'http';

type ItemError = { index: number; issues: Issue[] };

export type Dialect = 'v2' | 'legacy';

export interface Stored {
  total: number;
  ids: (string | null)[];
  stored: number[];
  duplicates: number[];
  errors: ItemError[];
}

function legacySummary(errors: ItemError[]): string {
  const first = errors[0].issues;
  const missing = first.filter((i) => i.message === 'required').map((i) => i.path);
  if (missing.length === first.length) return `Missing required fields: [${missing.join(', ')}]`;
  return `Invalid event: ${first.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`;
}

/** What the ingest routes run: stores a request's events (or throws the 4xx/5xx that says why not). */
export interface IngestPipeline {
  store(c: Context<GatewayEnv>, dialect: Dialect): Promise<Stored>;
  /** The MUTT_EVENTS backlog as last seen, if known. */
  depth(): Backlog | undefined;
}

export function ingestPipeline(deps: IngestDeps): IngestPipeline {
  const metrics = ingestMetrics(deps.registry);
  const link = new ConnectionState(deps.nc);
  const limiter = new KeyRateLimiter();
  const backlog = new EventsBacklog(deps.nc);
  const limits: JsonLimits = { ...INGEST_BODY_LIMITS, maxItems: deps.maxEventsPerRequest ?? INGEST_BODY_LIMITS.maxItems };

  const reject = (reason: RejectReason, n = 1) => {
    if (n > 0) metrics.rejected.inc({ input: INPUT, reason }, n);
  };

  async function storeEvents(c: Context<GatewayEnv>, dialect: Dialect): Promise<Stored> {
    const corr = c.get('correlationId');
    let items: BodyItem[];
    try {
      const bytes = await readBodyLimited(c, deps.bodyLimitBytes);
      items = parseBody(bytes, c.req.header('content-type'), { mode: dialect, limits }).items;
    } catch (err) {
      if (err instanceof ApiHttpError)
        reject(err.status === 413 ? 'too_large' : err.status === 415 ? 'unsupported_media_type' : 'malformed');
      throw err;
    }
    const idempotencyKey = c.req.header('idempotency-key');
    if (idempotencyKey !== undefined && !isSafeToken(idempotencyKey, IDEMPOTENCY_KEY_MAX)) {
      reject('malformed');
      throw httpError(400, {
        message: `Idempotency-Key must be 1-${IDEMPOTENCY_KEY_MAX} visible ASCII characters without spaces`,
        issues: [{ path: 'Idempotency-Key', message: 'invalid' }],
      });
    }

    const receivedAt = Date.now();
    const address = remoteAddress(c);
    const events: { index: number; event: IngestEvent }[] = [];
    const errors: ItemError[] = [];
    items.forEach((item, index) => {
      if ('issue' in item) return void errors.push({ index, issues: [item.issue] });
      const r = normaliseHttpEvent(item.value, {
        receivedAt,
        address,
        correlationId: corr,
        raw: item.raw,
        dialect,
        id: idempotencyKey ? `${idempotencyKey}:${index}` : undefined,
      });
      if (r.ok) events.push({ index, event: r.event });
      else errors.push({ index, issues: r.issues });
    });
    reject('invalid', errors.length);
    if (events.length === 0) {
      throw httpError(400, {
        message: 'no valid events',
        issues: items.length === 1 ? errors[0].issues : undefined,
        body: { accepted: 0, rejected: errors.length, errors },
        legacyMessage: legacySummary(errors),
        legacy: { errors },
      });
    }

    const principal = c.get('principal');
    const cfg = deps.config();
    const rate = limiter.take(principal.name, events.length, {
      limit: cfg.ingest_rate_limit,
      windowSeconds: cfg.ingest_rate_window_seconds,
    });
    if (!rate.ok) {
      reject('rate_limited', events.length);
      throw httpError(429, {
        message: `rate limit exceeded: key '${principal.name}' may send ${cfg.ingest_rate_limit} events per ${cfg.ingest_rate_window_seconds} s`,
        legacyMessage: 'Too Many Requests - rate limit exceeded',
        headers: { 'Retry-After': String(rate.retryAfterSeconds) },
        body: { retryAfterSeconds: rate.retryAfterSeconds },
        legacy: { retry_after: rate.retryAfterSeconds },
      });
    }

    const outcomes = await publishEvents(
      deps.js,
      events.map((e) => e.event),
      { link, timeoutMs: deps.publishTimeoutMs },
    );
    const ids: (string | null)[] = items.map(() => null);
    const stored: number[] = [];
    const duplicates: number[] = [];
    const failed: number[] = [];
    const reasons = new Map<PublishFailure, number>();
    let firstError = '';
    outcomes.forEach((o, j) => {
      const { index, event } = events[j];
      ids[index] = event.id;
      if (o.ok) {
        stored.push(index);
        if (o.duplicate) duplicates.push(index);
      } else {
        failed.push(index);
        reasons.set(o.reason, (reasons.get(o.reason) ?? 0) + 1);
        firstError ||= o.error;
      }
    });
    const fresh = stored.length - duplicates.length;
    if (fresh > 0) {
      metrics.accepted.inc({ input: INPUT }, fresh);
      deps.counters.add(fresh);
    }
    if (duplicates.length) metrics.duplicate.inc({ input: INPUT }, duplicates.length);

    if (failed.length > 0) {
      for (const [reason, n] of reasons) reject(reason, n);
      const reason: PublishFailure = reasons.has('stream_full') ? 'stream_full' : reasons.has('unavailable') ? 'unavailable' : 'error';
      const retryAfter = RETRY_AFTER_SECONDS[reason];
      deps.log.warn({ correlationId: corr, reason, stored: stored.length, failed: failed.length, err: firstError }, 'events not stored');
      const depth = reason === 'stream_full' ? await backlog.refresh() : backlog.peek();
      const message =
        reason === 'stream_full' ? 'event backlog full (MUTT_EVENTS): retry later' : 'event store unavailable (NATS): retry later';
      throw httpError(503, {
        message,
        legacyMessage: reason === 'stream_full' ? 'Service Unavailable - queue full' : 'Service Unavailable - NATS unavailable',
        headers: { 'Retry-After': String(retryAfter) },
        body: {
          reason,
          retryAfterSeconds: retryAfter,
          accepted: stored.length,
          rejected: errors.length,
          stored,
          failed,
          duplicates,
          ids,
          errors,
        },
        legacy: {
          retry_after: retryAfter,
          stored: stored.length,
          ...(depth ? { queue_depth: depth.messages, queue_limit: depth.maxMessages } : {}),
        },
      });
    }
    return { total: items.length, ids, stored, duplicates, errors };
  }

  return { store: storeEvents, depth: () => backlog.peek() };
}

const INGEST_ERRORS = {
  401: { description: 'No API key, or an unknown one.' },
  403: { description: 'The key lacks the `ingest` scope.' },
  413: { description: 'Over a body limit (bytes, events, depth, JSON values): the answer names it.' },
  429: { description: 'Over the per-key event rate, or too many failed authentications.', headers: { 'Retry-After': 'Seconds to wait.' } },
  503: {
    description: 'MUTT_EVENTS full or NATS unavailable: says which items were stored.',
    headers: { 'Retry-After': 'Seconds to wait.' },
  },
} as const;

const legacyErrors = Object.fromEntries(Object.entries(INGEST_ERRORS).map(([s, r]) => [s, { ...r, schema: LegacyError }]));

export function ingestRoutes(api: ApiRouter, ingest: IngestPipeline): void {
  api.openapi.describeTag('ingest', 'Events in over HTTP (docs/INGEST.md): the v2 route and the routes v2.5 senders use.');
  const legacy = {
    tag: 'ingest',
    scope: 'ingest',
    errorStyle: 'legacy',
    streamBody: true,
    headers: [CorrelationIdHeader],
    body: {
      schema: HttpEventBody,
      description: 'Whatever the content type (rsyslog and curl send any): one object, an array, or newline-separated objects.',
      example: { hostname: 'core-sw1', message: '%LINK-3-UPDOWN: Interface Gi0/1, changed state to down', syslog_severity: 'error' },
    },
    responses: {
      200: { description: 'Stored.', schema: LegacyQueued },
      400: { description: 'Not JSON, or no valid event: v2.5 wording (`Missing required fields: [...]`).', schema: LegacyError },
      ...legacyErrors,
    },
  } as const;
  const handleLegacy = async ({ c }: { c: Context<GatewayEnv> }) => {
    const r = await ingest.store(c, 'legacy');
    const depth = ingest.depth();
    const single = r.total === 1;
    return {
      status: 200 as const,
      body: {
        status: 'queued',
        correlation_id: c.get('correlationId'),
        event_id: r.ids[r.stored[0]],
        ...(depth ? { queue_depth: depth.messages + r.stored.length - r.duplicates.length } : {}),
        ...(single ? {} : { event_ids: r.ids, accepted: r.stored.length, rejected: r.errors.length, errors: r.errors }),
        ...(r.duplicates.length ? { duplicates: r.duplicates.length } : {}),
      },
    };
  };
  api.route(
    {
      ...legacy,
      method: 'post',
      path: '/ingest',
      operationId: 'ingestLegacy',
      summary: "v2.5's ingest route (X-API-KEY, one event or a batch)",
      description: 'Answers in the v2.5 shape. Stays: it is what deployed rsyslog and snmptrapd scripts post to.',
    },
    handleLegacy,
  );
  api.route(
    {
      ...legacy,
      method: 'post',
      path: '/api/v1/ingest',
      operationId: 'ingestV1',
      summary: 'The same as POST /ingest, deprecated',
      deprecated: { sunset: LEGACY_SUNSET, successor: '/api/v2/events' },
    },
    handleLegacy,
  );
  api.route(
    {
      method: 'post',
      path: '/api/v2/events',
      operationId: 'postEvents',
      tag: 'ingest',
      scope: 'ingest',
      summary: 'Store events (JSON object, array or NDJSON)',
      description:
        'Answers 202 once JetStream has acknowledged every stored event. Each item is validated on its own: a refused item is listed in `errors` with its index and the others are stored (400 only when none is valid).',
      streamBody: true,
      headers: [IdempotencyKeyHeader, CorrelationIdHeader],
      body: {
        schema: HttpEventBody,
        description: 'application/json (an object or an array) or application/x-ndjson (one object per line).',
        example: [{ host: 'core-sw1', message: '%LINK-3-UPDOWN: Interface Gi0/1, changed state to down', severity: 'error' }],
      },
      responses: {
        202: { description: 'Stored (and which items were refused).', schema: EventsAccepted },
        400: { description: 'Not JSON / not UTF-8 / empty, a bad Idempotency-Key, or no valid event (`issues` names the field).' },
        415: { description: 'A content type other than JSON or NDJSON.' },
        ...INGEST_ERRORS,
      },
    },
    async ({ c }) => {
      const r = await ingest.store(c, 'v2');
      return {
        status: 202,
        body: { accepted: r.stored.length, rejected: r.errors.length, duplicates: r.duplicates, ids: r.ids, errors: r.errors },
      };
    },
  );
}
