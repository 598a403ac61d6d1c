// When unmatched events of one (host, fingerprint) become a meta-alert: counted in a fixed window that starts
// at the first occurrence; the meta-alert fires exactly once, when the count reaches or passes the threshold
// (v2.5 tested equality, so lowering the threshold below a running count silenced that key until expiry);
// after it, the key stays quiet for the rest of the window. The caller stores the state (KV, compare-and-set).
//   let s = null;
//   ({ next: s, fire } = decideUnhandled(s, Date.now(), 100, 86_400));   // fire on the 100th call in the window
//   stepUnhandled(prev, 5, now, 100, 86_400)   // five occurrences at once: { next, result: fired }

export interface UnhandledState {
  count: number;
  /** Epoch ms of the first occurrence in this window. */
  windowStart: number;
  /** The meta-alert for this window was raised. */
  alerted: boolean;
}

export interface UnhandledDecision {
  next: UnhandledState;
  fire: boolean;
}

/** One more occurrence at `now` (epoch ms). threshold ≥ 1; windowSeconds > 0 (both read live from config). */
export function decideUnhandled(
  state: UnhandledState | null | undefined,
  now: number,
  threshold: number,
  windowSeconds: number,
): UnhandledDecision {
  const { next, result } = stepUnhandled(state ?? null, 1, now, threshold, windowSeconds);
  return { next, fire: result };
}

/** `n` occurrences at once (a batch of concurrent updates to one key), in the KvCasBatcher step shape. */
export function stepUnhandled(
  prev: UnhandledState | null,
  n: number,
  now: number,
  threshold: number,
  windowSeconds: number,
): { next: UnhandledState; result: boolean } {
  // A clock a little behind the replica that opened the window (now < windowStart) stays in that window.
  const current = isState(prev) && now < windowEnd(prev, windowSeconds) ? prev : { count: 0, windowStart: now, alerted: false };
  const count = current.count + n;
  const fire = !current.alerted && count >= threshold;
  return { next: { count, windowStart: current.windowStart, alerted: current.alerted || fire }, result: fire };
}

/** Epoch ms at which the state's window closes (a KV entry may be dropped after it). */
export function windowEnd(state: UnhandledState, windowSeconds: number): number {
  return state.windowStart + windowSeconds * 1000;
}

function isState(s: unknown): s is UnhandledState {
  if (typeof s !== 'object' || s === null) return false;
  const v = s as Record<string, unknown>;
  return Number.isFinite(v.count) && Number.isFinite(v.windowStart) && typeof v.alerted === 'boolean';
}

/** v2.5's meta-alert text (§2.2 b), sample cut at 200 characters. */
export function metaAlertMessage(threshold: number, windowSeconds: number, host: string, sampleMessage: string): string {
  return `[MUTT] Detected ${threshold} unhandled messages in ${windowSeconds}s from '${host}'. Sample message: ${firstCodePoints(sampleMessage, 200)}`;
}

/** Python slices by code point; slicing UTF-16 units could split an emoji. */
function firstCodePoints(text: string, n: number): string {
  if (text.length <= n) return text;
  let out = '';
  let count = 0;
  for (const ch of text) {
    if (count++ === n) break;
    out += ch;
  }
  return out;
}
