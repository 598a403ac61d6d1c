// Writes dynamic config keys into mutt_config (validated like the API does), for tests that need short timers.
//   await setConfig(nc, { moog_backoff_base_ms: 50, breaker_open_seconds: 1 })

import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { parseConfigValue } from '../../protocol/config-keys.ts';
import { Bucket } from '../../protocol/streams.ts';

export async function setConfig(nc: NatsConnection, values: Record<string, unknown>): Promise<void> {
  const kv = await new Kvm(nc).open(Bucket.config);
  for (const [key, value] of Object.entries(values)) {
    const parsed = parseConfigValue(key, value);
    if (!parsed.ok) throw new Error(parsed.error);
    await kv.put(key, JSON.stringify(parsed.value));
  }
}
