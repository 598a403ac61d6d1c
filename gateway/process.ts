// A MUTT process as bin/mutt starts it (`up`, `gateway`, `run <actor>`): startProcess with the given actors, the
// gateway app when the process serves one, and the SLO metrics on its heartbeat. Tests that need the gateway
// in-process start it through this same function, so what they request is the app that ships: the global
// headers, every middleware and mount, the health routes. (Signals and the embedded nats-server stay in bin/.)
//   const p = await startMuttProcess({ env, name: 'gateway', actors: [], gateway: true }); p.gateway!.services …

import type { ActorDef } from '../actors/runtime/define.ts';
import type { Logger } from '../actors/runtime/logger.ts';
import { startProcess, type RunningProcess } from '../actors/runtime/process.ts';
import type { Env } from '../protocol/env.ts';
import { gatewayApp, type Gateway, type GatewayOptions } from './app.ts';
import { sloMetricNames } from './services/slo-definitions.ts';

export interface MuttProcessOptions {
  env: Env;
  /** 'up', 'gateway' or the actor's name: names the process in logs, health and heartbeats. */
  name: string;
  actors: ActorDef[];
  /** Serve the gateway (true: as shipped; an object: with those knobs of its parts). */
  gateway: boolean | GatewayOptions;
  log?: Logger;
}

export interface MuttProcess extends RunningProcess {
  /** The gateway's parts (services, key store, counters, UI) when the process serves it. */
  gateway?: Gateway;
}

export async function startMuttProcess(opts: MuttProcessOptions): Promise<MuttProcess> {
  let gateway: Gateway | undefined;
  const knobs = typeof opts.gateway === 'object' ? opts.gateway : {};
  const proc = await startProcess({
    env: opts.env,
    name: opts.name,
    actors: opts.actors,
    log: opts.log,
    handleSignals: false,
    heartbeatMetrics: sloMetricNames(),
    http: opts.gateway === false ? undefined : async (ctx) => (gateway = await gatewayApp(ctx, knobs)),
  });
  return { ...proc, gateway };
}
