// Reading the forwarder's shared state (breaker, AIMD rate) out of KV mutt_state. Whatever is stored there —
// bytes written by hand, by another version, or cut short — must never stop delivery: a value that is not
// JSON or fails its schema reads as "no value" (the caller then uses its default state), is counted in
// mutt_forwarder_state_unreadable_total{key} and logged once per stored revision (not once per read: the AIMD
// state is read every second).
//   const bad = stateProblems(rt.registry, rt.log)
//   const s = readStored(entry, AimdStateSchema, (error) => bad.report(AIMD_KEY, entry.revision, error)) ?? initialAimd(...)

import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { z } from 'zod';

export interface StoredEntry {
  value: Uint8Array;
  revision: number;
  operation?: string;
}

/**
 * The stored value parsed by `schema`, or null when the key is absent, deleted or unreadable (then `onBad`
 * is called with why). Never throws.
 */
export function readStored<S extends z.ZodType>(entry: StoredEntry | null, schema: S, onBad: (error: string) => void): z.output<S> | null {
  if (!entry || entry.operation === 'DEL' || entry.operation === 'PURGE') return null;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(entry.value).toString('utf8'));
  } catch (err) {
    onBad(`not JSON: ${(err as Error).message}`.slice(0, 200));
    return null;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  onBad(`does not match its schema: ${issue.path.join('.') || '(value)'}: ${issue.message}`.slice(0, 200));
  return null;
}

export interface StateProblems {
  /** Counts and logs an unreadable stored value, once per (key, revision). */
  report(key: string, revision: number, error: string): void;
}

export function stateProblems(registry: Registry, log: Logger): StateProblems {
  const unreadable =
    (registry.getSingleMetric('mutt_forwarder_state_unreadable_total') as Counter<'key'>) ??
    new Counter({
      name: 'mutt_forwarder_state_unreadable_total',
      help: 'Stored shared-state values (mutt_state) that were unreadable and replaced by the default state, by key',
      labelNames: ['key'],
      registers: [registry],
    });
  const seen = new Map<string, number>(); // key → the last unreadable revision reported (one entry per key)
  return {
    report(key, revision, error) {
      if (seen.get(key) === revision) return;
      seen.set(key, revision);
      unreadable.inc({ key });
      log.error({ key, revision, error }, 'unreadable shared state in mutt_state; using the default state');
    },
  };
}
