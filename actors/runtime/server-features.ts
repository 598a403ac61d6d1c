// What the connected nats-server can do, from the version in its INFO: the JetStream features MUTT uses only where
// they exist, so nats-server 2.9.10 (Debian 12) keeps the paths it always had. A server that lacks a feature does
// not always refuse it — 2.9 stores an atomic batch's messages one by one and ignores per-message TTLs — so the
// version decides, never a trial publish.
//   serverFeatures(nc.info!)            // { version: '2.15.3', jetstream: true, atomicBatch: true, fastIngest: true, ... }

import type { ServerInfo } from '@nats-io/transport-node';

export interface ServerFeatures {
  version: string;
  jetstream: boolean;
  /** Per-message TTL (Nats-TTL header, stream allow_msg_ttl): 2.11. */
  perMessageTtl: boolean;
  /** Atomic batch publish (Nats-Batch-Id, stream allow_atomic): 2.12. */
  atomicBatch: boolean;
  /** Fast ingest, flow-controlled non-atomic batches (stream allow_batched): 2.14. */
  fastIngest: boolean;
}

/** The first version of nats-server with each feature. */
export const FEATURE_SINCE = { perMessageTtl: '2.11.0', atomicBatch: '2.12.0', fastIngest: '2.14.0' } as const;

/** [major, minor, patch] of "2.15.3", "v2.12.0-RC.1" or "2.11.4-beta"; null when it is not a version. */
export function parseVersion(v: string): [number, number, number] | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** Whether version `v` is at least `min`; false for anything that does not parse. Pre-releases count as their release. */
export function atLeast(v: string, min: string): boolean {
  const a = parseVersion(v);
  const b = parseVersion(min)!;
  if (!a) return false;
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

export function serverFeatures(info: Pick<ServerInfo, 'version' | 'jetstream'>): ServerFeatures {
  const js = info.jetstream === true;
  return {
    version: info.version,
    jetstream: js,
    perMessageTtl: js && atLeast(info.version, FEATURE_SINCE.perMessageTtl),
    atomicBatch: js && atLeast(info.version, FEATURE_SINCE.atomicBatch),
    fastIngest: js && atLeast(info.version, FEATURE_SINCE.fastIngest),
  };
}
