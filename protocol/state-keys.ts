// The keys of MUTT's shared state in KV, in one place: the actors that write them, the gateway and the CLI
// that read them, and deploy/nats/accounts.conf's per-key permissions all name these.
//   kv.get(BREAKER_KEY); kv.put(inflightKey(seq), …); unhandled.put(unhandledKey(host, fp), …)

import { createHash } from 'node:crypto';

/** mutt_state: the forwarders' shared circuit breaker. */
export const BREAKER_KEY = 'forwarder.breaker';

/** mutt_state: the forwarders' shared rate limiter. */
export const RATE_KEY = 'forwarder.rate';

/** mutt_state: remediation's in-flight dead letters, in this many shards (one key each). */
export const INFLIGHT_SHARDS = 16;
export const inflightKey = (seq: number): string => `remediation.inflight.${seq % INFLIGHT_SHARDS}`;

/** mutt_state: UI sessions, `ui.session.<id>` (only the gateway may read them). */
export const SESSION_KEY_PREFIX = 'ui.session.';

/** mutt_state, before the counters had their own bucket: 'unhandled.<host>.<fingerprint>', never expiring. */
export const LEGACY_UNHANDLED_PREFIX = 'unhandled.';

/** mutt_unhandled: the count of one (host, fingerprint). KV keys allow [-/_=.a-zA-Z0-9]: the host is hashed so
 *  any host name fits. */
export function unhandledKey(host: string, fp: string): string {
  return `unhandled.${createHash('sha1').update(host.toLowerCase()).digest('hex').slice(0, 16)}.${fp}`;
}
