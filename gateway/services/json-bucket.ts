// JSON records in a KV bucket, written with compare-and-set and read either directly (one key, always current)
// or from an in-memory mirror kept by a KV watch (lists). The mirror holds each value parsed once (frozen:
// callers share it), or what the bucket's `project` makes of it — a smaller form for big buckets. After a write, `settled(revision)` waits until the
// mirror has applied it, so a list right after a write shows the write (read-your-writes in this process).
//   const b = await JsonBucket.open(nc, Bucket.rules, log)
//   const rev = await b.create('r1', rule); await b.update('r1', next, rev); b.list()

import type { NatsConnection } from '@nats-io/transport-node';
import { isCasConflict } from '../../actors/runtime/kv-cas.ts';
import { Kvm, type KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import { decodeJson, encodeJson, KvMirror } from '../../actors/runtime/kv-mirror.ts';
import { ServiceError } from './errors.ts';

export interface JsonRecord {
  key: string;
  value: unknown;
  revision: number;
  /** When this revision was written (epoch ms); only on direct reads. */
  at?: number;
}

export interface JsonHistoryEntry {
  key: string;
  revision: number;
  operation: 'PUT' | 'DEL' | 'PURGE';
  at: number;
  /** The value written (undefined for deletions and unreadable values). */
  value: unknown;
}

/** What a KV key may look like (nats.js refuses anything else with an exception). */
const KV_KEY = /^[-/=\w]+(\.[-/=\w]+)*$/;

/** A stored value, or undefined when it is not JSON. */
function parse(bytes: Uint8Array): unknown {
  try {
    return decodeJson(bytes);
  } catch {
    return undefined;
  }
}

export interface JsonBucketOptions {
  /** What the mirror keeps of a parsed value (default: the value); `undefined` for a value it cannot use. */
  project?: (value: unknown, key: string) => unknown;
}

export class JsonBucket {
  private constructor(
    readonly name: string,
    readonly kv: KV,
    private readonly mirror: KvMirror<unknown>,
  ) {}

  static async open(nc: NatsConnection, bucket: string, log: Logger, opts: JsonBucketOptions = {}): Promise<JsonBucket> {
    const kv = await new Kvm(nc).open(bucket);
    const project = opts.project ?? ((v: unknown) => v);
    const mirror = await KvMirror.open<unknown>(kv, bucket, log, {
      project: (bytes, key) => Object.freeze(project(parse(bytes), key)),
      same: (a, b) => JSON.stringify(a) === JSON.stringify(b),
    });
    return new JsonBucket(bucket, kv, mirror);
  }

  /** Highest revision the mirror has applied. */
  get revision(): number {
    return this.mirror.revision;
  }

  /** Current value straight from KV (null when absent, deleted, or not a possible key). */
  async get(key: string): Promise<JsonRecord | null> {
    if (!KV_KEY.test(key)) return null;
    const e = await this.kv.get(key);
    if (!e || e.operation !== 'PUT') return null;
    return { key, value: parse(e.value), revision: e.revision, at: e.created.getTime() };
  }

  /** Every live record from the mirror, optionally those whose key starts with `prefix`. */
  list(prefix = ''): JsonRecord[] {
    return this.mirror.entries().filter((e) => e.key.startsWith(prefix));
  }

  /** The keys in the mirror starting with `prefix`. */
  keys(prefix = ''): string[] {
    return this.mirror.keys().filter((k) => k.startsWith(prefix));
  }

  /** One record from the mirror (as current as the watch). */
  cached(key: string): JsonRecord | undefined {
    return this.mirror.get(key);
  }

  /** Writes a new key; 'exists' when it is already there. */
  async create(key: string, value: unknown): Promise<number> {
    try {
      return await this.kv.create(key, encodeJson(value));
    } catch (err) {
      if (isCasConflict(err)) throw new ServiceError('exists', `'${key}' already exists`, undefined, {}, err);
      throw err;
    }
  }

  /** Replaces the value if the key is still at `revision`; 'revision_mismatch' otherwise. */
  async update(key: string, value: unknown, revision: number): Promise<number> {
    try {
      return await this.kv.update(key, encodeJson(value), revision);
    } catch (err) {
      if (isCasConflict(err)) throw await this.mismatch(key, revision, err);
      throw err;
    }
  }

  /** Deletes (keeps history); with `revision`, only if the key is still at it. Returns once lists no longer show it. */
  async remove(key: string, revision?: number): Promise<void> {
    try {
      await this.kv.delete(key, revision === undefined ? undefined : { previousSeq: revision });
    } catch (err) {
      if (isCasConflict(err)) throw await this.mismatch(key, revision ?? 0, err);
      throw err;
    }
    const deadline = Date.now() + 2000;
    while (this.mirror.get(key) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  }

  private async mismatch(key: string, expected: number, cause: unknown): Promise<ServiceError> {
    const current = await this.get(key).catch(() => null);
    return new ServiceError(
      'revision_mismatch',
      `'${key}' changed: expected revision ${expected}, current is ${current?.revision ?? 'none'}`,
      undefined,
      { expected, current: current?.revision ?? null },
      cause,
    );
  }

  /** Waits (up to timeoutMs) until the mirror reflects `revision`, so lists include a write just made. */
  async settled(revision: number, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.mirror.revision < revision && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  }

  /** The key's stored versions, newest first (as many as the bucket's history keeps). */
  async history(key: string): Promise<JsonHistoryEntry[]> {
    const out: JsonHistoryEntry[] = [];
    const iter = await this.kv.history({ key });
    for await (const e of iter) {
      out.push({
        key: e.key,
        revision: e.revision,
        operation: e.operation,
        at: e.created.getTime(),
        value: e.operation === 'PUT' ? parse(e.value) : undefined,
      });
    }
    return out.sort((a, b) => b.revision - a.revision);
  }

  stop(): void {
    this.mirror.stop();
  }
}
