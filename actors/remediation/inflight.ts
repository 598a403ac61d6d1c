// Poison detection for remediation: a record, kept in mutt_state across crashes, of handler starts that never
// reported an outcome. Remediation waits on a dead letter with nak(delay) for as long as Moogsoft is unhealthy or
// its replay batch is used up, so JetStream's delivery count cannot tell a crash from a wait; this ledger can.
// Each start adds one to its dead letter's count, any outcome (replay, quarantine, wait, error) removes the entry,
// and a delivery that finds POISON_AFTER_STARTS unfinished starts quarantines the entry as 'poison' instead.
//   const s = await ledger.start(seq, attempt); if (s.poison) ...; try { ... } finally { await ledger.finish(seq, attempt) }
//
// Entries live in a fixed set of shard keys (remediation.inflight.<seq mod 16>), each a JSON map seq → start,
// not in a key per dead letter: a deleted KV key keeps its delete marker in the bucket forever, so a key per
// sequence would leave one marker per dead letter ever handled. An entry exists only while its delivery runs or
// after it crashed (or hung), so a shard holds at most the in-flight deliveries plus the crashed ones; entries not
// touched for a day (their dead letter was purged or replayed by an operator) and any beyond SHARD_MAX are dropped.

import { casUpdate, type CasStore } from '../runtime/kv-cas.ts';
import { inflightKey } from '../../protocol/state-keys.ts';

/** Unfinished starts after which the next delivery quarantines the dead letter as 'poison'. */
export const POISON_AFTER_STARTS = 3;
const STALE_MS = 24 * 3600_000;
const SHARD_MAX = 500;

/** One dead letter's unfinished starts; `delivery` is the JetStream delivery count of the latest start. */
export interface InflightStart {
  n: number;
  delivery: number;
  at: number;
}
export type InflightShard = Record<string, InflightStart>;

export function parseShard(value: unknown): InflightShard {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: InflightShard = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const s = v as Partial<InflightStart> | null;
    if (s && typeof s.n === 'number' && typeof s.delivery === 'number' && typeof s.at === 'number')
      out[k] = { n: s.n, delivery: s.delivery, at: s.at };
  }
  return out;
}

function pruned(shard: InflightShard, now: number): InflightShard {
  const live = Object.entries(shard).filter(([, s]) => now - s.at < STALE_MS);
  live.sort((a, b) => b[1].at - a[1].at);
  return Object.fromEntries(live.slice(0, SHARD_MAX));
}

export interface StartResult {
  /** Starts of this dead letter that never reported an outcome, before this one. */
  unfinished: number;
  /** True when this delivery must quarantine the entry instead of handling it (nothing was recorded). */
  poison: boolean;
}

/** Records a start of `seq` at JetStream delivery `delivery`, unless earlier starts make it poison. */
export function recordStart(
  shard: InflightShard,
  seq: number,
  delivery: number,
  now: number,
  poisonAfter = POISON_AFTER_STARTS,
): { state: InflightShard; result: StartResult } {
  const unfinished = shard[seq]?.n ?? 0;
  if (unfinished >= poisonAfter) return { state: shard, result: { unfinished, poison: true } };
  return { state: { ...pruned(shard, now), [seq]: { n: unfinished + 1, delivery, at: now } }, result: { unfinished, poison: false } };
}

/**
 * The start at `delivery` reported an outcome: the entry goes. A start abandoned at its deadline may settle after
 * a later delivery started; it leaves that later start's entry alone (pass `delivery` undefined to remove anyway).
 */
export function recordOutcome(shard: InflightShard, seq: number, delivery?: number): { state: InflightShard; result: boolean } {
  const s = shard[seq];
  if (!s || (delivery !== undefined && s.delivery !== delivery)) return { state: shard, result: false };
  const { [seq]: _gone, ...rest } = shard;
  return { state: rest, result: true };
}

export class InflightLedger {
  constructor(
    private readonly kv: CasStore,
    private readonly poisonAfter = POISON_AFTER_STARTS,
  ) {}

  async start(seq: number, delivery: number): Promise<StartResult> {
    const now = Date.now();
    return (await casUpdate(this.kv, inflightKey(seq), parseShard, (s) => recordStart(s, seq, delivery, now, this.poisonAfter))).result;
  }

  /** Removes the entry of the start at `delivery` (or whatever start is recorded, when `delivery` is undefined). */
  async finish(seq: number, delivery?: number): Promise<void> {
    await casUpdate(this.kv, inflightKey(seq), parseShard, (s) => recordOutcome(s, seq, delivery));
  }

  async unfinished(seq: number): Promise<number> {
    const e = await this.kv.get(inflightKey(seq));
    if (!e || (e.operation && e.operation !== 'PUT')) return 0;
    try {
      return parseShard(JSON.parse(new TextDecoder().decode(e.value)))[seq]?.n ?? 0;
    } catch {
      return 0;
    }
  }
}
