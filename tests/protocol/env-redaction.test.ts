// An invalid MOOG_WEBHOOK_URL stops `mutt run forwarder` / `mutt up` with a message naming the variable, and
// never repeats a password written into the URL (v3.0-dev echoed the whole value). Driven through bin/mutt.js.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mutt } from '../cli/run-cli.ts';
import { redactUrlCredentials } from '../../protocol/redact-url.ts';

const SECRET = 'S3cretPw-4711';
const BAD_URLS = [
  `https://user:${SECRET}@`,
  `ftp://u:${SECRET}@host/x`,
  `https://ops:${SECRET}@moog.example.com/events`,
  `https://${SECRET}@moog.example.com/`,
];

for (const url of BAD_URLS) {
  for (const command of [['run', 'forwarder'], ['up']]) {
    test(`mutt ${command.join(' ')} with MOOG_WEBHOOK_URL=${url.replace(SECRET, '<secret>')}: refused, variable named, secret not shown`, async () => {
      const r = await mutt(
        command,
        { MOOG_WEBHOOK_URL: url, MOOG_API_KEY: 'k', MUTT_HTTP_PORT: '0', MUTT_SYSLOG_PORT: '0', MUTT_TRAP_PORT: '0' },
        { timeoutMs: 30_000 },
      );
      const out = r.stdout + r.stderr;
      assert.is.not(r.code, 0);
      assert.match(out, /MOOG_WEBHOOK_URL/);
      assert.not.match(out, new RegExp(SECRET), out);
    });
  }
}

test('redactUrlCredentials: user-info of any scheme replaced, the rest kept', () => {
  assert.is(redactUrlCredentials('"nats://a:b@h:4222,nats://c:d@h2"'), '"nats://***@h:4222,nats://***@h2"');
  assert.is(redactUrlCredentials('https://moog.example.com/x?a=b@c'), 'https://moog.example.com/x?a=b@c');
  assert.is(redactUrlCredentials('see mailto:ops@example.com'), 'see mailto:ops@example.com');
});

test.run();
