// GET /api/v2/metrics: ingest rates (v2.5's summary and 24 h chart, plus this minute), stream depths, each
// stage's consumer lag, the DLQ by stage and reason, the forwarder's circuit breaker and the health of every
// actor across processes. GET /api/v2/actors: just the process health table. GET /api/v1/metrics is an alias.
//   metricsRoutes(api, services)

import { z } from 'zod';
import type { ManagementServices } from '../services/index.ts';
import type { BreakerReport } from '../services/metrics.ts';
import type { ProcessHealth } from '../services/health-table.ts';
import { iso, isoTime, nullableIsoTime } from './common.ts';
import type { ApiRouter } from './route.ts';
import { v1Deprecation } from './version.ts';

const ProcessView = z
  .object({
    process: z.string().describe('Process name (up, gateway, alerter, …).'),
    instance: z.string(),
    actors: z.array(z.string()),
    ready: z.boolean(),
    stale: z.boolean().describe('No heartbeat for more than 15 s.'),
    last_seen: isoTime,
    age_seconds: z.number(),
    version: z.string().nullable(),
    pid: z.number().int().nullable(),
    started_at: nullableIsoTime,
    components: z.record(z.string(), z.object({ ready: z.boolean(), detail: z.string().optional(), since: z.string().nullable() })),
  })
  .meta({ id: 'ProcessHealth' });

const ActorSummary = z
  .record(z.string(), z.object({ instances: z.number().int(), ready: z.number().int(), stale: z.number().int() }))
  .describe('Per actor: instances heard from, ready (and not stale), stale.');

const Breaker = z
  .object({
    status: z.enum(['closed', 'open', 'half_open']),
    code: z.number().int().describe('0 closed, 1 half-open, 2 open.'),
    known: z.boolean().describe('False when no forwarder has written the breaker yet.'),
    since: nullableIsoTime,
    requests: z.number().int().describe('Requests in the current window.'),
    failures: z.number().int(),
    failure_ratio: z.number(),
    seconds_in: z.object({ closed: z.number(), open: z.number(), half_open: z.number() }),
    transitions: z.record(z.string(), z.number().int()),
    probe_owner: z.string().nullable(),
    last_transition: z.object({ from: z.string(), to: z.string(), at: isoTime, reason: z.string() }).nullable(),
  })
  .meta({ id: 'Breaker' });

export const MetricsBody = z
  .object({
    summary: z.object({
      current_rate_1m: z.number().describe('Events in the last complete minute.'),
      this_minute: z.number().describe('Events in the current minute so far.'),
      avg_rate_15m: z.number().describe('Events per minute, mean of the last 15 complete minutes (empty minutes count as 0).'),
      avg_rate_1h: z.number(),
    }),
    chart_24h: z.object({
      labels: z.array(z.string()),
      data: z.array(z.number()).describe('Events per minute in each UTC hour, oldest first.'),
    }),
    streams: z.array(
      z.object({
        stream: z.string(),
        messages: z.number().int(),
        bytes: z.number().int(),
        max_msgs: z.number().int(),
        fill_ratio: z.number().nullable(),
        first_seq: z.number().int(),
        last_seq: z.number().int(),
        consumers: z.number().int(),
      }),
    ),
    consumers: z.array(
      z.object({
        stage: z.string(),
        stream: z.string(),
        durable: z.string(),
        exists: z.boolean(),
        num_pending: z.number().int().describe('Not yet delivered to the stage (lag).'),
        num_ack_pending: z.number().int().describe('Delivered, not yet acknowledged.'),
        num_redelivered: z.number().int(),
        num_waiting: z.number().int(),
      }),
    ),
    dlq: z.object({
      total: z.number().int(),
      by_reason: z.record(z.string(), z.number().int()),
      by_stage: z.record(z.string(), z.number().int()),
      entries: z.array(z.object({ stage: z.string(), reason: z.string(), count: z.number().int() })),
    }),
    breaker: Breaker,
    actors: ActorSummary,
    processes: z.array(ProcessView),
    at: isoTime,
  })
  .meta({ id: 'Metrics' });

export function processView(p: ProcessHealth, now = Date.now()): z.output<typeof ProcessView> {
  const h = p.heartbeat;
  return {
    process: h.process,
    instance: h.instance,
    actors: h.actors,
    ready: h.ready,
    stale: p.stale,
    last_seen: iso(p.lastSeen),
    age_seconds: Math.max(0, Math.round((now - p.lastSeen) / 100) / 10),
    version: h.version ?? null,
    pid: h.pid ?? null,
    started_at: iso(h.startedAt),
    components: Object.fromEntries(
      Object.entries(h.components).map(([k, c]) => [k, { ready: c.ready, ...(c.detail ? { detail: c.detail } : {}), since: iso(c.since) }]),
    ),
  };
}

function breakerView(b: BreakerReport): z.output<typeof Breaker> {
  return {
    status: b.status,
    code: b.code,
    known: b.known,
    since: iso(b.since),
    requests: b.requests,
    failures: b.failures,
    failure_ratio: b.failureRatio,
    seconds_in: { closed: b.msIn.closed / 1000, open: b.msIn.open / 1000, half_open: b.msIn.half_open / 1000 },
    transitions: b.transitions,
    probe_owner: b.probeOwner,
    last_transition: b.last_transition ? { ...b.last_transition, at: iso(b.last_transition.at) } : null,
  };
}

const example = {
  summary: { current_rate_1m: 412, this_minute: 97, avg_rate_15m: 398.4, avg_rate_1h: 380.9 },
  chart_24h: { labels: ['10:00', '11:00'], data: [371.2, 380.9] },
  streams: [
    {
      stream: 'MUTT_EVENTS',
      messages: 12,
      bytes: 9120,
      max_msgs: 1000000,
      fill_ratio: 0.000012,
      first_seq: 88001,
      last_seq: 88012,
      consumers: 1,
    },
  ],
  consumers: [
    {
      stage: 'alerter',
      stream: 'MUTT_EVENTS',
      durable: 'alerter',
      exists: true,
      num_pending: 12,
      num_ack_pending: 3,
      num_redelivered: 0,
      num_waiting: 1,
    },
  ],
  dlq: {
    total: 2,
    by_reason: { retries_exhausted: 2 },
    by_stage: { forwarder: 2 },
    entries: [{ stage: 'forwarder', reason: 'retries_exhausted', count: 2 }],
  },
  breaker: {
    status: 'closed',
    code: 0,
    known: true,
    since: '2026-01-05T08:00:00.000Z',
    requests: 120,
    failures: 0,
    failure_ratio: 0,
    seconds_in: { closed: 86000, open: 30, half_open: 1 },
    transitions: { closed_open: 1, open_half_open: 1, half_open_closed: 1, half_open_open: 0, reset: 0 },
    probe_owner: null,
    last_transition: { from: 'half_open', to: 'closed', at: '2026-01-05T08:00:00.000Z', reason: 'probe_ok' },
  },
  actors: { alerter: { instances: 2, ready: 2, stale: 0 } },
  processes: [
    {
      process: 'alerter',
      instance: 'node1-4242',
      actors: ['alerter'],
      ready: true,
      stale: false,
      last_seen: '2026-01-05T09:30:00.000Z',
      age_seconds: 2.1,
      version: '3.0.0',
      pid: 4242,
      started_at: '2026-01-05T08:00:00.000Z',
      components: { nats: { ready: true, since: '2026-01-05T08:00:00.000Z' } },
    },
  ],
  at: '2026-01-05T09:30:02.000Z',
};

export function metricsRoutes(api: ApiRouter, s: ManagementServices): void {
  api.openapi.describeTag('metrics', 'The operational picture: rates, backlogs, lag, dead letters, breaker, process health.');
  const handler = async () => {
    const m = await s.metrics.snapshot();
    return {
      status: 200 as const,
      body: {
        summary: m.ingest.summary,
        chart_24h: m.ingest.chart_24h,
        streams: m.streams,
        consumers: m.consumers,
        dlq: m.dlq,
        breaker: breakerView(m.breaker),
        actors: m.actors,
        processes: m.processes.map((p) => processView(p, m.at)),
        at: iso(m.at),
      },
    };
  };
  const spec = {
    method: 'get',
    tag: 'metrics',
    scope: 'read',
    responses: { 200: { description: 'A snapshot.', schema: MetricsBody, example } },
  } as const;
  api.route(
    { ...spec, path: '/api/v2/metrics', operationId: 'getMetrics', summary: 'Ingest rates, backlogs, lag, DLQ, breaker and actor health' },
    handler,
  );
  api.route(
    {
      ...spec,
      path: '/api/v1/metrics',
      operationId: 'getMetricsV1',
      summary: "Metrics (v1 alias; summary and chart_24h are v2.5's fields)",
      deprecated: v1Deprecation('/api/v2/metrics'),
    },
    handler,
  );

  api.route(
    {
      method: 'get',
      path: '/api/v2/actors',
      operationId: 'getActors',
      tag: 'metrics',
      scope: 'read',
      summary: 'Health of every MUTT process and actor',
      description: 'From the heartbeats every process publishes each 5 s; stale after 15 s.',
      responses: {
        200: {
          description: 'Processes and per-actor summary.',
          schema: z.object({ actors: ActorSummary, processes: z.array(ProcessView) }),
          example: { actors: example.actors, processes: example.processes },
        },
      },
    },
    () => {
      const now = Date.now();
      return { status: 200, body: { actors: s.health.actors(), processes: s.health.processes().map((p) => processView(p, now)) } };
    },
  );
}
