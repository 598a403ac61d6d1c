// Finds a timestamp at a position in a syslog header, in the shapes devices really send, and turns it into
// epoch ms: BSD 'Mar  1 12:00:00' (optionally with year before/after, fraction, zone, Cisco's '*'/'.' clock
// flag and trailing ':') and ISO 8601 '2024-03-01T12:00:00.123+01:00'. A timestamp without a zone is UTC; one
// without a year takes the year of receipt, or the year before when that would put it more than a day ahead.
//   matchTimestamp('*Mar  1 00:01:02.123: %LINK', 0, Date.now()) -> { end: 21, ms: 1709251262123 (if 2024) }

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/** Zone abbreviations seen in device logs, as minutes east of UTC; null: known to be a zone, offset ambiguous. */
const ZONES: Record<string, number | null> = {
  UTC: 0,
  GMT: 0,
  Z: 0,
  WET: 0,
  WEST: 60,
  BST: 60,
  CET: 60,
  CEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  HKT: 480,
  SGT: 480,
  JST: 540,
  KST: 540,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
  IST: null,
};
const ZONE = `(UTC|GMT|Z|WES?T|BST|CES?T|EES?T|MSK|[ECMP][SD]T|HKT|SGT|JST|KST|AES?T|AEDT|NZ[SD]T|IST|[+-]\\d\\d:?\\d\\d)`;
const YEAR = '((?:19|20)\\d\\d)';
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';

// Quantifiers are bounded and every optional part starts with a distinct character class, so a failed match
// costs a few dozen steps whatever follows (no backtracking blow-up on hostile lines).
const BSD = new RegExp(
  `([*.])?(?:${YEAR} )?${MONTH} {1,3}(\\d{1,2}) {1,3}(?:${YEAR} {1,3})?(\\d{1,2}):(\\d\\d):(\\d\\d)(?:[.,](\\d{1,9}))?` +
    `(?: ${YEAR}(?= ))?(?: ${ZONE}(?=[: ]|$))?(:(?= |$))?`,
  'y',
);
const ISO = new RegExp(
  `(\\d{4})-(\\d\\d)-(\\d\\d)[T ](\\d\\d):(\\d\\d):(\\d\\d)(?:[.,](\\d{1,9}))?(?:(Z|[+-]\\d\\d:?\\d\\d)| ${ZONE}(?=[: ]|$))?(:(?= |$))?`,
  'y',
);

export interface TimestampMatch {
  /** Index just past the timestamp (and its trailing ':' if any). */
  end: number;
  /** Epoch ms, or null when the text has a timestamp's shape but no valid date (Feb 30, hour 25). */
  ms: number | null;
  /** Cisco's leading '*' (clock not synchronised) or '.' (lost sync), when present. */
  clockFlag?: string;
}

export function matchTimestamp(text: string, pos: number, receivedAt: number): TimestampMatch | null {
  BSD.lastIndex = pos;
  let m = BSD.exec(text);
  if (m) {
    const [, flag, yearBefore, mon, day, yearMid, h, mi, s, frac, yearAfter, zone] = m;
    const year = yearBefore ?? yearMid ?? yearAfter;
    const offset = zoneOffset(zone);
    const parts = {
      month: MONTHS[mon],
      day: Number(day),
      hour: Number(h),
      minute: Number(mi),
      second: Number(s),
      millis: fraction(frac),
      offset,
    };
    const ms = year ? toEpoch({ year: Number(year), ...parts }) : inferYear(parts, receivedAt);
    return { end: BSD.lastIndex, ms, ...(flag ? { clockFlag: flag } : {}) };
  }
  ISO.lastIndex = pos;
  m = ISO.exec(text);
  if (m) {
    const [, y, mo, d, h, mi, s, frac, numericZone, namedZone] = m;
    const ms = toEpoch({
      year: Number(y),
      month: Number(mo) - 1,
      day: Number(d),
      hour: Number(h),
      minute: Number(mi),
      second: Number(s),
      millis: fraction(frac),
      offset: zoneOffset(numericZone ?? namedZone),
    });
    return { end: ISO.lastIndex, ms };
  }
  return null;
}

/** An ISO 8601 timestamp at `pos` (what RFC 5424 requires), or null. */
export function matchIsoTimestamp(text: string, pos: number): TimestampMatch | null {
  const c = text.charCodeAt(pos);
  return c >= 48 && c <= 57 && text.charCodeAt(pos + 4) === 45 /* - */ ? matchTimestamp(text, pos, 0) : null;
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  offset: number;
}

function fraction(frac: string | undefined): number {
  return frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
}

/** Minutes east of UTC; an absent or ambiguous zone counts as UTC. */
export function zoneOffset(zone: string | undefined): number {
  if (!zone) return 0;
  const named = ZONES[zone];
  if (named !== undefined) return named ?? 0;
  const m = /^([+-])(\d\d):?(\d\d)$/.exec(zone);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** Epoch ms, or null for a date that does not exist (no silent roll-over of Feb 30 into March). */
export function toEpoch(p: Parts): number | null {
  if (p.month < 0 || p.month > 11 || p.day < 1 || p.hour > 23 || p.minute > 59 || p.second > 60) return null;
  const local = Date.UTC(p.year, p.month, p.day, p.hour, p.minute, Math.min(p.second, 59), p.millis);
  const check = new Date(local);
  if (check.getUTCDate() !== p.day || check.getUTCMonth() !== p.month) return null;
  const ms = local - p.offset * 60_000;
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

const DAY_MS = 86_400_000;

function inferYear(p: Omit<Parts, 'year'>, receivedAt: number): number | null {
  const year = new Date(receivedAt).getUTCFullYear();
  const ms = toEpoch({ year, ...p });
  if (ms === null || ms <= receivedAt + DAY_MS) return ms;
  return toEpoch({ year: year - 1, ...p }) ?? ms;
}
