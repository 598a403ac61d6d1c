// Times every request into `mutt_gateway_request_duration_seconds{route,status}`. The route label is the
// matched route pattern (never the raw path, so ids in paths do not explode the label set) unless given.
//   app.use(requestMetrics(registry))               app.post('/ingest', requestMetrics(registry, '/ingest'), ...)

import type { Context } from 'hono';
import { routePath } from 'hono/route';
import { Histogram, type Registry } from 'prom-client';

const NAME = 'mutt_gateway_request_duration_seconds';

/** The shared histogram on `registry` (created on first use, so every sub-app reports into one series). */
export function requestDurationHistogram(registry: Registry): Histogram<'route' | 'status'> {
  const existing = registry.getSingleMetric(NAME);
  if (existing) return existing as Histogram<'route' | 'status'>;
  return new Histogram({
    name: NAME,
    help: 'Gateway HTTP request duration by route pattern and status.',
    labelNames: ['route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
}

export function requestMetrics(registry: Registry, route?: string) {
  const histogram = requestDurationHistogram(registry);
  return async function requestMetrics(c: Context, next: () => Promise<void>) {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      histogram.observe({ route: route ?? routePath(c, -1), status: String(c.res.status) }, seconds);
    }
  };
}
