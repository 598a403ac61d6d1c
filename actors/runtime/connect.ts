// Opens the NATS connection every MUTT process and `mutt` command uses, from the validated environment: servers,
// credentials (creds file, user/pass, the password from a file), TLS CA, endless reconnect, and the inbox prefix
// of the user it connects as. Secrets go to the client, never to a log line.
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
    throw new EnvError(
      `NATS_PASS_FILE: cannot read ${env.NATS_PASS_FILE} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  const pass = text.replace(/[\r\n]+$/, '');
  if (pass === '') throw new EnvError(`NATS_PASS_FILE: ${env.NATS_PASS_FILE} is empty`);
  return pass;
}

/**
 * `_INBOX_<user>`: replies to this user's requests (JetStream API answers, PubAcks, pulled messages, KV watch
 * deliveries) arrive under it, and deploy/nats/accounts.conf lets each user subscribe only to its own prefix, so no
 * role reads another's replies. The user is NATS_USER, else the name in the creds file's user JWT; characters that
 * cannot stand in a subject token become `_`. Without a user (an open dev server) nats.js's default `_INBOX` stays.
 */
export function inboxPrefixFor(user: string | undefined): string | undefined {
  return user ? `_INBOX_${user.replace(/[^A-Za-z0-9_-]/g, '_')}` : undefined;
}

/** The `name` claim of the user JWT in a .creds file (undefined when there is none to read). */
function credsUserName(creds: Uint8Array): string | undefined {
  const jwt = /-{3,}BEGIN NATS USER JWT-{3,}\s+(\S+)/.exec(new TextDecoder().decode(creds))?.[1];
  try {
    const claims = jwt ? (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { name?: unknown }) : undefined;
    return typeof claims?.name === 'string' && claims.name !== '' ? claims.name : undefined;
  } catch {
    return undefined;
  }
}

/** The inbox prefix a connection was opened with (the option @nats-io/jetstream itself reads for its inboxes). */
export function inboxPrefixOf(nc: NatsConnection): string | undefined {
  return (nc as NatsConnection & { options?: ConnectionOptions }).options?.inboxPrefix;
}

export function connectionOptions(env: NatsEnv, name: string): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: (env.NATS_URL ?? DEFAULT_NATS_URL)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    name: `mutt-${name}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    pingInterval: 10_000,
    timeout: 5_000,
    // Every JetStream publish is a request, and nats.js would build stack traces for each (docs/PERFORMANCE.md, A).
    noAsyncTraces: true,
  };
  let user: string | undefined;
  if (env.NATS_CREDS) {
    const creds = readFileSync(env.NATS_CREDS);
    opts.authenticator = credsAuthenticator(creds);
    user = credsUserName(creds);
  }
  if (env.NATS_USER) {
    opts.user = user = env.NATS_USER;
    opts.pass = natsPassword(env);
  }
  const inboxPrefix = inboxPrefixFor(user);
  if (inboxPrefix) opts.inboxPrefix = inboxPrefix;
  if (env.NATS_TLS_CA) opts.tls = { caFile: env.NATS_TLS_CA };
  return opts;
}

export function connectNats(env: Parameters<typeof connectionOptions>[0], name: string): Promise<NatsConnection> {
  return connect(connectionOptions(env, name));
}
