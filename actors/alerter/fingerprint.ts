// The shape of a message with its variable parts masked, and a short stable id of that shape. Unmatched events
// are counted per (host, fingerprint), so "Interface Gi0/1 down at 10:01:02" and "Interface Gi0/2 down at
// 11:22:33" count as one problem (v2.5 hashed the exact text, so messages with a counter or a timestamp never
// aggregated); alerts carry it for the Moogsoft signature. It runs per unmatched event and per alert.
//   maskMessage('Interface Gi0/1 down at 10:01:02 from 10.1.1.1')  // 'Interface <if> down at <time> from <ip>'
//   fingerprint('Interface Gi0/1 down at 10:01:02')                // 16 hex chars, the same for Gi0/2 at 11:22:33

import { hash } from 'node:crypto';

export interface MaskOptions {
  /** Also mask "…" and '…' (user names, file names). Off by default: 'nginx' died and 'sshd' died differ. */
  quoted?: boolean;
}

// At each position the alternatives are tried left to right, so specific shapes come before plain numbers.
const MONTHS = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';
const H = '[0-9a-f]';
const MONTH_DATE_SRC = `(?:${MONTHS})[a-z]*\\.? {1,2}\\d{1,2}(?: \\d{4})? \\d{1,2}:\\d{2}:\\d{2}(?:[.,]\\d+)?`;
const IFACE_SRC = `[a-z]{2,24}-?\\d+(?:/\\d+)+(?:[.:]\\d+)?`;
const IPV4_SRC = `(?:\\d{1,3}\\.){3}\\d{1,3}(?:/\\d{1,2})?(?::\\d{1,5})?`;
const NUMBER_SRC = `\\d+(?:\\.\\d+)?`;
const ISO_TS_SRC = `\\d{4}-\\d{2}-\\d{2}[t ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:z|[+-]\\d{2}:?\\d{2})?`;
const PARTS: [token: string, source: string][] = [
  ['<uuid>', `\\b${H}{8}-${H}{4}-${H}{4}-${H}{4}-${H}{12}\\b`],
  ['<ts>', `\\b${ISO_TS_SRC}`],
  ['<ts>', `\\*?\\b${MONTH_DATE_SRC}`],
  ['<mac>', `\\b${H}{2}(?:[:-]${H}{2}){5}\\b|\\b${H}{4}\\.${H}{4}\\.${H}{4}\\b`],
  // IPv6: full, or compressed with '::'; the lookbehind keeps it from restarting inside a long a:b:c run.
  [
    '<ip>',
    `(?<![\\w:.])(?:${H}{1,4}(?::${H}{1,4}){7}|(?:${H}{1,4}(?::${H}{1,4})*)?::(?:${H}{1,4}(?::${H}{1,4})*)?)(?:/\\d{1,3})?(?![\\w:])`,
  ],
  ['<ip>', `\\b${IPV4_SRC}\\b`],
  ['<time>', `\\b\\d{1,2}:\\d{2}:\\d{2}(?:[.,]\\d+)?\\b`],
  ['<if>', `\\b${IFACE_SRC}\\b`],
  [
    '<if>',
    `\\b(?:eth|ens|eno|enp\\d+s|em|bond|vlan|vl|po|port-channel|lo|loopback|tunnel|tu|mgmt|ae|irb|br|wlan|wlp\\d+s)\\d+(?:\\.\\d+)?\\b`,
  ],
  ['<hex>', `\\b0x${H}+\\b|\\b${H}{8,}\\b`],
  ['<n>', NUMBER_SRC],
];
const QUOTED: [string, string] = ['<str>', `"[^"\\n]*"|'[^'\\n]*'`];

interface Masker {
  re: RegExp;
  tokens: string[];
  hexGroup: number;
}

function masker(parts: [string, string][]): Masker {
  return {
    re: new RegExp(parts.map(([, src]) => `(${src})`).join('|'), 'gi'),
    tokens: parts.map(([t]) => t),
    hexGroup: parts.findIndex(([t]) => t === '<hex>') + 1,
  };
}

const PLAIN = masker(PARTS);
const WITH_QUOTED = masker([QUOTED, ...PARTS]);

/** The message with variable parts replaced by <uuid> <ts> <mac> <ip> <time> <if> <hex> <n> (and <str>). */
export function maskMessage(message: string, opts: MaskOptions = {}): string {
  const text = message.length > MASK_MAX ? message.slice(0, MASK_MAX) : message;
  const masked = opts.quoted ? maskWith(WITH_QUOTED, text) : maskRuns(text);
  return untidySpace(masked) ? masked.replace(/\s+/g, ' ').trim() : masked;
}

/** Only this much of a message shapes its fingerprint: bounds the cost of a hostile 64 KB line. */
export const MASK_MAX = 4096;

/** Whitespace other than single spaces between words (cheaper than a regex over the whole text). */
function untidySpace(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  if (s.charCodeAt(0) === 32 || s.charCodeAt(n - 1) === 32) return true;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) {
      if (s.charCodeAt(i + 1) === 32) return true;
    } else if (c < 32 ? c >= 9 && c <= 13 : c >= 128 && /\s/.test(s[i])) return true;
  }
  return false;
}

/** 16 hex characters identifying the masked shape of the message: the start of its SHA-256 (ADR 0007), so an
 *  operator can recompute it with sha256sum. */
export function fingerprint(message: string, opts: MaskOptions = {}): string {
  return hash('sha256', maskMessage(message, opts), 'hex').slice(0, 16);
}

/** exec loop rather than replace(re, fn): no call back into JS per match, about twice as fast. */
function maskWith(m: Masker, text: string): string {
  const re = m.re;
  re.lastIndex = 0;
  let out = '';
  let last = 0;
  let hit: RegExpExecArray | null;
  while ((hit = re.exec(text)) !== null) {
    let g = 1;
    while (hit[g] === undefined) g++;
    out += text.slice(last, hit.index) + token(m, g, hit[0]);
    last = re.lastIndex;
  }
  return last === 0 ? text : out + text.slice(last);
}

function token(m: Masker, group: number, text: string): string {
  if (group === m.hexGroup && text[1] !== 'x' && text[1] !== 'X') {
    // A long hex-looking run is an id only when it mixes digits and letters: 'deadbeef' is a word, '12345678' a number.
    if (!/\d/.test(text)) return text;
    if (!/[a-f]/i.test(text)) return '<n>';
  }
  return m.tokens[group - 1];
}

// Everything PARTS masks lies inside one run of [0-9A-Za-z:._/-] holding a digit (or '::'), except what spans a
// space: dates like 'Mar  1 10:01:02' (they start at a month name) and '2025-11-08 12:00:00' (at a date). Looking only at those runs, and settling the commonest whole
// runs (a number, an IPv4 address, an interface) with one anchored test, spares the regex from trying every
// alternative at every position.
const RUN_CHAR = new Uint8Array(128);
for (const c of '0123456789:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._/-') RUN_CHAR[c.charCodeAt(0)] = 1;
const WHOLE: [RegExp, string][] = [
  [new RegExp(`^${NUMBER_SRC}$`), '<n>'],
  [new RegExp(`^${IPV4_SRC}$`), '<ip>'],
  [new RegExp(`^${IFACE_SRC}$`, 'i'), '<if>'],
];
const MONTH_DATE = new RegExp(MONTH_DATE_SRC, 'iy');
const ISO_TS = new RegExp(ISO_TS_SRC, 'iy');
const MONTH_KEYS = new Set(MONTHS.split('|').map((m) => monthKey(m, 0)));

/** First three letters as one number, lower-cased by `| 32`: tests each word without slicing it. */
function monthKey(text: string, at: number): number {
  return ((text.charCodeAt(at) | 32) << 16) | ((text.charCodeAt(at + 1) | 32) << 8) | (text.charCodeAt(at + 2) | 32);
}

function maskRuns(message: string): string {
  let out = '';
  let last = 0;
  const n = message.length;
  for (let i = 0; i < n;) {
    let c = message.charCodeAt(i);
    if (c >= 128 || RUN_CHAR[c] === 0) {
      i++;
      continue;
    }
    const start = i;
    let digit = false;
    let colons = false;
    for (; i < n; i++) {
      c = message.charCodeAt(i);
      if (c >= 128 || RUN_CHAR[c] === 0) break;
      if (c <= 57 && c >= 48) digit = true;
      else if (c === 58 && message.charCodeAt(i + 1) === 58) colons = true;
    }
    if (!digit && !colons) {
      if (i - start < 3 || !MONTH_KEYS.has(monthKey(message, start))) continue;
      MONTH_DATE.lastIndex = start;
      const m = MONTH_DATE.exec(message);
      if (!m) continue;
      const from = start > 0 && message.charCodeAt(start - 1) === 42 ? start - 1 : start; // Cisco's '*Mar 1'
      out += message.slice(last, from) + '<ts>';
      last = i = start + m[0].length;
      continue;
    }
    if (i - start === 10 && message.charCodeAt(i) === 32 && message.charCodeAt(start + 4) === 45) {
      ISO_TS.lastIndex = start;
      const m = ISO_TS.exec(message);
      if (m) {
        out += message.slice(last, start) + '<ts>';
        last = i = start + m[0].length;
        continue;
      }
    }
    const run = message.slice(start, i);
    let masked: string | null = null;
    for (const [re, tok] of WHOLE) {
      if (re.test(run)) {
        masked = tok;
        break;
      }
    }
    masked ??= maskWith(PLAIN, run);
    if (masked !== run) {
      out += message.slice(last, start) + masked;
      last = i;
    }
  }
  return last === 0 ? message : out + message.slice(last);
}
