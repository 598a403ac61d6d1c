// `mutt up`, `mutt run <actor>` and `mutt gateway`: the long-running processes.

import { loadEnv, type Env } from '../../protocol/env.ts';
import { createLogger } from '../../actors/runtime/logger.ts';
import type { ActorDef } from '../../actors/runtime/define.ts';
import { startMuttProcess } from '../../gateway/process.ts';
import { ACTOR_NAMES, loadActor, type ActorName } from '../actors.ts';
import { CliError, parseFlags } from '../cli-error.ts';
import { ensureLocalNats } from '../embedded-nats.ts';
import { assertPortsFree, portsFor } from '../port-check.ts';
import { ensureLocalApiKeys } from '../local-keys.ts';
import type { Command } from './command.ts';

async function serve(name: string, env: Env, actors: ActorDef[], withGateway: boolean, embedded: boolean): Promise<void> {
  await assertPortsFree(
    portsFor(
      env,
      actors.map((a) => a.name),
    ),
  );
  const log = createLogger(env.LOG_LEVEL);
  let stopNats = async () => {};
  if (embedded && !env.NATS_URL) {
    const nats = await ensureLocalNats(log, { port: env.MUTT_NATS_PORT });
    env = { ...env, NATS_URL: nats.url };
    stopNats = nats.stop;
  }
  if (embedded && withGateway) env = ensureLocalApiKeys(env, log);
  const proc = await startMuttProcess({ env, name, actors, log, gateway: withGateway });
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      log.info({ signal: sig }, 'signal received');
      void proc
        .stop()
        .then(stopNats)
        .then(() => process.exit(0));
    });
  }
  await proc.stopped;
}

export const up: Command = {
  name: 'up',
  usage: `usage: mutt up

Runs the HTTP gateway (API, UI, legacy /ingest) and every actor (${ACTOR_NAMES.join(', ')}) in one process.
Without NATS_URL it uses the NATS at 127.0.0.1:4222 when one answers, otherwise it starts nats-server from PATH
with JetStream and the data directory ./.mutt/nats, and stops it on exit.
Stops cleanly on SIGTERM/SIGINT (in-flight work finishes first).`,
  async run(argv) {
    parseFlags(argv, {});
    const env = loadEnv();
    const actors = await Promise.all(ACTOR_NAMES.map(loadActor));
    await serve('up', env, actors, true, true);
  },
};

export const run: Command = {
  name: 'run',
  usage: `usage: mutt run <actor>

actors: ${ACTOR_NAMES.join(', ')}
Runs one actor with its own /healthz, /readyz and /metrics on MUTT_HTTP_PORT (0 = a free port, logged).
Several processes of the same actor share its durable consumer: that is how MUTT scales out.
NATS_URL defaults to nats://127.0.0.1:4222.`,
  async run(argv) {
    const { positionals } = parseFlags(argv, {});
    const name = positionals[0];
    if (!name) throw new CliError(`which actor? (${ACTOR_NAMES.join(', ')})`);
    if (!(ACTOR_NAMES as readonly string[]).includes(name))
      throw new CliError(`unknown actor '${name}' (known: ${ACTOR_NAMES.join(', ')})`);
    const env = loadEnv();
    await serve(name, env, [await loadActor(name as ActorName)], false, false);
  },
};

export const gateway: Command = {
  name: 'gateway',
  usage: `usage: mutt gateway

Serves the ingest API (/ingest, /api/v2/events), the management API (/api/v2/...), the web UI and
/healthz /readyz /metrics on MUTT_HTTP_PORT. NATS_URL defaults to nats://127.0.0.1:4222.`,
  async run(argv) {
    parseFlags(argv, {});
    await serve('gateway', loadEnv(), [], true, false);
  },
};
