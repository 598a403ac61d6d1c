// API keys shared by every gateway replica: salted hashes with name and scopes in KV `mutt_keys`, one entry per
// secret (`<name>.<id>`), so several secrets of one name are valid at once during a rotation. Each process keeps
// the bucket in memory through a KV watch (a key added or revoked anywhere applies here within a second) and
// checks a presented key locally: hash it with each record's salt, compare with timingSafeEqual, never exit early.
// Revocation keeps the record with `revokedAt`, so restarting with the old secret still in MUTT_API_KEYS does
// not bring it back.
//   const store = await openApiKeyStore(nc, env, { log })     // bootstraps MUTT_API_KEYS / MUTT_API_KEYS_FILE
//   store.verify(presented)  -> { name, scopes } | null
//   const { secret } = await store.add({ name: 'rsyslog-2', scopes: ['ingest'] }, 'ops')   // shown once
//   await store.revoke('rsyslog-1', 'ops')
// Without a store (a CLI): addApiKey(await openKeysBucket(nc), ...), revokeApiKey(...), listApiKeys(...).

import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV, type KvWatchEntry } from '@nats-io/kv';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Env } from '../../protocol/env.ts';
import { Bucket } from '../../protocol/streams.ts';
import {
  generateSecret,
  hashSecret,
  KEY_NAME,
  KeyHash,
  KeySpecError,
  MAX_SECRET_LENGTH,
  parseKeyList,
  SCOPES,
  secretProblem,
  verifySecret,
  type ApiPrincipal,
  type KeySpec,
  type Scope,
} from './keys.ts';

export const ApiKeyRecord = z.object({
  name: z.string().regex(KEY_NAME),
  scopes: z.array(z.enum(['ingest', 'read', 'admin'])).min(1),
  ...KeyHash.shape,
  createdAt: z.number(),
  /** Who added it: 'env', 'file', or the acting key's name / 'cli'. */
  createdBy: z.string(),
  revokedAt: z.number().optional(),
  revokedBy: z.string().optional(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

/** What may be shown about a key: never the hash or salt. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: number;
  createdBy: string;
  revokedAt?: number;
  revokedBy?: string;
}

export interface NewApiKey extends ApiKeyInfo {
  /** The secret, returned once at creation; MUTT keeps only its hash. */
  secret: string;
}

export interface ApiKeyStore {
  /** The key a request presented, or null. In-memory, constant time per stored record. */
  verify(presented: string): ApiPrincipal | null;
  list(): ApiKeyInfo[];
  activeCount(): number;
  add(input: { name: string; scopes: Scope[]; secret?: string }, actor?: string): Promise<NewApiKey>;
  /** Revokes every secret of `name`; returns how many were active. */
  revoke(name: string, actor?: string): Promise<number>;
  close(): Promise<void>;
}

export class NoApiKeysError extends Error {
  constructor() {
    super(
      'no API keys are configured, so nothing could use the gateway. Set MUTT_API_KEYS to comma-separated ' +
        'name:scope[+scope]:secret entries (scopes: ingest, read, admin), e.g.\n' +
        '  MUTT_API_KEYS=rsyslog:ingest:<secret>,ops:admin:<secret>\n' +
        'or put one entry per line in a file named by MUTT_API_KEYS_FILE. A secret needs at least 20 characters ' +
        'mixing 3 of lower case, upper case, digits and symbols, or at least 32 characters; make each with: openssl rand -base64 32',
    );
    this.name = 'NoApiKeysError';
  }
}

export function openKeysBucket(nc: NatsConnection): Promise<KV> {
  return new Kvm(nc).open(Bucket.keys);
}

const recordKey = (name: string, id: string) => `${name}.${id}`;

function info(key: string, r: ApiKeyRecord): ApiKeyInfo {
  const out: ApiKeyInfo = {
    id: key.slice(key.indexOf('.') + 1),
    name: r.name,
    scopes: r.scopes,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
  };
  if (r.revokedAt !== undefined) {
    out.revokedAt = r.revokedAt;
    out.revokedBy = r.revokedBy;
  }
  return out;
}

function decodeRecord(bytes: Uint8Array): ApiKeyRecord | null {
  try {
    const parsed = ApiKeyRecord.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function checkInput(input: { name: string; scopes: Scope[]; secret?: string }): void {
  if (!KEY_NAME.test(input.name)) throw new KeySpecError('key name must be 1-64 of A-Z a-z 0-9 _ -');
  if (input.scopes.length === 0 || input.scopes.some((s) => !SCOPES.includes(s)))
    throw new KeySpecError(`scopes must be some of ${SCOPES.join(', ')}`);
  const problem = input.secret === undefined ? null : secretProblem(input.secret);
  if (problem) throw new KeySpecError(`key '${input.name}': ${problem}`);
}

/** Stores a new key (a generated secret unless one is given) and returns it with its secret, once. */
export async function addApiKey(
  kv: KV,
  input: { name: string; scopes: Scope[]; secret?: string },
  actor = 'cli',
): Promise<NewApiKey & { record: ApiKeyRecord; key: string }> {
  checkInput(input);
  const secret = input.secret ?? generateSecret();
  const record: ApiKeyRecord = {
    name: input.name,
    scopes: [...new Set(input.scopes)],
    ...hashSecret(secret),
    createdAt: Date.now(),
    createdBy: actor,
  };
  const key = recordKey(input.name, randomBytes(6).toString('hex'));
  await kv.create(key, JSON.stringify(record));
  return { ...info(key, record), secret, record, key };
}

/** Every record, revoked ones included, keyed by KV key (optionally one name's). */
export async function readApiKeyRecords(kv: KV, name?: string): Promise<Map<string, ApiKeyRecord>> {
  const out = new Map<string, ApiKeyRecord>();
  const keys: string[] = [];
  for await (const k of await kv.keys(name ? `${name}.*` : '>')) keys.push(k);
  await Promise.all(
    keys.map(async (k) => {
      const e = await kv.get(k);
      if (!e || e.operation !== 'PUT') return;
      const r = decodeRecord(e.value);
      if (r) out.set(k, r);
    }),
  );
  return out;
}

export async function listApiKeys(kv: KV): Promise<ApiKeyInfo[]> {
  return [...(await readApiKeyRecords(kv))]
    .map(([k, r]) => info(k, r))
    .sort((a, b) => a.name.localeCompare(b.name) || a.createdAt - b.createdAt);
}

/** Marks every active secret of `name` revoked; returns the records written (empty when none was active). */
export async function revokeApiKey(kv: KV, name: string, actor = 'cli'): Promise<Map<string, ApiKeyRecord>> {
  if (!KEY_NAME.test(name)) throw new KeySpecError('key name must be 1-64 of A-Z a-z 0-9 _ -');
  const written = new Map<string, ApiKeyRecord>();
  for (const [k, r] of await readApiKeyRecords(kv, name)) {
    if (r.revokedAt !== undefined) continue;
    const revoked: ApiKeyRecord = { ...r, revokedAt: Date.now(), revokedBy: actor };
    await kv.put(k, JSON.stringify(revoked));
    written.set(k, revoked);
  }
  return written;
}

/** The bootstrap keys of the environment: MUTT_API_KEYS, then MUTT_API_KEYS_FILE. Errors never quote a secret. */
export async function keysFromEnv(
  env: Pick<Env, 'MUTT_API_KEYS' | 'MUTT_API_KEYS_FILE'>,
): Promise<(KeySpec & { source: 'env' | 'file' })[]> {
  const out: (KeySpec & { source: 'env' | 'file' })[] = [];
  if (env.MUTT_API_KEYS) for (const k of parseKeyList(env.MUTT_API_KEYS, 'MUTT_API_KEYS', ',')) out.push({ ...k, source: 'env' });
  if (env.MUTT_API_KEYS_FILE) {
    let text: string;
    try {
      text = await readFile(env.MUTT_API_KEYS_FILE, 'utf8');
    } catch (err) {
      throw new KeySpecError(
        `MUTT_API_KEYS_FILE: cannot read ${env.MUTT_API_KEYS_FILE}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    for (const k of parseKeyList(text, env.MUTT_API_KEYS_FILE, '\n')) out.push({ ...k, source: 'file' });
  }
  return out;
}

const CACHE_MAX = 1000;

class KvApiKeyStore implements ApiKeyStore {
  private readonly records = new Map<string, ApiKeyRecord>();
  /** sha256(presented) -> record key, for keys already verified once; cleared on any change. Memory only. */
  private readonly cache = new Map<string, string>();
  private watcher?: Awaited<ReturnType<KV['watch']>>;
  private closed = false;

  constructor(
    private readonly kv: KV,
    private readonly log?: Logger,
  ) {}

  /** Loads the bucket and keeps following it; resolves once the current content is in memory. */
  async start(): Promise<void> {
    const empty = (await this.kv.status()).values === 0;
    let ready!: () => void;
    const loaded = new Promise<void>((r) => (ready = r));
    if (empty) ready();
    const watch = async (): Promise<void> => {
      while (!this.closed) {
        try {
          this.watcher = await this.kv.watch();
          for await (const e of this.watcher) {
            this.apply(e);
            if (e.isUpdate) ready();
          }
        } catch (err) {
          this.log?.warn({ err: (err as Error).message }, 'API key watch failed; retrying');
        }
        if (!this.closed) await new Promise((r) => setTimeout(r, 1000).unref());
      }
    };
    void watch();
    await loaded;
  }

  private apply(e: KvWatchEntry): void {
    this.cache.clear();
    if (e.operation !== 'PUT') {
      this.records.delete(e.key);
      return;
    }
    const r = decodeRecord(e.value);
    if (r) this.records.set(e.key, r);
    else this.log?.warn({ key: e.key }, 'ignoring malformed API key record');
  }

  private set(key: string, r: ApiKeyRecord): void {
    this.cache.clear();
    this.records.set(key, r);
  }

  verify(presented: string): ApiPrincipal | null {
    if (typeof presented !== 'string' || presented.length === 0 || presented.length > MAX_SECRET_LENGTH) return null;
    const fingerprint = createHash('sha256').update(presented, 'utf8').digest('base64');
    const cachedKey = this.cache.get(fingerprint);
    const cached = cachedKey ? this.records.get(cachedKey) : undefined;
    if (cached && cached.revokedAt === undefined) return { name: cached.name, scopes: cached.scopes };
    let match: [string, ApiKeyRecord] | null = null;
    for (const entry of this.records) {
      if (entry[1].revokedAt !== undefined) continue;
      if (verifySecret(presented, entry[1]) && !match) match = entry;
    }
    if (!match) return null;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(fingerprint, match[0]);
    return { name: match[1].name, scopes: match[1].scopes };
  }

  list(): ApiKeyInfo[] {
    return [...this.records].map(([k, r]) => info(k, r)).sort((a, b) => a.name.localeCompare(b.name) || a.createdAt - b.createdAt);
  }

  activeCount(): number {
    let n = 0;
    for (const r of this.records.values()) if (r.revokedAt === undefined) n++;
    return n;
  }

  async add(input: { name: string; scopes: Scope[]; secret?: string }, actor = 'api'): Promise<NewApiKey> {
    const { record, key, ...created } = await addApiKey(this.kv, input, actor);
    this.set(key, record);
    return created;
  }

  async revoke(name: string, actor = 'api'): Promise<number> {
    const written = await revokeApiKey(this.kv, name, actor);
    for (const [k, r] of written) this.set(k, r);
    return written.size;
  }

  /** Makes the environment's keys present: adds missing ones, updates changed scopes, never revives revoked ones. */
  async bootstrap(specs: (KeySpec & { source: 'env' | 'file' })[]): Promise<void> {
    for (const spec of specs) {
      const same = [...this.records].filter(([, r]) => r.name === spec.name && verifySecret(spec.secret, r));
      if (same.some(([, r]) => r.revokedAt !== undefined)) {
        this.log?.warn({ key: spec.name, source: spec.source }, 'API key from the environment was revoked; not restoring it');
        continue;
      }
      if (same.length === 0) {
        const { record, key } = await addApiKey(this.kv, spec, spec.source);
        this.set(key, record);
        this.log?.info({ key: spec.name, scopes: spec.scopes, source: spec.source }, 'API key added');
        continue;
      }
      for (const [k, r] of same) {
        const scopes = [...new Set(spec.scopes)];
        if (scopes.length === r.scopes.length && scopes.every((s) => r.scopes.includes(s))) continue;
        const updated = { ...r, scopes };
        await this.kv.put(k, JSON.stringify(updated));
        this.set(k, updated);
        this.log?.info({ key: spec.name, scopes, source: spec.source }, 'API key scopes updated');
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.stop();
  }
}

/**
 * Opens the shared key store, adds the environment's keys, and refuses (NoApiKeysError) when no active key
 * exists at all: a gateway nobody can call is a misconfiguration, and inventing a key would print a secret.
 * `allowEmpty` is for tools that create the first key (a `mutt keys` CLI).
 */
export async function openApiKeyStore(
  nc: NatsConnection,
  env: Pick<Env, 'MUTT_API_KEYS' | 'MUTT_API_KEYS_FILE'>,
  opts: { log?: Logger; allowEmpty?: boolean } = {},
): Promise<ApiKeyStore> {
  const specs = await keysFromEnv(env);
  const store = new KvApiKeyStore(await openKeysBucket(nc), opts.log);
  await store.start();
  try {
    await store.bootstrap(specs);
  } catch (err) {
    await store.close();
    throw err;
  }
  if (!opts.allowEmpty && store.activeCount() === 0) {
    await store.close();
    throw new NoApiKeysError();
  }
  return store;
}
