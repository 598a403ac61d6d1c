// The HTTP routes every MUTT process serves: /healthz (alive), /readyz (ready to work, with the reason when not)
// and /metrics (Prometheus). The gateway mounts the same routes next to its API.
//   app.route('/', healthRoutes(health, registry))

import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { Health } from './health.ts';

export function healthRoutes(health: Health, registry: Registry, info: { instance: string; version: string; actors: string[] }): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'alive', instance: info.instance, version: info.version, uptimeSeconds: Math.round((Date.now() - health.startedAt) / 1000) }));
  app.get('/readyz', (c) => {
    const ready = health.ready();
    return c.json({ status: ready ? 'ready' : 'not_ready', instance: info.instance, actors: info.actors, components: health.snapshot() }, ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    c.header('Content-Type', registry.contentType);
    return c.body(await registry.metrics());
  });
  return app;
}
