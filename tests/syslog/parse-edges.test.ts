// What senders leave around a line (mutation testing showed these untested): leading blanks of every kind —
// space, tab, NUL, CR, LF, a byte-order mark — and trailing terminators — LF, CRLF, CR, NUL — change nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSyslog, type SyslogContext } from '../../actors/syslog/parse.ts';

const ctx: SyslogContext = { receivedAt: Date.parse('2024-03-02T00:00:00Z'), address: '192.0.2.1', input: 'syslog-tcp' };
const LINE = '<13>Mar  1 12:00:00 sw1 app[7]: LINK-DOWN Gi0/1';
const essentials = (line: string) => {
  const e = parseSyslog(line, ctx);
  return { parse: e.parse, host: e.host, severity: e.severity, appName: e.appName, message: e.message };
};
const expected = essentials(LINE);

test('the reference line parses as RFC 3164', () => {
  assert.equal(expected, { parse: 'rfc3164', host: 'sw1', severity: 5, appName: 'app', message: 'LINK-DOWN Gi0/1' });
});

test('leading blanks of each kind are skipped', () => {
  for (const lead of [' ', '\t', '\0', '\r', '\n', '\uFEFF', ' \t\0\uFEFF'])
    assert.equal(essentials(lead + LINE), expected, JSON.stringify(lead));
});

test('trailing line terminators of each kind are dropped, the text before them is kept', () => {
  for (const end of ['\n', '\r\n', '\r', '\0', '\n\0', '\r\n\r\n']) assert.equal(essentials(LINE + end), expected, JSON.stringify(end));
  assert.ok(essentials(LINE + ' x').message.endsWith(' x'));
});

test.run();
