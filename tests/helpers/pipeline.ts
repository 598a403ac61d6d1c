// The whole MUTT pipeline as separate processes (gateway + one process per actor) on a throwaway nats-server
// with the fake Moogsoft, for the e2e and chaos suites. Ports are discovered from each process's log.
//   const p = await startPipeline(); await p.spawn('alerter'); ... await p.stop()

import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { startNats, type TestNats } from './nats-server.ts';
import { spawnNode, type Spawned } from './processes.ts';
import { setConfig } from './mutt-config.ts';
import { startFakeMoog, type FakeMoog } from '../../bench/fake-moog.ts';
import { loadEnv } from '../../protocol/env.ts';
import { Bucket } from '../../protocol/streams.ts';
import { RuleInput } from '../../protocol/rules.ts';
import { provision } from '../../actors/runtime/provision.ts';

export const E2E_KEY = 'e2e-secret-key-0123456789abcdef';
export const MOOG_KEY = 'moog-e2e-credential';

export interface Pipeline {
  nats: TestNats;
  nc: NatsConnection;
  js: JetStreamClient;
  moog: FakeMoog;
  rules: KV;
  hosts: KV;
  env: Record<string, string>;
  procs: Map<string, Spawned[]>;
  /** Starts `mutt run <actor>` (or `mutt gateway`) and waits until it is listening; returns the process and its ports. */
  spawn(
    what: 'gateway' | 'alerter' | 'forwarder' | 'remediation' | 'syslog' | 'traps',
    extraEnv?: Record<string, string>,
  ): Promise<{ proc: Spawned; httpPort: number; listenPort?: number }>;
  gatewayUrl: string;
  putRule(r: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export async function startPipeline(
  opts: { env?: Record<string, string>; natsArgs?: string[]; cluster?: { url: string; urls: string[]; stop(): Promise<void> } } = {},
): Promise<Pipeline> {
  const nats: TestNats = opts.cluster
    ? { url: opts.cluster.url, port: 0, storeDir: '', kill: async () => {}, restart: async () => {}, stop: () => opts.cluster!.stop() }
    : await startNats(opts.natsArgs ? { args: opts.natsArgs } : {});
  const nc = await connect({ servers: opts.cluster ? opts.cluster.urls : nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  const moog = await startFakeMoog({ apiKey: MOOG_KEY, auth: 'bearer' });
  const env: Record<string, string> = {
    NATS_URL: nats.url,
    MOOG_WEBHOOK_URL: `${moog.url}/events/mutt`,
    MOOG_API_KEY: MOOG_KEY,
    MUTT_API_KEYS: `e2e:ingest+read+admin:${E2E_KEY}`,
    MUTT_ACK_WAIT_MS: '3000',
    LOG_LEVEL: 'info',
    MUTT_HTTP_PORT: '0',
    MUTT_SYSLOG_PORT: '0',
    MUTT_TRAP_PORT: '0',
    MUTT_HTTP_HOST: '127.0.0.1',
    MUTT_SHUTDOWN_GRACE_MS: '5000',
    ...opts.env,
  };
  await provision(nc, loadEnv(env));
  await setConfig(nc, {
    moog_backoff_base_ms: 100,
    moog_backoff_max_ms: 1000,
    breaker_open_seconds: 1,
    remediation_interval_seconds: 1,
    moog_rate_limit: 100_000,
  });
  const rules = await new Kvm(nc).open(Bucket.rules);
  const hosts = await new Kvm(nc).open(Bucket.hosts);
  const procs = new Map<string, Spawned[]>();
  const p: Pipeline = {
    nats,
    nc,
    js: jetstream(nc),
    moog,
    rules,
    hosts,
    env,
    procs,
    gatewayUrl: '',
    async spawn(what, extraEnv = {}) {
      const args = what === 'gateway' ? ['gateway'] : ['run', what];
      const proc = spawnNode('bin/mutt.js', args, { ...env, ...extraEnv });
      procs.set(what, [...(procs.get(what) ?? []), proc]);
      const line = await proc.waitForOutput(/HTTP listening on [^"]*:(\d+)/, 30_000);
      const httpPort = Number(/:(\d+)$/.exec(line)![0].slice(1));
      let listenPort: number | undefined;
      if (what === 'syslog')
        listenPort = Number(/syslog listening on udp\/tcp (\d+)/.exec(await proc.waitForOutput(/syslog listening on udp\/tcp \d+/))![1]);
      if (what === 'traps')
        listenPort = Number(/SNMP traps listening on udp (\d+)/.exec(await proc.waitForOutput(/SNMP traps listening on udp \d+/))![1]);
      if (what === 'gateway') p.gatewayUrl = `http://127.0.0.1:${httpPort}`;
      await waitReady(httpPort);
      return { proc, httpPort, listenPort };
    },
    async putRule(r) {
      const rule = RuleInput.parse(r);
      await rules.put(rule.id, JSON.stringify(rule));
    },
    async stop() {
      for (const list of procs.values()) for (const proc of list) await proc.kill('SIGKILL');
      await moog.close();
      await nc.close();
      await nats.stop();
    },
  };
  return p;
}

async function waitReady(port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`process on :${port} not ready in 20 s`);
}

export async function postEvents(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/api/v2/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': E2E_KEY, ...headers },
    body: JSON.stringify(body),
  });
}
