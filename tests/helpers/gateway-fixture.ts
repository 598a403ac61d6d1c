// The gateway exactly as `mutt gateway` assembles it (gateway/process.ts startMuttProcess: startProcess with
// gatewayApp and the health routes) on a throwaway nats-server, with real API keys, for the API and UI suites
// (tests/api/fixture.ts and tests/ui/fixture.ts add their request helpers). Its services, key store, counters
// and UI are the gateway's own, not a second set; replica() starts another gateway on the same NATS.
//   const g = await gatewayFixture({ keys, instance: 'api-test', gateway: { validateResponses: true } })

import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { Hono } from 'hono';
import { pino } from 'pino';
import { startNats, type TestNats } from './nats-server.ts';
import type { ProcessContext } from '../../actors/runtime/process.ts';
import { loadEnv } from '../../protocol/env.ts';
import type { GatewayOptions } from '../../gateway/app.ts';
import type { ApiKeyStore } from '../../gateway/auth/store.ts';
import type { IngestCounters } from '../../gateway/ingest/counters.ts';
import { startMuttProcess, type MuttProcess } from '../../gateway/process.ts';
import type { ManagementServices } from '../../gateway/services/index.ts';
import type { WebUi } from '../../gateway/ui/index.ts';

export interface TestKeys {
  admin: string;
  read: string;
  ingest: string;
}

/** MUTT_API_KEYS for the three keys: an admin `ops`, a read `viewer`, an ingest `sender`. */
export const apiKeysEnv = (k: TestKeys) => `ops:admin:${k.admin},viewer:read:${k.read},sender:ingest:${k.ingest}`;

export interface GatewayFixtureOptions {
  keys: TestKeys;
  instance: string;
  /** JetStream storage of the server's streams (default memory; 'file' survives a restart). */
  storage?: 'file' | 'memory';
  gateway: GatewayOptions;
}

export interface GatewayFixture {
  nats: TestNats;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  ctx: ProcessContext;
  /** The running gateway process (its served app, HTTP port, stop). */
  proc: MuttProcess;
  services: ManagementServices;
  store: ApiKeyStore;
  counters: IngestCounters;
  ui: WebUi;
  app: Hono;
  logLines: string[];
  /** Another gateway replica on the same NATS (its own services, key store and UI). */
  replica(gateway?: Partial<GatewayOptions>): Promise<{ app: Hono; close(): Promise<void> }>;
  close(): Promise<void>;
}

function start(
  natsUrl: string,
  instance: string,
  opts: GatewayFixtureOptions,
  gateway: GatewayOptions,
  logLines: string[],
): Promise<MuttProcess> {
  const env = loadEnv({
    NATS_URL: natsUrl,
    MUTT_STORAGE: opts.storage ?? 'memory',
    MUTT_API_KEYS: apiKeysEnv(opts.keys),
    MUTT_INSTANCE: instance,
    MUTT_HTTP_HOST: '127.0.0.1',
    MUTT_HTTP_PORT: '0',
    MUTT_STARTER_RULES: 'off',
  });
  const log = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });
  return startMuttProcess({ env, name: 'gateway', actors: [], log, gateway });
}

export async function gatewayFixture(opts: GatewayFixtureOptions): Promise<GatewayFixture> {
  const nats = await startNats();
  const logLines: string[] = [];
  const main = await start(nats.url, opts.instance, opts, opts.gateway, logLines);
  const gw = main.gateway!;
  const replicas: MuttProcess[] = [];
  return {
    nats,
    nc: main.nc,
    js: jetstream(main.nc),
    jsm: await jetstreamManager(main.nc),
    ctx: main,
    proc: main,
    services: gw.services,
    store: gw.auth,
    counters: gw.counters,
    ui: gw.ui,
    app: main.app,
    logLines,
    async replica(gateway = {}) {
      const r = await start(nats.url, `${opts.instance}-${replicas.length + 2}`, opts, { ...opts.gateway, ...gateway }, logLines);
      replicas.push(r);
      return { app: r.app, close: r.stop };
    },
    async close() {
      for (const r of replicas) await r.stop();
      await main.stop();
      await nats.stop();
    },
  };
}
