// Read-modify-write of one JSON value in a KV bucket with compare-and-set, for state shared by the replicas of an
// actor (the breaker, the rate limiter, unhandled counters). A step function gets the current state and returns the next one;
// if another replica wrote in between, the write is refused and the step runs again on the fresh value.
// The store is any KV with get/create/update — @nats-io/kv's KV fits as is.
//   const { result } = await casUpdate(kv, RATE_KEY, parseRate, (s) => {
//     const r = reserve(s, Date.now(), 5, cfg); return { state: r.state, result: r }
//   })

import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';

export interface CasEntry {
  value: Uint8Array;
  revision: number;
  operation?: string;
}

export interface CasStore {
  get(key: string): Promise<CasEntry | null>;
  create(key: string, data: Uint8Array): Promise<number>;
  update(key: string, data: Uint8Array, revision: number): Promise<number>;
}

/** Gave up after too many lost races: the caller should back off (the state is heavily contended). */
export class CasContentionError extends Error {
  readonly tries: number;
  constructor(key: string, tries: number) {
    super(`compare-and-set on ${key} lost ${tries} races in a row`);
    this.name = 'CasContentionError';
    this.tries = tries;
  }
}

/**
 * JetStream refused the write because the key's revision moved: someone else wrote first. Recognised by the
 * API error code nats.js carries (`JetStreamApiError.code`), never by the text: 10071 "wrong last sequence",
 * and 10164 "wrong last sequence unknown" that newer servers answer for a key not seen yet.
 */
export function isCasConflict(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

export interface CasResult<S, R> {
  state: S;
  result: R;
  /** How many times the step ran (1 = no conflict). */
  tries: number;
  written: boolean;
  revision: number;
}

/**
 * Applies `step` atomically. When step returns the very state object it was given, nothing is written.
 * `parse` turns the stored JSON (undefined when the key is absent or deleted) into a state.
 */
export async function casUpdate<S, R>(
  store: CasStore,
  key: string,
  parse: (value: unknown) => S,
  step: (state: S) => { state: S; result: R },
  opts: { maxTries?: number } = {},
): Promise<CasResult<S, R>> {
  const maxTries = opts.maxTries ?? 100;
  for (let tries = 1; tries <= maxTries; tries++) {
    const entry = await store.get(key);
    const live = entry && entry.operation !== 'DEL' && entry.operation !== 'PURGE' ? entry : null;
    const current = parse(live ? decode(live.value) : undefined);
    const { state, result } = step(current);
    if (state === current) return { state, result, tries, written: false, revision: live?.revision ?? 0 };
    const data = new TextEncoder().encode(JSON.stringify(state));
    try {
      const revision = live ? await store.update(key, data, live.revision) : await store.create(key, data);
      return { state, result, tries, written: true, revision };
    } catch (err) {
      if (!isCasConflict(err)) throw err;
      // Losers of a race retry after a short random pause so they do not collide again in lock-step.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, tries * 2)));
    }
  }
  throw new CasContentionError(key, maxTries);
}

function decode(value: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(value));
  } catch {
    return undefined; // unreadable state is replaced by the parser's default, not fatal
  }
}
