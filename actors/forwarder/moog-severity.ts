// Moogsoft's severity scale (0 clear, 1 indeterminate, 2 warning, 3 minor, 4 major, 5 critical) from MUTT's
// syslog scale (0 emergency … 7 debug) through the configurable moog_severity_map. v2.5 sent 3 for everything
// because its alerter hard-coded "Warning"; the event's own severity is carried through instead.
//   toMoogSeverity(2, [5, 5, 5, 4, 3, 2, 2, 1]) === 5      // critical → critical
//   toMoogSeverity(null, [5, 5, 5, 4, 3, 2, 2, 1]) === 3   // unknown severity is treated as syslog warning (4)
//   MOOG_SEVERITY_NAMES[4] === 'major'

/** Events API severity names, index = Moog severity number (the API calls indeterminate "unknown"). */
export const MOOG_SEVERITY_NAMES = ['clear', 'unknown', 'warning', 'minor', 'major', 'critical'] as const;
export type MoogSeverityName = (typeof MOOG_SEVERITY_NAMES)[number];

/** Syslog level assumed for an alert without a severity: warning, which v2.5 also used as its fallback. */
export const NULL_SEVERITY_AS_SYSLOG = 4;

export const DEFAULT_SEVERITY_MAP: readonly number[] = [5, 5, 5, 4, 3, 2, 2, 1];

export function toMoogSeverity(syslog: number | null, map: readonly number[] = DEFAULT_SEVERITY_MAP): number {
  const level = syslog === null || !Number.isInteger(syslog) || syslog < 0 || syslog > 7 ? NULL_SEVERITY_AS_SYSLOG : syslog;
  // A map shorter than 8 or holding out-of-range numbers (config is validated, but stay total) falls back.
  const mapped = map[level] ?? DEFAULT_SEVERITY_MAP[level];
  return Number.isInteger(mapped) && mapped >= 0 && mapped <= 5 ? mapped : DEFAULT_SEVERITY_MAP[level];
}

export function moogSeverityName(moog: number): MoogSeverityName {
  return MOOG_SEVERITY_NAMES[Math.min(5, Math.max(0, Math.round(moog)))];
}
