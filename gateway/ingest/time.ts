// Event times as senders write them, to epoch milliseconds. Pure; never guesses with Date.parse (which reads
// '1' as the year 2001 and zone-less ISO text as local time).
//   parseEventTime('2025-11-08T12:00:00Z', now)        -> 1762603200000
//   parseEventTime(1762603200, now)                    -> 1762603200000   (epoch seconds below 1e11, else ms)
//   parseEventTime('Mar  1 00:01:02', now)             -> that moment in now's year (UTC), or the year before if ahead
//   parseEventTime('Mon, 10 Nov 2025 10:00:00 GMT', now)  (v2.5 Flask HTTP-date)
//   parseEventTime(undefined | null | '', now) -> undefined (absent)   parseEventTime('soon', now) -> null (unreadable)

const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_MS = 86_400_000;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*([Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;
const RFC3164 =
  /^[*.]?([A-Za-z]{3})\s+(\d{1,2})\s+(?:(\d{4})\s+)?(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:\s+(UTC|GMT|Z|[+-]\d{2}:?\d{2}))?$/;
const RFC2822 = /^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?(?:\s+(GMT|UTC|Z|[+-]\d{4}))?$/;

function fromEpoch(n: number): number | null {
  if (!Number.isFinite(n) || n < 0) return null;
  const ms = Math.round(n < 1e11 ? n * 1000 : n);
  return ms <= MAX_MS ? ms : null;
}

/** Minutes east of UTC for 'Z', 'UTC', '+02:00', '-0530', '+05'; undefined (= UTC) when absent. */
function offsetMinutes(zone: string | undefined): number {
  if (!zone || /^(z|utc|gmt)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

function build(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  frac: string | undefined,
  zone: string | undefined,
): number | null {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return null;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > daysInMonth) return null;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const t = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), ms) - offsetMinutes(zone) * 60_000;
  return t >= 0 && t <= MAX_MS ? t : null;
}

export function parseEventTime(input: unknown, receivedAt: number): number | null | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input === 'number') return fromEpoch(input);
  if (typeof input !== 'string') return null;
  const text = input.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return fromEpoch(Number(text));
  let m = ISO.exec(text);
  if (m) return build(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7], m[8]);
  m = RFC2822.exec(text);
  if (m) {
    const mo = MONTHS.indexOf(m[2].toLowerCase()) + 1;
    return mo === 0 ? null : build(+m[3], mo, +m[1], +m[4], +m[5], +(m[6] ?? 0), undefined, m[7]);
  }
  m = RFC3164.exec(text);
  if (m) {
    const mo = MONTHS.indexOf(m[1].toLowerCase()) + 1;
    if (mo === 0) return null;
    if (m[3]) return build(+m[3], mo, +m[2], +m[4], +m[5], +m[6], m[7], m[8]);
    // No year (classic syslog): the receive year, unless that puts the event more than a day in the future
    // (a December line read in January), then the year before.
    const year = new Date(receivedAt).getUTCFullYear();
    const t = build(year, mo, +m[2], +m[4], +m[5], +m[6], m[7], m[8]);
    if (t !== null && t > receivedAt + DAY_MS) return build(year - 1, mo, +m[2], +m[4], +m[5], +m[6], m[7], m[8]);
    return t;
  }
  return null;
}
