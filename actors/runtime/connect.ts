// Opens the NATS connection every MUTT process uses, from the validated environment: servers, credentials
// (creds file, user/pass, the password from a file), TLS CA, endless reconnect. Secrets go to the client, never
// to a log line.
//   const nc = await connectNats(env, 'alerter')

import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection, type ConnectionOptions } from '@nats-io/transport-node';
import { EnvError, type Env } from '../../protocol/env.ts';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

type NatsEnv = Pick<Env, 'NATS_URL' | 'NATS_CREDS' | 'NATS_USER' | 'NATS_PASS' | 'NATS_PASS_FILE' | 'NATS_TLS_CA'>;

/** NATS_PASS_FILE's content without the line breaks at its end (editors and `echo` add one); else NATS_PASS. */
export function natsPassword(env: Pick<NatsEnv, 'NATS_PASS' | 'NATS_PASS_FILE'>): string | undefined {
  if (!env.NATS_PASS_FILE) return env.NATS_PASS;
  let text: string;
  try {
    text = readFileSync(env.NATS_PASS_FILE, 'utf8');
  } catch (err) {
    throw new EnvError(`NATS_PASS_FILE: cannot read ${env.NATS_PASS_FILE} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const pass = text.replace(/[\r\n]+$/, '');
  if (pass === '') throw new EnvError(`NATS_PASS_FILE: ${env.NATS_PASS_FILE} is empty`);
  return pass;
}

export function connectionOptions(env: NatsEnv, name: string): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: (env.NATS_URL ?? DEFAULT_NATS_URL).split(',').map((s) => s.trim()).filter(Boolean),
    name: `mutt-${name}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    pingInterval: 10_000,
    timeout: 5_000,
    // Every JetStream publish is a request; async stack traces on each cost ~13 % of the alerter's CPU (bench profile).
    noAsyncTraces: true,
  };
  if (env.NATS_CREDS) opts.authenticator = credsAuthenticator(readFileSync(env.NATS_CREDS));
  if (env.NATS_USER) {
    opts.user = env.NATS_USER;
    opts.pass = natsPassword(env);
  }
  if (env.NATS_TLS_CA) opts.tls = { caFile: env.NATS_TLS_CA };
  return opts;
}

export function connectNats(env: Parameters<typeof connectionOptions>[0], name: string): Promise<NatsConnection> {
  return connect(connectionOptions(env, name));
}
