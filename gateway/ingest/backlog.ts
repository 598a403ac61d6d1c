// How full MUTT_EVENTS is, for v2.5's `queue_depth` / `queue_limit` answer fields. Read from stream info at
// most once a second in the background, so no request waits for it; a request sees the last reading.
//   const backlog = new EventsBacklog(nc); backlog.peek() -> { messages, maxMessages, bytes, maxBytes } | undefined

import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { StreamName } from '../../protocol/streams.ts';

export interface Backlog {
  messages: number;
  bytes: number;
  /** -1 when the stream has no such cap. */
  maxMessages: number;
  maxBytes: number;
  at: number;
}

export class EventsBacklog {
  private last?: Backlog;
  private inflight?: Promise<Backlog | undefined>;
  private jsm?: Promise<JetStreamManager>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly maxAgeMs = 1000,
  ) {}

  /** The last reading (possibly undefined or up to maxAgeMs old); starts a refresh when stale. */
  peek(): Backlog | undefined {
    if (!this.last || Date.now() - this.last.at > this.maxAgeMs) void this.refresh();
    return this.last;
  }

  refresh(): Promise<Backlog | undefined> {
    if (this.inflight) return this.inflight;
    this.inflight = (async () => {
      try {
        if (this.nc.isClosed()) return this.last;
        this.jsm ??= jetstreamManager(this.nc, { timeout: 2000 });
        const info = await (await this.jsm).streams.info(StreamName.events);
        this.last = {
          messages: info.state.messages,
          bytes: info.state.bytes,
          maxMessages: info.config.max_msgs,
          maxBytes: info.config.max_bytes,
          at: Date.now(),
        };
      } catch {
        this.jsm = undefined;
      } finally {
        this.inflight = undefined;
      }
      return this.last;
    })();
    return this.inflight;
  }
}
