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

/** Where a mirror reports whether it is current (process readiness), as `kv:<bucket>`. */
export interface MirrorHealth {
  set(component: string, ready: boolean, detail?: string): void;
  remove(component: string): void;
}

export interface MirrorOptions {
  health?: MirrorHealth;
  /** How often the watch is checked against the bucket's stream (default 2 s). */
  checkMs?: number;
}

type Watch = AsyncIterable<KvWatchEntry> & { stop(): void };

export class KvMirror {
  private map = new Map<string, MirrorEntry>();
  private readonly listeners: ((changed: string[]) => void)[] = [];
  private pending: string[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private watch: Watch | undefined;
  private stopped = false;
  private rewatching = false;
  /** The bucket stream's creation time when the watch began: a different one means deleted and recreated. */
  private streamCreated = '';
  /** The stream's last sequence at the previous check: the watch must have delivered it by this check. */
  private seenLastSeq = 0;
  private replayFloor = 0;
  /** Highest revision applied: a version number for "what is in effect". */
  revision = 0;

  private constructor(readonly bucket: string, private readonly kv: KV, private readonly log: Logger, private readonly opts: MirrorOptions) {}

  static async open(kv: KV, bucket: string, log: Logger, opts: MirrorOptions = {}): Promise<KvMirror> {
    const m = new KvMirror(bucket, kv, log, opts);
    m.map = await m.replay();
    m.opts.health?.set(m.component, true);
    // A watch can end (error, or a normal end) or go quiet (its consumer deleted, the bucket recreated under
    // it) without a word from the client library: checked against the stream, and replaced when it falls behind.
    m.checkTimer = setInterval(() => void m.check(), opts.checkMs ?? 2000);
    m.checkTimer.unref();
    return m;
  }

  private get component(): string {
    return `kv:${this.bucket}`;
  }

  /**
   * Starts a watch and returns the bucket's full contents once replayed; later entries are applied as changes.
   * Never starts from a partial mirror: an alerter that began with an empty rule set would treat every event
   * as unmatched. A slow replay (a loaded server) is waited for; one that never completes fails the start,
   * and the supervisor retries it.
   */
  private async replay(): Promise<Map<string, MirrorEntry>> {
    const status = await this.kv.status();
    // A recreated bucket numbers its revisions from 1 again.
    if (this.streamCreated && status.streamInfo.created !== this.streamCreated) this.revision = 0;
    this.streamCreated = status.streamInfo.created;
    this.seenLastSeq = 0;
    // Everything up to here is in the replay, even a last message the bucket no longer holds (aged out).
    this.replayFloor = status.streamInfo.state.last_seq;
    const iter = (await this.kv.watch({ key: '>' })) as Watch;
    this.watch = iter;
    const fresh = new Map<string, MirrorEntry>();
    let initialised = status.values === 0;
    let resolveReady!: () => void;
    const ready = new Promise<void>((r) => (resolveReady = r));
    if (initialised) resolveReady();
    void (async () => {
      try {
        for await (const e of iter) {
          if (this.watch !== iter) return;
          this.revision = Math.max(this.revision, e.revision);
          if (!initialised) {
            applyTo(fresh, e);
            if (e.delta === 0 || e.isUpdate) {
              initialised = true;
              resolveReady();
            }
          } else {
            this.apply(e);
            this.schedule(e.key);
          }
        }
        if (this.watch === iter && !this.stopped) this.log.warn({ bucket: this.bucket }, 'kv watch ended; watching again');
      } catch (err) {
        if (this.watch === iter && !this.stopped) this.log.error({ err, bucket: this.bucket }, 'kv watch failed; watching again');
      }
      if (this.watch === iter && !this.stopped) void this.rewatch('watch ended');
    })();
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
    return fresh;
  }

  private async check(): Promise<void> {
    if (this.stopped || this.rewatching) return;
    try {
      const info = (await this.kv.status()).streamInfo;
      if (info.created !== this.streamCreated) return void (await this.rewatch('bucket recreated'));
      const last = info.state.last_seq;
      if (this.seenLastSeq > Math.max(this.revision, this.replayFloor)) return void (await this.rewatch(`watch behind the bucket (revision ${this.revision} < ${this.seenLastSeq})`));
      this.seenLastSeq = last;
      this.opts.health?.set(this.component, true);
    } catch (err) {
      // The bucket is gone or the server unreachable: not current, and said so until the bucket answers again.
      this.opts.health?.set(this.component, false, `KV bucket ${this.bucket} unavailable: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  /** Replaces the watch by a full replay and reports every key whose value differs from the old mirror. */
  private async rewatch(why: string): Promise<void> {
    if (this.stopped || this.rewatching) return;
    this.rewatching = true;
    const old = this.watch;
    this.watch = undefined;
    old?.stop();
    try {
      this.log.warn({ bucket: this.bucket, why }, 'kv mirror re-watching');
      const fresh = await this.replay();
      if (this.stopped) return (this.watch as Watch | undefined)?.stop();
      const changed: string[] = [];
      for (const [key, e] of fresh) {
        const prev = this.map.get(key);
        if (!prev || !Buffer.from(prev.value).equals(Buffer.from(e.value))) changed.push(key);
      }
      for (const key of this.map.keys()) if (!fresh.has(key)) changed.push(key);
      this.map = fresh;
      for (const key of changed) this.schedule(key);
      this.opts.health?.set(this.component, true);
    } catch (err) {
      this.opts.health?.set(this.component, false, `KV bucket ${this.bucket}: ${(err as Error)?.message ?? String(err)}`);
      this.log.error({ err, bucket: this.bucket }, 'kv mirror could not watch again; retrying at the next check');
      // Forces the next check to try again (a creation time never matches the empty string).
      this.streamCreated = '';
    } finally {
      this.rewatching = false;
    }
  }

  private apply(e: KvWatchEntry): void {
    applyTo(this.map, e);
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
    this.stopped = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.checkTimer) clearInterval(this.checkTimer);
    this.watch?.stop();
    this.opts.health?.remove(this.component);
  }
}

function applyTo(map: Map<string, MirrorEntry>, e: KvWatchEntry): void {
  if (e.operation === 'DEL' || e.operation === 'PURGE') map.delete(e.key);
  else map.set(e.key, { key: e.key, value: e.value, revision: e.revision });
}

export function decodeJson(value: Uint8Array): unknown {
  return JSON.parse(Buffer.from(value).toString('utf8'));
}

export function encodeJson(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value));
}
