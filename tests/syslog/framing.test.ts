import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SyslogFramer, type Frame } from '../../actors/syslog/framing.ts';

const octet = (msg: string) => `${Buffer.byteLength(msg)} ${msg}`;

// A stream mixing both framings, CRLF and NUL terminators, multi-byte characters and an LF inside an
// octet-counted frame (which octet counting must keep).
const MESSAGES = [
  '<13>1 2024-03-01T12:00:00Z h app - - - first',
  '<14>Mar  1 12:00:00 h app: second with ünïcödé',
  '<13>third, carried\nover two lines',
  '<13>fourth',
  '<13>fifth',
  '123 is not a length here',
];
const STREAM = Buffer.from(
  octet(MESSAGES[0]) + MESSAGES[1] + '\n' + octet(MESSAGES[2]) + MESSAGES[3] + '\r\n' + MESSAGES[4] + '\0' + MESSAGES[5] + '\n',
);
const EXPECTED: Frame[] = MESSAGES.map((line) => ({ line, truncated: false }));

function feed(framer: SyslogFramer, chunks: Buffer[]): Frame[] {
  const out: Frame[] = [];
  for (const c of chunks) out.push(...framer.push(c));
  out.push(...framer.end());
  return out;
}

test('whole stream in one chunk: both framings detected per frame', () => {
  assert.equal(feed(new SyslogFramer(), [STREAM]), EXPECTED);
});

test('split into two chunks at every byte boundary gives the same frames', () => {
  for (let i = 0; i <= STREAM.length; i++) {
    const got = feed(new SyslogFramer(), [STREAM.subarray(0, i), STREAM.subarray(i)]);
    assert.equal(got, EXPECTED, `split at ${i}`);
  }
});

test('split into three chunks at every pair of boundaries, and byte by byte', () => {
  for (let i = 0; i <= STREAM.length; i += 3) {
    for (let j = i; j <= STREAM.length; j += 5) {
      const got = feed(new SyslogFramer(), [STREAM.subarray(0, i), STREAM.subarray(i, j), STREAM.subarray(j)]);
      assert.equal(got, EXPECTED, `split at ${i}, ${j}`);
    }
  }
  const bytes = [...STREAM].map((b) => Buffer.from([b]));
  assert.equal(feed(new SyslogFramer(), bytes), EXPECTED);
});

test('frames are delivered as soon as they are complete, not at end()', () => {
  const f = new SyslogFramer();
  assert.equal(f.push(Buffer.from('<13>a\n<13>b')), [{ line: '<13>a', truncated: false }]);
  assert.is(f.buffered, 5);
  assert.equal(f.push(Buffer.from('\n')), [{ line: '<13>b', truncated: false }]);
  assert.equal(f.push(Buffer.from(octet('<13>c'))), [{ line: '<13>c', truncated: false }]);
  assert.equal(f.end(), []);
});

test('a final line without a terminator is delivered at end(); an incomplete octet frame is flagged', () => {
  assert.equal(feed(new SyslogFramer(), [Buffer.from('<13>no newline')]), [{ line: '<13>no newline', truncated: false }]);
  assert.equal(feed(new SyslogFramer(), [Buffer.from('20 <13>short')]), [{ line: '<13>short', truncated: true }]);
  assert.equal(feed(new SyslogFramer(), [Buffer.from('42')]), [{ line: '42', truncated: false }], 'digits alone are a line');
  assert.equal(feed(new SyslogFramer(), [Buffer.from('\n\r\n\0')]), [], 'blank frames are skipped');
});

test('oversized LF frame is cut at the limit, flagged, and the rest of it skipped', () => {
  const f = new SyslogFramer({ maxFrameBytes: 16 });
  const long = '<13>' + 'x'.repeat(40);
  const got = feed(f, [Buffer.from(long.slice(0, 10)), Buffer.from(long.slice(10) + '\n<13>next\n')]);
  assert.equal(got, [
    { line: long.slice(0, 16), truncated: true },
    { line: '<13>next', truncated: false },
  ]);
  // The skipped tail may span many chunks.
  const g = new SyslogFramer({ maxFrameBytes: 16 });
  const out = [...g.push(Buffer.from(long)), ...g.push(Buffer.from('y'.repeat(50))), ...g.push(Buffer.from('z\n<13>ok\n'))];
  assert.equal(out, [
    { line: long.slice(0, 16), truncated: true },
    { line: '<13>ok', truncated: false },
  ]);
});

test('oversized octet-counted frame is cut, flagged, and its remaining bytes skipped', () => {
  const big = '<13>' + 'y'.repeat(100);
  const stream = Buffer.from(octet(big) + octet('<13>after'));
  for (let i = 0; i <= stream.length; i += 7) {
    const got = feed(new SyslogFramer({ maxFrameBytes: 32 }), [stream.subarray(0, i), stream.subarray(i)]);
    assert.equal(
      got,
      [
        { line: big.slice(0, 32), truncated: true },
        { line: '<13>after', truncated: false },
      ],
      `split at ${i}`,
    );
  }
});

test('digits not followed by space and "<" are a plain line; absurd lengths are not octet counts', () => {
  assert.equal(feed(new SyslogFramer(), [Buffer.from('000123: *Mar  1 00:01:02: %LINK-3-UPDOWN: x\n')]), [
    { line: '000123: *Mar  1 00:01:02: %LINK-3-UPDOWN: x', truncated: false },
  ]);
  assert.equal(feed(new SyslogFramer(), [Buffer.from('1234567890123 <13>x\n')]), [{ line: '1234567890123 <13>x', truncated: false }]);
  assert.equal(feed(new SyslogFramer(), [Buffer.from('12 x\n')]), [{ line: '12 x', truncated: false }]);
});

test('the frame limit has a floor so a misconfiguration cannot make every line empty', () => {
  assert.is(new SyslogFramer({ maxFrameBytes: 0 }).maxFrameBytes, 16);
});

test.run();
