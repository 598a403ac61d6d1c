// How many alerts one forwarder process holds in its handlers at once. Requests in flight are
// moog_concurrency; each carries up to moog_batch_size alerts, so full batches need concurrency × batch size
// alerts in hand. Alerts beyond about ten seconds of the rate limit would only wait for permits (and near the
// handler deadline), so the extra room batching asks for stops there; never fewer than moog_concurrency.
//   alertSlots({ moog_concurrency: 32, moog_batch_size: 50, moog_rate_limit: 100_000, moog_rate_period: 1 })  // 1600
//   alertSlots({ moog_concurrency: 32, moog_batch_size: 50, moog_rate_limit: 50, moog_rate_period: 1 })       // 500

export interface SlotConfig {
  moog_concurrency: number;
  moog_batch_size: number;
  moog_rate_limit: number;
  moog_rate_period: number;
}

/** Seconds of the rate limit worth of alerts that batching may hold beyond moog_concurrency. */
export const RATE_HORIZON_SECONDS = 10;

export function alertSlots(cfg: SlotConfig): number {
  const batched = cfg.moog_concurrency * cfg.moog_batch_size;
  const withinRate = Math.ceil((cfg.moog_rate_limit / cfg.moog_rate_period) * RATE_HORIZON_SECONDS);
  return Math.max(cfg.moog_concurrency, Math.min(batched, withinRate));
}
