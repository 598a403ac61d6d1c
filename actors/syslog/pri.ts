// The syslog PRI part '<N>': severity is N % 8, facility N >> 3, named as rsyslog names them.
//   matchPri('<38>Mar  1 ...') -> { pri: 38, end: 4 };  facilityName(38) === 'auth';  priSeverity(38) === 6

/** Facility names by code (RFC 5424 table 1, rsyslog's spelling). */
export const FACILITY_NAMES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'audit',
  'alert',
  'clock',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;

const PRI = /<(\d{1,3})>/y;

/** The PRI at `pos`, or null when there is none or its value is above 191 (not a PRI: left in the text). */
export function matchPri(text: string, pos = 0): { pri: number; end: number } | null {
  PRI.lastIndex = pos;
  const m = PRI.exec(text);
  if (!m) return null;
  const pri = Number(m[1]);
  return pri <= 191 ? { pri, end: PRI.lastIndex } : null;
}

export const priSeverity = (pri: number): number => pri % 8;
export const facilityName = (pri: number): string => FACILITY_NAMES[pri >> 3];
