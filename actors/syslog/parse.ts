// A lenient syslog parser: one line in, one schema-valid SyslogEvent out, whatever the line is. It reads RFC
// 5424, RFC 3164 and what devices actually send (Cisco IOS/NX-OS/XR/ASA sequence numbers, '*Mar  1 ...:'
// clocks and '%FAC-SEV-MNEMONIC:' tags, F5's level word, FortiGate key=value records, relayed lines, lines
// with no PRI). It never throws, never invents a value the line does not hold, keeps the line as `raw`, cuts
// input at 64 KiB and runs in time linear in the line (bounded, anchored patterns; no backtracking).
//   parseSyslog('<38>Mar  1 12:00:00 web01 sshd[2345]: Failed password', { receivedAt: Date.now(), input: 'syslog-udp' })
//     -> { kind: 'syslog', host: 'web01', severity: 6, facility: 'auth', appName: 'sshd', procId: '2345', parse: 'rfc3164', ... }

import { randomUUID } from 'node:crypto';
import type { SyslogEvent } from '../../protocol/messages.ts';
import { normaliseSeverity } from '../../protocol/severity.ts';
import { matchCiscoTag } from './cisco.ts';
import { parseKeyValues } from './kv.ts';
import { facilityName, matchPri, priSeverity } from './pri.ts';
import { parseStructuredData } from './structured-data.ts';
import { matchIsoTimestamp, matchTimestamp, toEpoch, zoneOffset } from './timestamp.ts';

/** Longest line read, in UTF-16 code units (the rest is cut and `fields.truncated` set). */
export const MAX_LINE_LENGTH = 65_536;
const MAX_HOST_LENGTH = 255;

export interface SyslogContext {
  receivedAt: number;
  /** Sender address, used as host when the line names none. */
  address?: string;
  input: 'syslog-udp' | 'syslog-tcp';
}

export type ParseStatus = SyslogEvent['parse'];

/** What the line says, before defaults (sender address, receive time) fill the gaps. */
interface Reading {
  parse: ParseStatus;
  pri?: number;
  time?: number | null;
  host?: string;
  appName?: string;
  procId?: string;
  msgId?: string;
  message: string;
  severity?: number | null;
  fields: Record<string, unknown>;
}

export function parseSyslog(line: string, ctx: SyslogContext): SyslogEvent {
  const receivedAt = Number.isFinite(ctx.receivedAt) && ctx.receivedAt > 0 ? Math.trunc(ctx.receivedAt) : 0;
  let raw = typeof line === 'string' ? line : String(line ?? '');
  let truncated = false;
  if (raw.length > MAX_LINE_LENGTH) {
    raw = cutAt(raw, MAX_LINE_LENGTH);
    truncated = true;
  }
  const text = stripLineEnd(raw);
  let reading: Reading;
  try {
    reading = readLine(text, receivedAt);
  } catch {
    // A parser bug must cost one line's interpretation, never the line.
    reading = { parse: 'unparsed', message: text, fields: {} };
  }
  if (truncated) reading.fields.truncated = true;
  return toEvent(reading, raw, receivedAt, ctx);
}

function toEvent(r: Reading, raw: string, receivedAt: number, ctx: SyslogContext): SyslogEvent {
  const id = randomUUID();
  const host = cleanHost(r.host) ?? cleanHost(ctx.address) ?? 'unknown';
  const event: SyslogEvent = {
    kind: 'syslog',
    id,
    correlationId: id,
    host,
    message: r.message,
    severity: r.severity ?? null,
    time: r.time ?? receivedAt,
    receivedAt,
    source: ctx.address ? { input: ctx.input, address: ctx.address } : { input: ctx.input },
    raw,
    parse: r.parse,
  };
  if (r.pri !== undefined) event.facility = facilityName(r.pri);
  if (r.appName) event.appName = r.appName;
  if (r.procId) event.procId = r.procId;
  if (r.msgId) event.msgId = r.msgId;
  if (Object.keys(r.fields).length > 0) event.fields = r.fields;
  return event;
}

function readLine(text: string, receivedAt: number): Reading {
  const start = skipBlanks(text, 0);
  const pri = matchPri(text, start);
  if (pri) {
    const r5424 = read5424(text, pri.end, pri.pri);
    if (r5424) return r5424;
  }
  return readLegacy(text, start, pri?.end ?? start, pri?.pri, receivedAt);
}

// ---- RFC 5424: <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]

const VERSION = /[1-9]\d{0,2} /y;

function read5424(text: string, pos: number, pri: number): Reading | null {
  VERSION.lastIndex = pos;
  if (!VERSION.test(text)) return null;
  let i = VERSION.lastIndex;
  let time: number | null | undefined;
  if (text[i] === '-' && (text[i + 1] === ' ' || i + 1 === text.length)) i++;
  else {
    const ts = matchIsoTimestamp(text, i);
    if (!ts) return null; // '<13>1 something': a 3164 line whose message starts with a digit
    time = ts.ms;
    i = ts.end;
  }
  const r: Reading = { parse: 'rfc5424', pri, time, severity: priSeverity(pri), message: '', fields: {} };
  const header: (string | undefined)[] = [];
  for (let k = 0; k < 4; k++) {
    const tok = readToken(text, i);
    if (!tok) {
      // Header ends early: keep what it gave, nothing to call a message.
      [r.host, r.appName, r.procId, r.msgId] = header;
      r.parse = 'lenient';
      return r;
    }
    header.push(tok.value === '-' ? undefined : tok.value);
    i = tok.end;
  }
  [r.host, r.appName, r.procId, r.msgId] = header;
  i = skipSpaces(text, i);
  if (i >= text.length) return r;
  const sd = parseStructuredData(text, i);
  if (!sd) {
    // Unbalanced or malformed SD: keep it, as text, in the message rather than guess where it ends.
    r.parse = 'lenient';
    r.message = text.slice(i).trimEnd();
    return r;
  }
  if (sd.data) r.fields.structuredData = sd.data;
  i = skipSpaces(text, sd.end);
  if (text.charCodeAt(i) === 0xfeff) i++; // UTF-8 BOM announcing a Unicode MSG
  // A relay (rsyslog) re-framing a Cisco line leaves the device's own clock and tag in MSG.
  const cisco = matchCiscoTag(text, i) ? i : ciscoAfterClock(text, i);
  if (cisco !== null) {
    const tag = matchCiscoTag(text, cisco)!;
    r.fields.cisco = { facility: tag.facility, mnemonic: tag.mnemonic };
    i = cisco;
  }
  r.message = text.slice(i).trimEnd();
  return r;
}

/** Position of a Cisco tag behind a device clock ('*Mar  1 00:01:02.123: %LINK-3-...'), or null. */
function ciscoAfterClock(text: string, pos: number): number | null {
  const ts = matchTimestamp(text, pos, 0);
  if (!ts) return null;
  const at = skipSpaces(text, ts.end);
  return matchCiscoTag(text, at) ? at : null;
}

// ---- RFC 3164 and the device dialects around it

const SEQUENCE = /(\d{1,12}): {1,3}/y;
const EMPTY_SEQUENCE = /: {1,3}/y; // NX-OS: '<189>: 2024 Mar  1 ...'
const ORIGIN = /([A-Za-z0-9][A-Za-z0-9._/-]{0,127}): ?/y; // IOS 'R1: Mar 1 ...', IOS XR 'RP/0/RSP0/CPU0:Mar 1 ...'
const HOST = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,254}$/;
const TAG = /^([^\s[\]:%="]{1,128})(?:\[([^\s[\]]{0,128})\])?:$/;
const ASA_COLON = / {1,3}:(?= )/y; // ASA with a device id: 'asa-fw01 : %ASA-6-...'
const LEVEL_WORDS = new Set(['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug']);

function readLegacy(text: string, lineStart: number, pos: number, pri: number | undefined, receivedAt: number): Reading {
  const fields: Record<string, unknown> = {};
  let host: string | undefined;
  let time: number | null | undefined;
  let appName: string | undefined;
  let procId: string | undefined;
  let recognised = pri !== undefined;

  pos = skipSpaces(text, pos);
  const seq = matchAt(SEQUENCE, text, pos) ?? (pri !== undefined ? matchAt(EMPTY_SEQUENCE, text, pos) : null);
  if (seq) {
    if (seq[1]) fields.sequence = Number(seq[1]);
    pos = seq.end;
    recognised = true;
    const origin = matchAt(ORIGIN, text, pos);
    if (origin && matchTimestamp(text, origin.end, receivedAt)) {
      if (origin[1].includes('/')) fields.node = origin[1];
      else host = origin[1];
      pos = origin.end;
    }
  }

  const ts = matchTimestamp(text, pos, receivedAt);
  if (ts) {
    time = ts.ms;
    pos = ts.end;
    recognised = true;
    if (host === undefined) {
      const tok = readToken(text, pos);
      if (tok && tok.end < text.length && HOST.test(tok.value) && !tok.value.endsWith(':')) {
        host = tok.value;
        pos = tok.end;
        const asa = matchAt(ASA_COLON, text, pos);
        if (asa) pos = asa.end;
      }
    }
    // A relay (rsyslog) put its own header in front of a Cisco line: '... 10.1.1.1 123: *Mar  1 ...: %LINK-...'.
    const relayedSeq = seq ? null : matchAt(SEQUENCE, text, skipSpaces(text, pos));
    if (relayedSeq) {
      fields.sequence = Number(relayedSeq[1]);
      pos = relayedSeq.end;
      const deviceTs = matchTimestamp(text, pos, receivedAt);
      if (deviceTs) {
        pos = deviceTs.end;
        if (time === null) time = deviceTs.ms;
      }
    }
  }

  if (pri !== undefined || ts) {
    let tok = readToken(text, pos);
    if (tok && LEVEL_WORDS.has(tok.value)) {
      // F5 BIG-IP: 'host info tmm[12345]: ...' — a level word between host and tag.
      const next = readToken(text, tok.end);
      if (next && TAG.test(next.value)) {
        fields.level = tok.value;
        pos = tok.end;
        tok = next;
      }
    }
    const tag = tok ? TAG.exec(tok.value) : null;
    if (tok && tag) {
      appName = tag[1];
      if (tag[2]) procId = tag[2];
      pos = tok.end;
    }
  }

  const bodyStart = skipSpaces(text, pos);
  let message = text.slice(bodyStart).trimEnd();
  let severity: number | null = pri !== undefined ? priSeverity(pri) : null;
  let parse: ParseStatus = pri !== undefined && ts && (host !== undefined || appName !== undefined) ? 'rfc3164' : 'lenient';

  const cisco = matchCiscoTag(text, bodyStart);
  if (cisco) {
    fields.cisco = { facility: cisco.facility, mnemonic: cisco.mnemonic };
    if (severity === null) severity = cisco.severity;
    parse = 'cisco';
    recognised = true;
  } else {
    const kv = parseKeyValues(message);
    if (kv) {
      fields.kv = kv;
      recognised = true;
      if (host === undefined && kv.devname) host = kv.devname;
      if (time == null && kv.date && kv.time) time = kvTime(kv.date, kv.time, kv.tz);
      if (severity === null) severity = normaliseSeverity(kv.level) ?? normaliseSeverity(kv.severity);
    }
  }

  if (!recognised) {
    parse = 'unparsed';
    message = text.slice(lineStart).trimEnd();
  }
  return { parse, pri, time, host, appName, procId, message, severity, fields };
}

/** FortiGate 'date=2024-03-01 time=12:00:00' (+ optional tz="+0100"); local time when no zone is given. */
function kvTime(date: string, time: string, tz: string | undefined): number | null {
  const d = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(date);
  const t = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return null;
  return toEpoch({
    year: Number(d[1]),
    month: Number(d[2]) - 1,
    day: Number(d[3]),
    hour: Number(t[1]),
    minute: Number(t[2]),
    second: Number(t[3]),
    millis: 0,
    offset: zoneOffset(tz),
  });
}

// ---- small text helpers, all O(length of what they look at)

function matchAt(re: RegExp, text: string, pos: number): (RegExpExecArray & { end: number }) | null {
  re.lastIndex = pos;
  const m = re.exec(text);
  return m ? Object.assign(m, { end: re.lastIndex }) : null;
}

/** The space-delimited token starting at or after `pos` (skipping spaces), or null at the end of the line. */
function readToken(text: string, pos: number): { value: string; end: number } | null {
  const start = skipSpaces(text, pos);
  if (start >= text.length) return null;
  const space = text.indexOf(' ', start);
  const end = space < 0 ? text.length : space;
  return { value: text.slice(start, end), end };
}

function skipSpaces(text: string, pos: number): number {
  while (text.charCodeAt(pos) === 32) pos++;
  return pos;
}

function skipBlanks(text: string, pos: number): number {
  for (;;) {
    const c = text.charCodeAt(pos);
    if (c === 32 || c === 9 || c === 0 || c === 10 || c === 13 || c === 0xfeff) pos++;
    else return pos;
  }
}

/** Drops the line terminator(s) a sender left on: LF, CRLF, NUL. */
function stripLineEnd(text: string): string {
  let end = text.length;
  for (;;) {
    const c = text.charCodeAt(end - 1);
    if (c === 10 || c === 13 || c === 0) end--;
    else break;
  }
  return end === text.length ? text : text.slice(0, end);
}

/** Cuts to at most `max` code units without splitting a surrogate pair. */
function cutAt(text: string, max: number): string {
  const c = text.charCodeAt(max - 1);
  return text.slice(0, c >= 0xd800 && c <= 0xdbff ? max - 1 : max);
}

function cleanHost(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const h = host.trim().slice(0, MAX_HOST_LENGTH);
  return h.length > 0 ? h : undefined;
}
