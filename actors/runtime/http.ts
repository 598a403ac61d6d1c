// The HTTP routes every MUTT process serves: /healthz (alive), /readyz (ready to work, with the reason when not)
// and /metrics (Prometheus), and the server they are served by, with bounded connections: a connection that
// sends nothing (new, or keep-alive between requests) is closed after MUTT_HTTP_IDLE_TIMEOUT_MS, headers and
// whole requests have deadlines, and at MUTT_HTTP_MAX_CONNECTIONS a newcomer evicts the longest-idle connection
// with no request in progress (connection-pool.ts). Counted in mutt_http_connections_total{event}.
//   app.route('/', healthRoutes(health, registry))
//   const { server, port } = await serveHttp(app, { host, port, limits: httpLimits(env), registry })

import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Env } from '../../protocol/env.ts';
import { ConnectionPool } from './connection-pool.ts';
import type { Health } from './health.ts';

export function healthRoutes(health: Health, registry: Registry, info: { instance: string; version: string; actors: string[] }): Hono {
  const app = new Hono();
  app.get('/healthz', (c) =>
    c.json({
      status: 'alive',
      instance: info.instance,
      version: info.version,
      uptimeSeconds: Math.round((Date.now() - health.startedAt) / 1000),
    }),
  );
  app.get('/readyz', (c) => {
    const ready = health.ready();
    return c.json(
      { status: ready ? 'ready' : 'not_ready', instance: info.instance, actors: info.actors, components: health.snapshot() },
      ready ? 200 : 503,
    );
  });
  app.get('/metrics', async (c) => {
    c.header('Content-Type', registry.contentType);
    return c.body(await registry.metrics());
  });
  return app;
}

export interface HttpLimits {
  idleTimeoutMs: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnections: number;
}

export function httpLimits(env: Env): HttpLimits {
  return {
    idleTimeoutMs: env.MUTT_HTTP_IDLE_TIMEOUT_MS,
    headersTimeoutMs: env.MUTT_HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: env.MUTT_HTTP_REQUEST_TIMEOUT_MS,
    maxConnections: env.MUTT_HTTP_MAX_CONNECTIONS,
  };
}

type ConnectionEvent = 'accepted' | 'refused' | 'evicted' | 'timed_out';

function connectionMetrics(registry: Registry) {
  const counter =
    (registry.getSingleMetric('mutt_http_connections_total') as Counter<'event'> | undefined) ??
    new Counter({
      name: 'mutt_http_connections_total',
      help: 'HTTP connections by event: accepted, refused (cap reached, all busy), evicted (idle, to make room), timed_out (idle or slow)',
      labelNames: ['event'],
      registers: [registry],
    });
  const open =
    (registry.getSingleMetric('mutt_http_connections_open') as Gauge | undefined) ??
    new Gauge({ name: 'mutt_http_connections_open', help: 'HTTP connections open now', registers: [registry] });
  for (const e of ['accepted', 'refused', 'evicted', 'timed_out'] as const) counter.inc({ event: e }, 0);
  return { count: (e: ConnectionEvent) => counter.inc({ event: e }), open };
}

/** Serves `app` on host:port with the limits above; resolves once listening. */
export function serveHttp(
  app: { fetch: (req: Request, env?: unknown) => Response | Promise<Response> },
  opts: { host: string; port: number; limits: HttpLimits; registry: Registry },
): Promise<{ server: ServerType; port: number }> {
  const { limits } = opts;
  const m = connectionMetrics(opts.registry);
  const pool = new ConnectionPool<Socket>({ max: limits.maxConnections, maxPerAddress: limits.maxConnections });
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        hostname: opts.host,
        port: opts.port,
        // Node checks header and request deadlines on this interval; the default (30 s) would let a stalled
        // request outlive its deadline by that much.
        serverOptions: { connectionsCheckingInterval: Math.max(250, Math.min(5_000, Math.floor(limits.headersTimeoutMs / 4))) },
      },
      (info: AddressInfo) => resolve({ server, port: info.port }),
    );
    const http = server as unknown as { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number };
    http.headersTimeout = limits.headersTimeoutMs;
    http.requestTimeout = limits.requestTimeoutMs;
    // Between requests node arms this timer itself, and disarms it when the next request begins.
    http.keepAliveTimeout = limits.idleTimeoutMs;
    server.on('connection', (socket: Socket) => {
      const admitted = pool.admit(socket, socket.remoteAddress);
      if (!admitted.ok) {
        m.count('refused');
        socket.destroy();
        return;
      }
      for (const old of admitted.evicted) {
        m.count('evicted');
        old.destroy();
      }
      m.count('accepted');
      m.open.inc();
      // Until its first request begins, a new connection gets the idle timeout too: node's header timer only
      // starts with the first byte, so a socket that never sends one would otherwise stay open for ever.
      socket.setTimeout(limits.idleTimeoutMs);
      socket.on('timeout', () => m.count('timed_out'));
      socket.once('close', () => {
        pool.remove(socket);
        m.open.dec();
      });
    });
    server.on('request', (req: { socket: Socket }, res: { once(e: 'close', cb: () => void): unknown }) => {
      const socket = req.socket;
      socket.setTimeout(0);
      pool.activity(socket);
      pool.busy(socket, true);
      res.once('close', () => {
        pool.busy(socket, false);
        pool.activity(socket);
      });
    });
    server.once('error', (err: Error) => reject(new Error(`cannot listen on ${opts.host}:${opts.port}: ${err.message}`)));
  });
}
