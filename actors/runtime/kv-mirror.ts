// An in-memory mirror of a KV bucket kept current by a watch (KvWatch): every actor reads rules and config from
// memory, and a write anywhere reaches every replica in milliseconds (no reload timer, no cache TTL). What is
// kept per key is the entry's bytes, or a smaller value the caller derives from them (`project`).
//   const m = await KvMirror.open(kv, Bucket.rules, log); m.onChange((keys) => rebuild(m.entries())); ... m.stop()

import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { Logger } from 'pino';
import { isRemoval, KvWatch, type KvReplay, type KvSink, type WatchOptions } from './kv-watch.ts';

export type { MirrorHealth } from './kv-watch.ts';

export interface MirrorEntry<T = Uint8Array> {
  key: string;
  value: T;
  revision: number;
}

export interface MirrorOptions<T> extends WatchOptions {
  /** What to keep of an entry's bytes (default: the bytes). */
  project?: (value: Uint8Array, key: string) => T;
  /** Whether two kept values are the same, to report what a re-watch changed (default: equal bytes). */
  same?: (a: T, b: T) => boolean;
}

const sameBytes = (a: unknown, b: unknown) => Buffer.from(a as Uint8Array).equals(Buffer.from(b as Uint8Array));

/** The key as a string of its own: the client's key is a slice of the message subject and would keep the whole
 *  subject alive with it (docs/PERFORMANCE.md, "Bulk host/team imports"). */
const ownKey = (key: string) => Buffer.from(key).toString();

export class KvMirror<T = Uint8Array> implements KvSink {
  private map = new Map<string, MirrorEntry<T>>();
  private readonly listeners: ((changed: string[]) => void)[] = [];
  private pending: string[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private watcher: KvWatch | undefined;

  private constructor(
    readonly bucket: string,
    private readonly log: Logger,
    private readonly project: (value: Uint8Array, key: string) => T,
    private readonly same: (a: T, b: T) => boolean,
  ) {}

  static async open<T = Uint8Array>(kv: KV, bucket: string, log: Logger, opts: MirrorOptions<T> = {}): Promise<KvMirror<T>> {
    const m = new KvMirror<T>(bucket, log, opts.project ?? ((v) => v as T), opts.same ?? sameBytes);
    m.watcher = await KvWatch.open(kv, bucket, log, m, opts);
    return m;
  }

  /** Highest revision applied: a version number for "what is in effect". */
  get revision(): number {
    return this.watcher?.revision ?? 0;
  }

  replay(): KvReplay {
    const fresh = new Map<string, MirrorEntry<T>>();
    return {
      apply: (e) => this.applyTo(fresh, e),
      adopt: () => {
        const old = this.map;
        this.map = fresh;
        // The first replay (no watcher yet) is the start; a later one is a re-watch, and every key whose value
        // differs from before is reported as changed.
        if (!this.watcher) return;
        for (const [key, e] of fresh) {
          const prev = old.get(key);
          if (!prev || !this.same(prev.value, e.value)) this.schedule(key);
        }
        for (const key of old.keys()) if (!fresh.has(key)) this.schedule(key);
      },
    };
  }

  change(e: KvWatchEntry): void {
    this.applyTo(this.map, e);
    this.schedule(e.key);
  }

  private applyTo(map: Map<string, MirrorEntry<T>>, e: KvWatchEntry): void {
    if (isRemoval(e)) return void map.delete(e.key);
    try {
      const key = ownKey(e.key);
      map.set(key, { key, value: this.project(e.value, key), revision: e.revision });
    } catch (err) {
      map.delete(e.key);
      this.log.error({ bucket: this.bucket, key: e.key, err: (err as Error).message }, 'kv entry unreadable; left out of the mirror');
    }
  }

  // Changes arriving together (a bulk import) are delivered as one batch, so a rule set is rebuilt once.
  private schedule(key: string): void {
    this.pending.push(key);
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      const changed = this.pending;
      this.pending = [];
      for (const l of this.listeners) {
        try {
          l(changed);
        } catch (err) {
          this.log.error({ err, bucket: this.bucket }, 'kv change listener failed');
        }
      }
    }, 5);
  }

  onChange(listener: (changed: string[]) => void): void {
    this.listeners.push(listener);
  }

  get(key: string): MirrorEntry<T> | undefined {
    return this.map.get(key);
  }

  entries(): MirrorEntry<T>[] {
    return [...this.map.values()];
  }

  keys(): string[] {
    return [...this.map.keys()];
  }

  stop(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.watcher?.stop();
  }
}

export function decodeJson(value: Uint8Array): unknown {
  return JSON.parse(Buffer.from(value).toString('utf8'));
}

export function encodeJson(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value));
}
