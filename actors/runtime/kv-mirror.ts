// An in-memory mirror of a KV bucket kept current by a watch: every actor reads rules, hosts and config from
// memory, and a write anywhere reaches every replica in milliseconds (no reload timer, no cache TTL).
//   const m = await KvMirror.open(kv, log); m.onChange(() => rebuild(m.entries())); ... m.stop()

import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { Logger } from 'pino';

export interface MirrorEntry {
  key: string;
  value: Uint8Array;
  revision: number;
}

export class KvMirror {
  private readonly map = new Map<string, MirrorEntry>();
  private readonly listeners: ((changed: string[]) => void)[] = [];
  private pending: string[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private stopFn: (() => void) | undefined;
  /** Highest revision applied: a version number for "what is in effect". */
  revision = 0;

  private constructor(readonly bucket: string, private readonly log: Logger) {}

  static async open(kv: KV, bucket: string, log: Logger): Promise<KvMirror> {
    const m = new KvMirror(bucket, log);
    await m.start(kv);
    return m;
  }

  private async start(kv: KV): Promise<void> {
    const status = await kv.status();
    const iter = await kv.watch({ key: '>' });
    this.stopFn = () => iter.stop();
    let initialised = status.values === 0;
    let resolveReady!: () => void;
    const ready = new Promise<void>((r) => (resolveReady = r));
    if (initialised) resolveReady();
    void (async () => {
      try {
        for await (const e of iter) {
          this.apply(e);
          if (!initialised && (e.delta === 0 || e.isUpdate)) {
            initialised = true;
            this.pending = [];
            resolveReady();
          } else if (initialised) this.schedule(e.key);
        }
      } catch (err) {
        this.log.error({ err, bucket: this.bucket }, 'kv watch ended');
      }
    })();
    // Never start from a partial mirror: an alerter that began with an empty rule set would treat every event
    // as unmatched. A slow replay (a loaded server) is waited for; one that never completes fails the start,
    // and the supervisor retries it.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`KV bucket ${this.bucket}: initial values not received within 60 s`)), 60_000);
    });
    try {
      await Promise.race([ready, timeout]);
    } catch (err) {
      iter.stop();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private apply(e: KvWatchEntry): void {
    this.revision = Math.max(this.revision, e.revision);
    if (e.operation === 'DEL' || e.operation === 'PURGE') this.map.delete(e.key);
    else this.map.set(e.key, { key: e.key, value: e.value, revision: e.revision });
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

  get(key: string): MirrorEntry | undefined {
    return this.map.get(key);
  }

  entries(): MirrorEntry[] {
    return [...this.map.values()];
  }

  stop(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.stopFn?.();
  }
}

export function decodeJson(value: Uint8Array): unknown {
  return JSON.parse(Buffer.from(value).toString('utf8'));
}

export function encodeJson(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value));
}
