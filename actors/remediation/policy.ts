// What remediation does with one dead letter — pure, so every rule is readable in one place:
//   quarantine entries stay put (an operator decides);
//   permanent reasons (undecodable, schema_invalid, rejected, poison) and failures of remediation itself → quarantine;
//   transient reasons (retries_exhausted, expired) → replay once the entry has rested `minAgeMs` and its stage's
//   dependency is healthy, until it has been replayed `maxReplays` times → quarantine as max_replays.
//   decideRemediation(entry, { now, maxReplays: 3, minAgeMs: 60_000, healthy: true }) → { action: 'replay' }

import { TRANSIENT_REASONS, type DlqEntry } from '../../protocol/messages.ts';

export type RemediationAction =
  | { action: 'keep' }
  | { action: 'quarantine'; reason: DlqEntry['reason'] }
  | { action: 'replay' }
  | { action: 'wait'; ms: number; why: string };

export interface RemediationInput {
  now: number;
  maxReplays: number;
  minAgeMs: number;
  /** Whether the stage's downstream (Moogsoft for forwarder entries) is healthy now. */
  healthy: boolean;
}

export function decideRemediation(
  entry: Pick<DlqEntry, 'stage' | 'reason' | 'replays' | 'lastSeenAt'>,
  i: RemediationInput,
): RemediationAction {
  if (entry.stage === 'quarantine') return { action: 'keep' };
  if (entry.stage === 'remediation') return { action: 'quarantine', reason: entry.reason };
  if (!TRANSIENT_REASONS.includes(entry.reason)) return { action: 'quarantine', reason: entry.reason };
  if (entry.replays >= i.maxReplays) return { action: 'quarantine', reason: 'max_replays' };
  const rest = entry.lastSeenAt + i.minAgeMs - i.now;
  if (rest > 0) return { action: 'wait', ms: rest, why: 'resting before replay' };
  if (!i.healthy) return { action: 'wait', ms: Math.max(1000, Math.min(i.minAgeMs, 30_000)), why: 'downstream unhealthy' };
  return { action: 'replay' };
}
