// What every NATS-backed `mutt` command opens: the connection (NATS_URL, NATS_CREDS, NATS_USER/PASS, NATS_TLS_CA,
// exactly as the other processes connect) and, for most commands, the management services the gateway uses
// (gateway/services: validated, audited writes; the CLI never re-implements them). `guard` turns failures into
// one line on stderr: a refused value is a usage error (exit 2, naming the constraint), anything operational
// (NATS unreachable, not found, MUTT not set up) exit 1.
//   return guard('config', async () => withServices('config', async (s) => { ...; return 0 }))

import type { NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { loadEnv, type Env } from '../../protocol/env.ts';
import { connectNats, DEFAULT_NATS_URL } from '../../actors/runtime/connect.ts';
import { createLogger, type Logger } from '../../actors/runtime/logger.ts';
import { ServiceError } from '../../gateway/services/errors.ts';
import type { ManagementServices } from '../../gateway/services/index.ts';
import { CliError } from '../cli-error.ts';

/** An operational failure with a message for the operator (exit 1, no stack). */
export class CommandFailed extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
    this.name = 'CommandFailed';
  }
}

export interface NatsSession {
  env: Env;
  nc: NatsConnection;
  log: Logger;
  url: string;
  close(): Promise<void>;
}

export interface ServicesSession extends NatsSession {
  services: ManagementServices;
}

export function cliLogger(): Logger {
  return createLogger(process.env.LOG_LEVEL ?? 'warn', pino.destination(2));
}

export async function openNats(cmd: string): Promise<NatsSession> {
  const env = loadEnv();
  const url = env.NATS_URL ?? DEFAULT_NATS_URL;
  let nc: NatsConnection;
  try {
    nc = await connectNats(env, `cli-${cmd}`);
  } catch (err) {
    throw new CommandFailed(`cannot connect to NATS at ${url} (set NATS_URL, and NATS_USER/NATS_PASS or NATS_CREDS): ${describe(err)}`);
  }
  return {
    env,
    nc,
    log: cliLogger(),
    url,
    close: async () => {
      await nc.drain().catch(() => nc.close());
    },
  };
}

/** Opens the management services over a fresh connection, runs `fn`, and closes everything. */
export async function withServices<T>(cmd: string, fn: (s: ServicesSession) => Promise<T>): Promise<T> {
  const session = await openNats(cmd);
  const closers: (() => Promise<void> | void)[] = [];
  try {
    const [{ ConfigView }, { openIngestCounters }, { openManagementServices }, { Registry }] = await Promise.all([
      import('../../actors/runtime/config-view.ts'),
      import('../../gateway/ingest/counters.ts'),
      import('../../gateway/services/index.ts'),
      import('prom-client'),
    ]);
    let services!: ManagementServices;
    // Creating a KV watch (an ephemeral consumer) can time out while a cluster node is down and the server
    // places it on that node; another attempt is placed again.
    for (let attempt = 1; ; attempt++) {
      try {
        const config = await ConfigView.open(session.nc, session.log);
        closers.push(() => config.stop());
        const counters = await openIngestCounters(session.nc, { log: session.log });
        closers.push(() => counters.close());
        const instance = `cli-${process.pid}`;
        services = await openManagementServices(
          { nc: session.nc, log: session.log, config, registry: new Registry(), instance },
          { counters },
        );
        closers.unshift(() => services.close());
        break;
      } catch (err) {
        for (const c of closers.splice(0)) await c();
        if ((err as Error)?.name === 'TimeoutError' && attempt < 3) continue;
        throw notSetUp(session.url, err);
      }
    }
    return await fn({ ...session, services });
  } finally {
    for (const c of closers) await c();
    await session.close();
  }
}

function notSetUp(url: string, err: unknown): Error {
  const text = describe(err);
  if (/stream not found|bucket not found|not found/i.test(text))
    return new CommandFailed(`MUTT is not set up on the NATS at ${url}: run 'mutt setup' (${text})`);
  if (/permission/i.test(text))
    return new CommandFailed(
      `the NATS user may not do this (${text}); writes need the admin or gateway NATS user, reads the operator user`,
    );
  return err instanceof Error ? err : new Error(text);
}

export function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return code && !err.message.includes(String(code)) ? `${err.message} (${String(code)})` : err.message;
  }
  return String(err);
}

/** A ServiceError as one line naming each field and its constraint. */
export function serviceErrorText(err: ServiceError): string {
  const issues = (err.issues ?? []).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  if (issues.length === 0) return err.message;
  return issues.length === 1 && err.message.endsWith(issues[0]) ? err.message : `${err.message}: ${issues.join('; ')}`;
}

/**
 * Runs a command body: CliError passes through (exit 2 in bin/main.ts), a refused value becomes a CliError,
 * operational failures print one line and give exit 1. Anything else is a bug and keeps its stack.
 */
export async function guard(cmd: string, fn: () => Promise<number>): Promise<number> {
  // `mutt dlq ls | head` closes the pipe early: that is the reader's choice, not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  return exitSoon(await outcome(cmd, fn));
}

/**
 * A finished command should not wait for timers the NATS libraries leave behind (a KV watch's start-up
 * timeout keeps the event loop alive for 2 s). Output is written synchronously on Linux, so exiting is safe.
 */
function exitSoon(code: number): number {
  setTimeout(() => process.exit(code), 50).unref();
  return code;
}

async function outcome(cmd: string, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof ServiceError) {
      if (err.reason === 'invalid') throw new CliError(serviceErrorText(err));
      console.error(`mutt ${cmd}: ${serviceErrorText(err)}`);
      return 1;
    }
    if (err instanceof CommandFailed) {
      console.error(`mutt ${cmd}: ${err.message}`);
      return err.code;
    }
    const name = (err as Error)?.name ?? '';
    if (/Timeout|NoResponders|Permission|Connection|Closed|JetStream/i.test(name)) {
      console.error(`mutt ${cmd}: ${describe(err)}${process.env.MUTT_DEBUG ? `\n${(err as Error).stack}` : ''}`);
      return 1;
    }
    throw err;
  }
}
