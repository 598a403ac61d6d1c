// Before the unhandled counters moved to their own expiring bucket (mutt_unhandled), they lived in mutt_state
// as 'unhandled.<host>.<fingerprint>' keys that never expire: one per host a sender ever made up. Installations
// upgraded from then still hold them. They are removed once, in one stream purge filtered to those subjects
// (no per-key delete markers left behind); later runs find nothing and say nothing. Only admin may purge in the
// least-privilege accounts: there `mutt setup` does it and the alerter's attempt is refused and logged.
//   const removed = await purgeLegacyUnhandled(nc, log)   // number of keys removed, or null when refused

import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { LEGACY_UNHANDLED_PREFIX } from '../../protocol/state-keys.ts';
import { Bucket } from '../../protocol/streams.ts';

const STREAM = `KV_${Bucket.state}`;
const LEGACY_SUBJECTS = `$KV.${Bucket.state}.${LEGACY_UNHANDLED_PREFIX}>`;

export async function purgeLegacyUnhandled(nc: NatsConnection, log: Logger): Promise<number | null> {
  try {
    const jsm = await jetstreamManager(nc);
    // Looked for first (every role may read stream info): a process that finds nothing never asks for a purge,
    // which a least-privilege role may not do and nats-server would log as a permission violation.
    const info = await jsm.streams.info(STREAM, { subjects_filter: LEGACY_SUBJECTS });
    if (Object.keys(info.state.subjects ?? {}).length === 0) return 0;
    const { purged } = await jsm.streams.purge(STREAM, { filter: LEGACY_SUBJECTS });
    if (purged > 0)
      log.info(
        { bucket: Bucket.state, removed: purged },
        `removed ${purged} legacy unhandled counter(s) from ${Bucket.state} (they never expired)`,
      );
    return purged;
  } catch (err) {
    log.warn(
      { bucket: Bucket.state, err: (err as Error).message },
      `could not remove legacy unhandled.* keys from ${Bucket.state}; run \`mutt setup\` as admin`,
    );
    return null;
  }
}
