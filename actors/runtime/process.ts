// One MUTT process: connect to NATS, provision streams and buckets, open the live config, supervise the given
// actors, serve HTTP (health/metrics, or the gateway app), announce itself on mutt.health.*, and on
// SIGTERM/SIGINT stop pulling, finish in-flight work within the grace period, drain and exit 0.
//   const p = await startProcess({ env, actors: [alerter], name: 'alerter' }); ...; await p.stop()

import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { createRequire } from 'node:module';
import type { ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { Registry } from 'prom-client';
import type { z } from 'zod';
import type { Env } from '../../protocol/env.ts';
import { encode } from '../../protocol/codec.ts';
import { Headers } from '../../protocol/subjects.ts';
import { connectionOptions } from './connect.ts';
import { jsPublisher } from './js-publisher.ts';
import { provision } from './provision.ts';
import { ConfigView } from './config-view.ts';
import { Health } from './health.ts';
import { healthRoutes, httpLimits, serveHttp } from './http.ts';
import { createLogger, type Logger } from './logger.ts';
import { startHeartbeat } from './heartbeat.ts';
import { supervise } from './supervisor.ts';
import { subjectMatches, type ActorDef, type ActorRuntime, type PublishOptions } from './define.ts';
import { describeError } from './errors.ts';
import { collectSeries } from './metric-series.ts';

export const VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** What a process offers to the HTTP app it serves (the gateway builds its routes from this). */
export interface ProcessContext {
  nc: NatsConnection;
  env: Env;
  config: ConfigView;
  log: Logger;
  registry: Registry;
  health: Health;
  instance: string;
  signal: AbortSignal;
}

/** An HTTP app and what to finish before NATS is drained (e.g. flushing counters). */
export interface HttpApp {
  app: Hono;
  close?(): Promise<void>;
}

export interface ProcessOptions {
  env: Env;
  /** Names this process in logs, health and heartbeats ('up', 'alerter', 'gateway'...). */
  name: string;
  actors: ActorDef[];
  /** Builds the HTTP app (the gateway); health, ready and metrics routes are always mounted. */
  http?: (ctx: ProcessContext) => Promise<HttpApp> | HttpApp;
  log?: Logger;
  /** Metric names whose values ride on the heartbeat (the gateway's SLOs across processes). */
  heartbeatMetrics?: ReadonlySet<string>;
  /** Exit the process on SIGTERM/SIGINT (true for bin/mutt, false for tests). */
  handleSignals?: boolean;
}

export interface RunningProcess extends ProcessContext {
  httpPort: number;
  /** The app this process serves on httpPort (its HTTP app with the health routes), for in-process requests. */
  app: Hono;
  stop(): Promise<void>;
  stopped: Promise<void>;
}

function publisherFor(name: string, allowed: readonly string[], nc: NatsConnection) {
  const js = jetstream(nc);
  const check = (subject: string) => {
    if (!allowed.some((p) => subjectMatches(p, subject)))
      throw new Error(`actor '${name}' may not publish to '${subject}' (declared: ${allowed.join(', ')})`);
  };
  const headersFor = (opts?: PublishOptions): Record<string, string> | undefined => {
    if (!opts?.contentType) return opts?.headers;
    return { ...opts.headers, [Headers.contentType]: opts.contentType };
  };
  const pub = jsPublisher(nc);
  return {
    js,
    publish<S extends z.ZodType>(subject: string, schema: S, value: z.input<S>, opts?: PublishOptions) {
      check(subject);
      return pub.publish(subject, encode(schema, value), { msgID: opts?.msgId, headers: headersFor(opts) });
    },
    publishRaw(subject: string, data: Uint8Array, opts?: PublishOptions) {
      check(subject);
      return pub.publish(subject, data, { msgID: opts?.msgId, headers: headersFor(opts) });
    },
  };
}

export async function startProcess(opts: ProcessOptions): Promise<RunningProcess> {
  const { env } = opts;
  const instance = env.MUTT_INSTANCE ?? `${hostname()}-${process.pid}`;
  const log = (opts.log ?? createLogger(env.LOG_LEVEL)).child({ process: opts.name, instance });
  const registry = new Registry();
  registry.setDefaultLabels({ instance });
  const health = new Health();
  const controller = new AbortController();
  const signal = controller.signal;
  // One shutdown signal is shared by every waiting handler (rate permits, breaker, sleeps): many listeners is normal.
  setMaxListeners(0, signal);

  health.set('nats', false, 'connecting');
  // waitOnFirstConnect retries forever without a word: say what is awaited, and keep saying it, so an operator
  // with a wrong NATS_URL sees why nothing starts. A URL may carry user:password@: never log it.
  const options = { ...connectionOptions(env, opts.name), waitOnFirstConnect: true };
  const servers = [options.servers ?? []].flat().map((u) => String(u).replace(/\/\/[^@/]*@/, '//***@'));
  const waiting = setInterval(() => log.warn({ servers }, 'still waiting for NATS (check NATS_URL and that nats-server runs)'), 10_000);
  waiting.unref();
  let nc: NatsConnection;
  try {
    nc = await connect(options);
  } finally {
    clearInterval(waiting);
  }
  log.info({ servers, server: nc.getServer() }, 'connected to NATS');
  health.set('nats', true);
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        health.set('nats', false, 'disconnected');
        log.warn({ server: s.server }, 'NATS disconnected');
      } else if (s.type === 'reconnect') {
        health.set('nats', true);
        log.info({ server: s.server }, 'NATS reconnected');
      }
    }
  })().catch(() => {});

  let config: ConfigView | undefined;
  let http: HttpApp | undefined;
  let listening: { server: ServerType; port: number };
  let ctx: ProcessContext;
  let app: Hono;
  try {
    await retryUntil(() => provision(nc, env), log, signal, 'provisioning streams and buckets');
    config = await ConfigView.open(nc, log, health);
    ctx = { nc, env, config, log, registry, health, instance, signal };
    http = opts.http ? await opts.http(ctx) : undefined;
    // The HTTP app is served as it is, with the health routes added to it: routed into another app, every one of its
    // handlers and middleware would run inside an extra compose per request (Hono wraps the routes of a sub-app
    // that has its own onError; docs/PERFORMANCE.md, L).
    app = http?.app ?? new Hono();
    app.route('/', healthRoutes(health, registry, { instance, version: VERSION, actors: opts.actors.map((a) => a.name) }));
    listening = await serveHttp(app, { host: env.MUTT_HTTP_HOST, port: env.MUTT_HTTP_PORT, limits: httpLimits(env), registry });
  } catch (err) {
    // A start that fails half-way must not leave a reconnecting NATS connection keeping the process alive.
    config?.stop();
    await http?.close?.().catch(() => {});
    await nc.close().catch(() => {});
    throw err;
  }
  const { server, port } = listening;
  log.info({ port, actors: opts.actors.map((a) => a.name), version: VERSION }, `HTTP listening on ${env.MUTT_HTTP_HOST}:${port}`);

  const supervisors = opts.actors.map((def) => {
    const pub = publisherFor(def.name, def.publishes, nc);
    const rt: ActorRuntime = {
      name: def.name,
      nc,
      js: pub.js,
      env,
      config,
      log: log.child({ actor: def.name }),
      registry,
      health,
      signal,
      publish: pub.publish,
      publishRaw: pub.publishRaw,
    };
    return supervise(def, rt);
  });

  const heartbeat = startHeartbeat(nc, async () => {
    const metrics = opts.heartbeatMetrics ? await collectSeries(registry, opts.heartbeatMetrics) : undefined;
    return {
      instance,
      process: opts.name,
      pid: process.pid,
      version: VERSION,
      actors: opts.actors.map((a) => a.name),
      ready: health.ready(),
      components: health.snapshot(),
      startedAt: health.startedAt,
      at: Date.now(),
      httpPort: port,
      metrics,
    };
  });

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('stopping: no new work, finishing in-flight');
      heartbeat.stop();
      controller.abort();
      const grace = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), env.MUTT_SHUTDOWN_GRACE_MS).unref());
      const outcome = await Promise.race([Promise.all(supervisors).then(() => 'done' as const), grace]);
      if (outcome === 'timeout')
        log.warn({ graceMs: env.MUTT_SHUTDOWN_GRACE_MS }, 'grace period over; unfinished messages will be redelivered');
      config.stop();
      await new Promise<void>((r) => server.close(() => r()));
      await http?.close?.().catch((err: unknown) => log.warn({ err: describeError(err) }, 'HTTP app close failed'));
      await nc.drain().catch(() => {});
      log.info('stopped');
      resolveStopped();
    })());

  if (opts.handleSignals) {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      process.once(sig, () => {
        log.info({ signal: sig }, 'signal received');
        void stop().then(() => process.exit(0));
      });
    }
  }
  void Promise.all(supervisors).catch((err) => log.error({ err: describeError(err) }, 'supervisor failed'));
  return { ...ctx, httpPort: port, app, stop, stopped };
}

async function retryUntil(fn: () => Promise<void>, log: Logger, signal: AbortSignal, what: string): Promise<void> {
  let delay = 500;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (signal.aborted) throw err;
      log.warn({ err: describeError(err), retryInMs: delay }, `${what} failed; retrying`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }
}
