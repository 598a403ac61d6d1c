// Syslog severity (RFC 5424: 0 emergency .. 7 debug) from whatever senders give: numbers, digit strings,
// keyword names and the abbreviations rsyslog, Cisco, and SNMP tooling use.
//   normaliseSeverity('Warning') === 4; normaliseSeverity('crit') === 2; normaliseSeverity(' 3 ') === 3
//   normaliseSeverity('Major') === 3 (SNMP-style names map to their nearest syslog level)

const NAMES: Record<string, number> = {
  emerg: 0,
  emergency: 0,
  panic: 0,
  fatal: 0,
  alert: 1,
  crit: 2,
  critical: 2,
  err: 3,
  error: 3,
  major: 3,
  warning: 4,
  warn: 4,
  minor: 4,
  notice: 5,
  info: 6,
  informational: 6,
  information: 6,
  debug: 7,
};

/** Names accepted as severities, for error messages and docs. */
export const SEVERITY_NAMES = Object.keys(NAMES);

/** Canonical lower-case name of each level, index = level. */
export const SEVERITY_LABELS = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug'] as const;

/** 0–7, or null when the input is absent or not a recognisable severity. */
export function normaliseSeverity(input: unknown): number | null {
  if (typeof input === 'number') return Number.isInteger(input) && input >= 0 && input <= 7 ? input : null;
  if (typeof input !== 'string') return null;
  const text = input.trim().toLowerCase();
  if (text === '') return null;
  if (/^[0-7]$/.test(text)) return Number(text);
  return NAMES[text] ?? null;
}
