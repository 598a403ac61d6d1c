// Every process announces its health on core NATS `mutt.health.<process>.<instance>` every 5 s, and at once
// when anyone publishes on `mutt.ping.health`: `mutt status` pings and hears every live process within a few
// milliseconds instead of listening through a whole heartbeat period (a short --wait would otherwise miss a
// healthy process). Pings are coalesced: a burst of them costs one extra heartbeat.
//   const hb = startHeartbeat(nc, () => body()); …; hb.stop()

import type { NatsConnection } from '@nats-io/transport-node';
import { subjects } from '../../protocol/subjects.ts';

export const HEARTBEAT_EVERY_MS = 5000;

export interface HeartbeatBody {
  instance: string;
  process: string;
  [k: string]: unknown;
}

export interface Heartbeat {
  stop(): void;
}

export function startHeartbeat(nc: NatsConnection, body: () => Promise<HeartbeatBody>): Heartbeat {
  let sending: Promise<void> | null = null;
  const send = () => {
    sending ??= (async () => {
      try {
        const b = await body();
        nc.publish(subjects.heartbeat(b.process, b.instance), JSON.stringify(b));
      } catch {
        /* not connected: readiness already says so */
      }
    })().finally(() => (sending = null));
  };
  const timer = setInterval(send, HEARTBEAT_EVERY_MS);
  timer.unref();
  let sub: ReturnType<NatsConnection['subscribe']> | null = null;
  try {
    sub = nc.subscribe(subjects.healthPing, {
      callback: (err) => {
        if (!err) send();
      },
    });
  } catch {
    /* a closed connection: the periodic heartbeat is all there is */
  }
  return {
    stop() {
      clearInterval(timer);
      sub?.unsubscribe();
    },
  };
}
