// The gateway's Hono app: ingest (legacy /ingest and /api/v2/events), and the service description at '/'.
// Health, readiness and metrics routes are mounted by the process (actors/runtime/http.ts).
//   startProcess({ ..., http: gatewayApp })

import { Hono } from 'hono';
import type { ProcessContext } from '../actors/runtime/process.ts';
import { VERSION } from '../actors/runtime/process.ts';

export async function gatewayApp(ctx: ProcessContext): Promise<Hono> {
  const app = new Hono();
  app.get('/', (c) => c.json({
    service: 'MUTT gateway',
    version: VERSION,
    instance: ctx.instance,
    endpoints: { ingest: '/ingest', events: '/api/v2/events', health: '/healthz', ready: '/readyz', metrics: '/metrics' },
  }));
  return app;
}
