// A KV bucket followed by a watch, its entries handed to a sink: a full replay first (at start, and again
// whenever the watch ends, falls behind or the bucket is recreated), then each change as it happens. The sink
// decides what to keep: KvMirror keeps every entry, LiveHosts only its host indexes (a 200,000-entry mirror
// beside them did not fit the alerter's heap).
//   const w = await KvWatch.open(kv, Bucket.hosts, log, sink); w.revision; ... w.stop()

import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { Logger } from 'pino';

/** Where a watch reports whether it is current (process readiness), as `kv:<bucket>`. */
export interface MirrorHealth {
  set(component: string, ready: boolean, detail?: string): void;
  remove(component: string): void;
}

export interface WatchOptions {
  health?: MirrorHealth;
  /** How often the watch is checked against the bucket's stream (default 2 s). */
  checkMs?: number;
}

/** One full replay of the bucket: its entries, then adopt() once it is complete (never for a partial one). */
export interface KvReplay {
  apply(e: KvWatchEntry): void;
  adopt(): void;
}

export interface KvSink {
  /** A full replay begins; until its adopt(), the sink's current contents stay as they were. */
  replay(): KvReplay;
  /** A change after the replay, to the current contents. */
  change(e: KvWatchEntry): void;
}

type Watch = AsyncIterable<KvWatchEntry> & { stop(): void };

export const isRemoval = (e: KvWatchEntry): boolean => e.operation === 'DEL' || e.operation === 'PURGE';

export class KvWatch {
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

  private constructor(
    readonly bucket: string,
    private readonly kv: KV,
    private readonly log: Logger,
    private readonly sink: KvSink,
    private readonly opts: WatchOptions,
  ) {}

  /** Resolves once the bucket's whole contents have reached the sink. */
  static async open(kv: KV, bucket: string, log: Logger, sink: KvSink, opts: WatchOptions = {}): Promise<KvWatch> {
    const w = new KvWatch(bucket, kv, log, sink, opts);
    await w.replay();
    w.opts.health?.set(w.component, true);
    // A watch can end (error, or a normal end) or go quiet (its consumer deleted, the bucket recreated under
    // it) without a word from the client library: checked against the stream, and replaced when it falls behind.
    w.checkTimer = setInterval(() => void w.check(), opts.checkMs ?? 2000);
    w.checkTimer.unref();
    return w;
  }

  private get component(): string {
    return `kv:${this.bucket}`;
  }

  /**
   * Starts a watch and hands the sink the bucket's full contents; later entries go to the sink as changes.
   * Never adopts a partial replay: an alerter that began with an empty rule set would treat every event as
   * unmatched. A slow replay (a loaded server) is waited for; one that never completes fails, and the caller
   * (the supervisor at start, the next check later) tries again.
   */
  private async replay(): Promise<void> {
    const status = await this.kv.status();
    // A recreated bucket numbers its revisions from 1 again.
    if (this.streamCreated && status.streamInfo.created !== this.streamCreated) this.revision = 0;
    this.streamCreated = status.streamInfo.created;
    this.seenLastSeq = 0;
    // Everything up to here is in the replay, even a last message the bucket no longer holds (aged out).
    this.replayFloor = status.streamInfo.state.last_seq;
    const iter = (await this.kv.watch({ key: '>' })) as Watch;
    this.watch = iter;
    const target = this.sink.replay();
    let initialised = false;
    let resolveReady!: () => void;
    const ready = new Promise<void>((r) => (resolveReady = r));
    // Adopted synchronously in the watch loop, so no live change can land between the replay and its adoption.
    const adopt = () => {
      initialised = true;
      target.adopt();
      resolveReady();
    };
    if (status.values === 0) adopt();
    void (async () => {
      try {
        for await (const e of iter) {
          if (this.watch !== iter) return;
          this.revision = Math.max(this.revision, e.revision);
          if (!initialised) {
            target.apply(e);
            if (e.delta === 0 || e.isUpdate) adopt();
          } else this.sink.change(e);
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
      if (this.watch === iter) this.watch = undefined;
      iter.stop();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private async check(): Promise<void> {
    if (this.stopped || this.rewatching) return;
    try {
      const info = (await this.kv.status()).streamInfo;
      if (info.created !== this.streamCreated) return void (await this.rewatch('bucket recreated'));
      const last = info.state.last_seq;
      if (this.seenLastSeq > Math.max(this.revision, this.replayFloor))
        return void (await this.rewatch(`watch behind the bucket (revision ${this.revision} < ${this.seenLastSeq})`));
      this.seenLastSeq = last;
      this.opts.health?.set(this.component, true);
    } catch (err) {
      // The bucket is gone or the server unreachable: not current, and said so until the bucket answers again.
      this.opts.health?.set(this.component, false, `KV bucket ${this.bucket} unavailable: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  /** Replaces the watch by a full replay, which the sink adopts in place of what it had. */
  private async rewatch(why: string): Promise<void> {
    if (this.stopped || this.rewatching) return;
    this.rewatching = true;
    const old = this.watch;
    this.watch = undefined;
    old?.stop();
    try {
      this.log.warn({ bucket: this.bucket, why }, 'kv mirror re-watching');
      await this.replay();
      if (this.stopped) return (this.watch as Watch | undefined)?.stop();
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

  stop(): void {
    this.stopped = true;
    if (this.checkTimer) clearInterval(this.checkTimer);
    this.watch?.stop();
    this.opts.health?.remove(this.component);
  }
}
