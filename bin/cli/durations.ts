// Durations and points in time as operators type them: '30s', '5m', '1h', '2d', '250ms' or plain seconds;
// a "since" is either such a duration (that long ago) or an ISO 8601 time. Errors name the flag (given without
// its dashes).
//   parseDuration('timeout', '30s') === 30_000
//   parseSince('since', '1h') === Date.now() - 3_600_000

import { CliError } from '../cli-error.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or null when the text is not a duration. */
export function durationMs(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return null;
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']);
}

export function parseDuration(flag: string, value: unknown): number {
  const ms = typeof value === 'number' ? value * 1000 : durationMs(String(value));
  if (ms === null || !Number.isFinite(ms) || ms <= 0)
    throw new CliError(`--${flag} must be a duration like 30s, 5m, 1h or 2d (got '${String(value)}')`);
  return ms;
}

/** A duration ago, or an ISO 8601 time, as epoch ms. */
export function parseSince(flag: string, value: unknown, now = Date.now()): number {
  const text = String(value).trim();
  const ago = durationMs(text);
  if (ago !== null) return now - ago;
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text);
    if (Number.isFinite(t)) return t;
  }
  throw new CliError(`--${flag} must be a duration ago (30m, 1h, 2d) or an ISO 8601 time like 2026-01-05T09:00:00Z (got '${text}')`);
}

/** A positive integer flag value (parseFlags already made it a number), or the default. */
export function positiveInt(flag: string, value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new CliError(`--${flag} must be a whole number from 1 to ${max} (got '${String(value)}')`);
  return n;
}
