import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SyslogEvent } from '../../protocol/messages.ts';
import { MAX_LINE_LENGTH, parseSyslog } from '../../actors/syslog/parse.ts';

// Deterministic pseudo-random source, so a failing input can be reproduced from the seed in the message.
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [
  '<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 [a b="c"][d e="f\\]"] \uFEFFmsg',
  '<187>123: *Mar  1 00:01:02.123: %LINK-3-UPDOWN: Interface Gi0/2, changed state to down',
  '<166>Mar 01 2024 12:00:00 fw : %ASA-6-302013: Built inbound',
  '<189>: 2024 Mar  1 12:00:00 UTC: %ETHPORT-5-IF_DOWN: x',
  '<189>date=2024-03-01 time=12:00:00 devname="FGT" level="notice" msg="a \\" b"',
  '<38>Mar  1 12:00:00 web01 sshd[2345]: Failed password',
  '<182>Mar  1 12:00:00 bigip info tmm[1]: x',
  '<187>1234: RP/0/RSP0/CPU0:Mar  1 12:00:00.123 UTC: ifmgr[123]: %PKT_INFRA-LINK-3-UPDOWN : x',
];
const ALPHABET = [
  '<',
  '>',
  '[',
  ']',
  '"',
  '\\',
  '=',
  ' ',
  ':',
  '%',
  '-',
  '*',
  '.',
  '1',
  '9',
  '0',
  'a',
  'Z',
  'Mar',
  ' 1 ',
  '12:00:00',
  '2024-03-01T',
  '\uFEFF',
  '\u0000',
  '\n',
  '\r',
  '\t',
  '😀',
  '\ud800',
  'é',
  '-3-',
  '[x',
  'k="',
  '}',
  '{',
];

function randomLine(next: () => number, i: number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)];
  const kind = i % 8;
  if (kind === 0) {
    // random bytes, decoded as a UDP datagram would be
    const bytes = Buffer.alloc(Math.floor(next() * 300));
    for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(next() * 256);
    return bytes.toString('utf8');
  }
  if (kind === 1) {
    let s = '';
    const n = Math.floor(next() * 60);
    for (let j = 0; j < n; j++) s += pick(ALPHABET);
    return s;
  }
  if (kind === 2) {
    // mutate a real line: delete, insert and replace characters, cut anywhere
    const chars = [...pick(SEEDS)];
    const edits = 1 + Math.floor(next() * 6);
    for (let j = 0; j < edits; j++) {
      const at = Math.floor(next() * (chars.length + 1));
      const op = next();
      if (op < 0.33) chars.splice(at, 1);
      else if (op < 0.66) chars.splice(at, 0, pick(ALPHABET));
      else chars[at] = pick(ALPHABET);
    }
    return chars.join('').slice(0, Math.floor(next() * (chars.length + 5)));
  }
  if (kind === 3) return '<'.repeat(1 + Math.floor(next() * 5000));
  if (kind === 4) return '<13>1 2024-03-01T00:00:00Z h a p m ' + '['.repeat(Math.floor(next() * 3000)) + pick(['a b="', 'x', ']', '"']);
  if (kind === 5) return pick(SEEDS).slice(0, 5) + pick(ALPHABET).repeat(Math.floor(next() * 4000));
  if (kind === 6)
    return (
      pick(['<13>', '', '<13>1 - - - - - ']) +
      pick(['a=', '%A-', 'Mar  1 ', '1: ', ': ', '[a b="\\', 'k="v" ']).repeat(Math.floor(next() * 3000))
    );
  return pick(SEEDS) + ' ' + pick(ALPHABET).repeat(Math.floor(next() * (i % 100 === 7 ? 150_000 : 200)));
}

test('5,000 random and malformed lines: never a throw, always a schema-valid event', () => {
  const next = rng(20240301);
  const statuses = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const line = randomLine(next, i);
    let event;
    try {
      event = parseSyslog(line, { receivedAt: 1_709_251_200_000, address: '198.51.100.7', input: i % 2 ? 'syslog-tcp' : 'syslog-udp' });
    } catch (err) {
      assert.unreachable(`line #${i} threw ${(err as Error).message}: ${JSON.stringify(line.slice(0, 200))}`);
      return;
    }
    const check = SyslogEvent.safeParse(event);
    if (!check.success)
      assert.unreachable(
        `line #${i} invalid (${check.error.issues[0]?.path.join('.')}: ${check.error.issues[0]?.message}): ${JSON.stringify(line.slice(0, 200))}`,
      );
    assert.ok(event.raw!.length <= MAX_LINE_LENGTH);
    statuses.add(event.parse);
  }
  // The generator reaches every way of reading a line, so the assertion above covered all of them.
  assert.equal([...statuses].sort(), ['cisco', 'lenient', 'rfc3164', 'rfc5424', 'unparsed']);
});

test('hostile 64 KB lines return (linear-time parsing, no catastrophic backtracking)', () => {
  const N = 65_536;
  const rep = (s: string) => s.repeat(Math.ceil(N / s.length)).slice(0, N);
  const hostile = [
    rep('<'),
    rep('<13>'),
    rep('1 '),
    '<13>' + rep(' ') + 'x',
    '<13>1 2024-03-01T00:00:00Z h a p m ' + rep('['),
    '<13>1 2024-03-01T00:00:00Z h a p m [a ' + rep('b="\\'),
    '<13>1 2024-03-01T00:00:00Z h a p m ' + rep('[a b="c"]'),
    rep('a=b '),
    'a=b c=d e="' + rep('\\"'),
    rep('%A-'),
    '<13>' + rep('%AB-1-'),
    rep('Mar  1 12:00:00 '),
    '<13>Mar  1 12:00:00 ' + rep('a'),
    '<13>Mar  1 12:00:00 h a[' + rep('1'),
    '<13>1: ' + rep('a/'),
    rep('\0'),
    rep('\r\n'),
  ];
  for (const line of hostile) {
    const e = parseSyslog(line, { receivedAt: 1_709_251_200_000, input: 'syslog-tcp' });
    assert.ok(SyslogEvent.safeParse(e).success);
  }
});

test.run();
