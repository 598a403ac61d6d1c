// How many rules are stored and how many are active: `mutt status` warns loudly at zero active rules, because
// then no event can alert. Read once from the mutt_rules bucket (a watch that stops after the current values).
//   await countRules(kv, log)   // → { total: 12, active: 11, invalid: 0 }

import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import { decodeJson, KvMirror } from '../../actors/runtime/kv-mirror.ts';
import { RuleInput } from '../../protocol/rules.ts';
import { Bucket } from '../../protocol/streams.ts';

export interface RuleCount {
  total: number;
  active: number;
  /** Stored values the alerter would refuse (it keeps their previous version). */
  invalid: number;
}

export async function countRules(kv: KV, log: Logger): Promise<RuleCount> {
  const mirror = await KvMirror.open(kv, Bucket.rules, log);
  try {
    const c: RuleCount = { total: 0, active: 0, invalid: 0 };
    for (const e of mirror.entries()) {
      c.total++;
      let parsed;
      try {
        parsed = RuleInput.safeParse(decodeJson(e.value));
      } catch {
        parsed = null;
      }
      if (!parsed?.success) c.invalid++;
      else if (parsed.data.is_active) c.active++;
    }
    return c;
  } finally {
    mirror.stop();
  }
}
