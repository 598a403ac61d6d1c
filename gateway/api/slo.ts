// GET /api/v2/slo: ingest availability, forwarder success, alerter success and end-to-end latency, each with
// target, actual, error budget remaining, burn rate and status over the main window (dynamic config
// slo_window_hours) and the burn-rate windows (1 h, 6 h; more with ?windows=). Computed by MUTT from its own
// counters (gateway/services/slo.ts), no Prometheus. GET /api/v1/slo is an alias.
//   sloRoutes(api, services)

import { z } from 'zod';
import type { ManagementServices } from '../services/index.ts';
import { iso, isoTime, nullableIsoTime } from './common.ts';
import type { ApiRouter } from './route.ts';
import { v1Deprecation } from './version.ts';

const Window = z.object({
  hours: z.number().int(),
  covered_hours: z.number().describe('How much of the window the samples span (less after a gateway restart).'),
  good: z.number(),
  total: z.number(),
  actual: z.number().nullable(),
  burn_rate: z.number().nullable().describe('Error rate ÷ error budget: 1 spends the budget exactly over the SLO period.'),
  error_budget_remaining: z.number().nullable().describe('1 untouched, 0 spent, negative overspent.'),
  quantile_seconds: z.number().nullable().optional(),
});

const Slo = z
  .object({
    name: z.string(),
    description: z.string(),
    kind: z.enum(['ratio', 'latency']),
    target: z.number().describe('Objective: fraction of good events.'),
    threshold_seconds: z.number().optional().describe('Latency SLOs: an event is good when delivered within this.'),
    quantile: z.number().optional(),
    window_hours: z.number().int(),
    actual: z.number().nullable(),
    error_budget_remaining: z.number().nullable(),
    burn_rate: z.number().nullable(),
    quantile_seconds: z.number().nullable().optional().describe('Latency SLOs: the quantile (p99) in seconds over the main window.'),
    status: z.enum(['ok', 'breaching', 'warning', 'critical', 'no_data']),
    message: z.string(),
    windows: z.array(Window),
  })
  .meta({ id: 'Slo' });

const SloBody = z
  .object({
    timestamp: isoTime,
    window_hours: z.number().int(),
    sampling_since: nullableIsoTime.describe('When this gateway began sampling counters.'),
    thresholds: z.object({
      critical: z.object({ windowHours: z.number(), rate: z.number() }),
      warning: z.object({ windowHours: z.number(), rate: z.number() }),
    }),
    slos: z.array(Slo),
  })
  .meta({ id: 'SloReport' });

const Query = z.object({
  windows: z
    .string()
    .regex(/^\d{1,3}(,\d{1,3}){0,9}$/, 'comma-separated whole hours, e.g. 1,6,24')
    .optional()
    .transform((v) => (v ? v.split(',').map(Number) : []))
    .pipe(z.array(z.number().int().min(1).max(720, 'windows are at most 720 h')))
    .describe('Extra windows in hours (comma-separated, ≤ 720).'),
});

const example = {
  timestamp: '2026-01-05T09:30:00.000Z',
  window_hours: 24,
  sampling_since: '2026-01-04T09:00:00.000Z',
  thresholds: { critical: { windowHours: 1, rate: 14.4 }, warning: { windowHours: 6, rate: 6 } },
  slos: [
    {
      name: 'forwarder_success',
      description: 'Alerts delivered to Moogsoft, out of those delivered or dead-lettered by the forwarder.',
      kind: 'ratio',
      target: 0.995,
      window_hours: 24,
      actual: 0.9991,
      error_budget_remaining: 0.82,
      burn_rate: 0.18,
      status: 'ok',
      message: '99.91% of 120400 good over 24 h (target 99.50%)',
      windows: [{ hours: 1, covered_hours: 1, good: 5000, total: 5000, actual: 1, burn_rate: 0, error_budget_remaining: 1 }],
    },
  ],
};

export function sloRoutes(api: ApiRouter, s: ManagementServices): void {
  api.openapi.describeTag('slo', 'Service level objectives computed by MUTT itself.');
  const handler = async ({ query }: { query: z.output<typeof Query> }) => {
    const r = await s.slo.report(query.windows);
    return {
      status: 200 as const,
      body: { ...r, timestamp: iso(r.timestamp), sampling_since: iso(r.sampling_since), thresholds: r.thresholds },
    };
  };
  const spec = {
    method: 'get',
    tag: 'slo',
    scope: 'read',
    query: Query,
    responses: { 200: { description: 'Every SLO.', schema: SloBody, example } },
  } as const;
  api.route({ ...spec, path: '/api/v2/slo', operationId: 'getSlo', summary: 'SLOs: target, actual, error budget, burn rate' }, handler);
  api.route(
    { ...spec, path: '/api/v1/slo', operationId: 'getSloV1', summary: 'SLOs (v1 alias)', deprecated: v1Deprecation('/api/v2/slo') },
    handler,
  );
}
