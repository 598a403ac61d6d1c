// How the UI writes numbers, times and values: times in UTC ('2025-11-10 10:00:00 UTC', the form fields take
// the same), counts with thousands separators, ages as '12 s ago', any JSON value as short text. Pure.
//   utc(Date.now()); count(1234567) === '1,234,567'; ago(now - 5000, now) === '5 s ago'

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** 'YYYY-MM-DD HH:MM:SS' in UTC; '—' for no time. */
export function utc(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** The value of an <input type=datetime-local> for a time, in UTC ('2025-11-10T10:00'). */
export function datetimeLocal(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  return utc(ms).replace(' ', 'T').slice(0, 16);
}

/**
 * A time typed into a filter: '2025-11-10T10:00' / '2025-11-10 10:00:00' / '2025-11-10' (UTC unless a zone is
 * given) or epoch ms. undefined for empty; null when it cannot be read.
 */
export function parseTime(text: string | undefined): number | undefined | null {
  const v = (text ?? '').trim();
  if (v === '') return undefined;
  if (/^\d{1,15}$/.test(v)) return Number(v);
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?))?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i.exec(v);
  if (!m) return null;
  const zone = !m[3] || /^(z|utc)$/i.test(m[3]) ? 'Z' : m[3];
  const ms = Date.parse(m[2] ? `${m[1]}T${m[2]}${zone}` : `${m[1]}T00:00:00${zone}`);
  return Number.isFinite(ms) ? ms : null;
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : Math.round(n).toLocaleString('en-US');
}

export function decimal(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function percent(ratio: number | null | undefined, digits = 2): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

export function ago(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return `${duration(now - ms)} ago`;
}

/** A config or audit value as one line of text: strings as they are, everything else as JSON. */
export function valueText(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** Pretty JSON for <pre> blocks (Uint8Array as its length, so binary never floods a page). */
export function prettyJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? `<${x.length} bytes>` : x), 2) ?? 'undefined';
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
