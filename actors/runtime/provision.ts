// Idempotent provisioning of MUTT's streams and KV buckets: create what is missing, update limits that changed
// (e.g. a new MUTT_EVENTS cap), leave data alone. Safe to run from every process at start-up.
//   await provision(nc, env)

import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, RetentionPolicy, DiscardPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { Env } from '../../protocol/env.ts';
import { bucketSpecs, streamSpecs, type StreamSpec } from '../../protocol/streams.ts';

function toStreamConfig(s: StreamSpec): Partial<StreamConfig> & { name: string } {
  return {
    name: s.name,
    subjects: s.subjects,
    retention: s.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    discard: s.discard === 'new' ? DiscardPolicy.New : DiscardPolicy.Old,
    max_msgs: s.max_msgs,
    max_bytes: s.max_bytes,
    max_age: s.max_age,
    duplicate_window: s.duplicate_window,
    storage: s.storage === 'file' ? StorageType.File : StorageType.Memory,
    num_replicas: s.num_replicas,
    description: s.description,
  };
}

export async function provisionStreams(nc: NatsConnection, env: Env): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const spec of streamSpecs(env)) {
    const wanted = toStreamConfig(spec);
    const existing = await jsm.streams.info(spec.name).catch(() => null);
    if (!existing) {
      await jsm.streams.add(wanted);
      continue;
    }
    const c = existing.config;
    const changed =
      c.max_msgs !== wanted.max_msgs ||
      c.max_bytes !== wanted.max_bytes ||
      c.max_age !== wanted.max_age ||
      c.duplicate_window !== wanted.duplicate_window ||
      c.description !== wanted.description;
    // retention, storage and replicas cannot be changed in place on 2.9; they stay as first created.
    if (changed)
      await jsm.streams.update(spec.name, {
        ...c,
        max_msgs: wanted.max_msgs,
        max_bytes: wanted.max_bytes,
        max_age: wanted.max_age,
        duplicate_window: wanted.duplicate_window,
        description: wanted.description,
      });
  }
}

export async function provisionBuckets(nc: NatsConnection, env: Env): Promise<void> {
  const kvm = new Kvm(nc);
  for (const b of bucketSpecs) {
    await kvm.create(b.bucket, {
      history: b.history,
      ttl: b.max_age_ms,
      replicas: env.MUTT_REPLICAS,
      storage: env.MUTT_STORAGE === 'file' ? StorageType.File : StorageType.Memory,
      description: b.description,
    });
  }
}

export async function provision(nc: NatsConnection, env: Env): Promise<void> {
  await provisionStreams(nc, env);
  await provisionBuckets(nc, env);
}
