// Keeps the mutt_unhandled bucket's max_age equal to the unhandled_window_seconds in effect, so a counter a
// spoofed host name created is dropped once its window is over (and never before: max_age counts from a key's
// last write, which is at or after its window's start). Per-key TTL would be the natural tool, but it silently
// never expires on nats-server 2.9.
// Only admin may update a stream in the least-privilege accounts (deploy/nats/accounts.conf): there the update
// is refused, logged as a warning, and `mutt setup` (run as admin) applies it; `mutt up` connects with rights
// to do it itself.
//   await syncUnhandledExpiry(nc, cfg.get().unhandled_window_seconds, log)

import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { Bucket, unhandledBucketMaxAgeMs } from '../../protocol/streams.ts';

const STREAM = `KV_${Bucket.unhandled}`;
const MAX_DUPLICATE_WINDOW_NS = 2 * 60 * 1e9;

/** Updates the bucket when its max_age differs; returns whether it is now in line (false: refused, logged). */
export async function syncUnhandledExpiry(nc: NatsConnection, windowSeconds: number, log: Logger): Promise<boolean> {
  const wantedNs = unhandledBucketMaxAgeMs(windowSeconds) * 1e6;
  try {
    const jsm = await jetstreamManager(nc);
    const { config } = await jsm.streams.info(STREAM);
    if (config.max_age === wantedNs) return true;
    // JetStream refuses a duplicate window longer than max_age.
    await jsm.streams.update(STREAM, { ...config, max_age: wantedNs, duplicate_window: Math.min(wantedNs, MAX_DUPLICATE_WINDOW_NS) });
    log.info({ bucket: Bucket.unhandled, max_age_seconds: windowSeconds }, 'unhandled counters now expire with their window');
    return true;
  } catch (err) {
    log.warn(
      { bucket: Bucket.unhandled, max_age_seconds: windowSeconds, err: (err as Error).message },
      'could not set the expiry of the unhandled counters to unhandled_window_seconds; run `mutt setup` as admin',
    );
    return false;
  }
}
