// A gate that closes while a stream holds more than `limit()` messages and opens again below it: the alerter
// stops pulling while MUTT_ALERTS is backed up (events wait in their own stream; none are shed).
//   const gate = new BacklogGate(nc, 'MUTT_ALERTS', () => cfg.get().alerter_backpressure_depth); def.gate = () => gate.wait()

import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

export class BacklogGate {
  private closed: { promise: Promise<void>; open: () => void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private jsm: JetStreamManager | undefined;
  depth = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly limit: () => number,
    private readonly intervalMs = 500,
  ) {}

  start(): this {
    const poll = async () => {
      try {
        this.jsm ??= await jetstreamManager(this.nc);
        this.depth = (await this.jsm.streams.info(this.stream)).state.messages;
        this.update();
      } catch {
        /* unknown depth: keep the last decision */
      }
      this.timer = setTimeout(() => void poll(), this.intervalMs);
      this.timer.unref();
    };
    void poll();
    return this;
  }

  private update(): void {
    const over = this.depth > this.limit();
    if (over && !this.closed) {
      let open!: () => void;
      this.closed = { promise: new Promise<void>((r) => (open = r)), open: () => open() };
    } else if (!over && this.closed) {
      const c = this.closed;
      this.closed = undefined;
      c.open();
    }
  }

  /** A promise while closed, undefined while open (the runtime's gate contract). */
  wait(): Promise<void> | undefined {
    return this.closed?.promise;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.closed?.open();
  }
}
