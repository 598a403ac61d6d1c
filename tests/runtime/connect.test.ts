// NATS credentials from the environment: the password from NATS_PASS_FILE (a mounted secret, a systemd
// credential) against a real nats-server that requires user and password.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { connectionOptions, connectNats, inboxPrefixOf, natsPassword } from '../../actors/runtime/connect.ts';
import { EnvError, loadEnv } from '../../protocol/env.ts';

const PASSWORD = 'pass word with spaces #1';
let nats: TestNats;
const dir = mkdtempSync(join(tmpdir(), 'mutt-connect-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};

test.before(async () => {
  nats = await startNats({ args: ['--user', 'mutt', '--pass', PASSWORD] });
});
test.after(async () => {
  await nats?.stop();
});

test('NATS_PASS_FILE: the file wins over NATS_PASS, line breaks at the end (LF, CRLF, several) are dropped, spaces kept', () => {
  assert.is(natsPassword({ NATS_PASS_FILE: file('p1', `${PASSWORD}\n`), NATS_PASS: 'ignored' }), PASSWORD);
  assert.is(natsPassword({ NATS_PASS_FILE: file('p2', `${PASSWORD}\r\n`) }), PASSWORD);
  assert.is(natsPassword({ NATS_PASS_FILE: file('p4', `${PASSWORD}\n\n`) }), PASSWORD);
  assert.is(natsPassword({ NATS_PASS_FILE: file('p3', ` ${PASSWORD} `) }), ` ${PASSWORD} `);
  assert.is(natsPassword({ NATS_PASS: 'from-env' }), 'from-env');
  assert.is(natsPassword({}), undefined);
});

test("the inbox prefix is the user's: NATS_USER, else the creds JWT's name; none without a user", async () => {
  assert.is(connectionOptions({ NATS_USER: 'alerter', NATS_PASS: 'x' }, 't').inboxPrefix, '_INBOX_alerter');
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const creds = file(
    'u.creds',
    `-----BEGIN NATS USER JWT-----\n${b64({ alg: 'ed25519-nkey' })}.${b64({ name: 'mutt alerter.1', sub: 'UABC' })}.sig\n------END NATS USER JWT------\n`,
  );
  assert.is(
    connectionOptions({ NATS_CREDS: creds }, 't').inboxPrefix,
    '_INBOX_mutt_alerter_1',
    'characters outside a subject token become _',
  );
  assert.is(connectionOptions({}, 't').inboxPrefix, undefined, "an open dev server keeps nats.js's _INBOX");
  const nc = await connectNats(loadEnv({ NATS_URL: nats.url, NATS_USER: 'mutt', NATS_PASS: PASSWORD }), 'connect-test');
  try {
    assert.is(inboxPrefixOf(nc), '_INBOX_mutt', 'the connection carries it (the hot-path publisher reads it)');
    let replyTo = '';
    nc.subscribe('echo.probe', {
      max: 1,
      callback: (_e, m) => {
        replyTo = m.reply ?? '';
        m.respond('ok');
      },
    });
    await nc.flush();
    const answer = await nc.request('echo.probe', 'x', { timeout: 2000 });
    assert.is(answer.string(), 'ok');
    assert.match(replyTo, /^_INBOX_mutt\./, "a request's reply subject is under the prefix");
  } finally {
    await nc.close();
  }
});

test('NATS_PASS_FILE that cannot be used: an EnvError naming the variable and the path, never the content', () => {
  const missing = join(dir, 'nope');
  const empty = file('empty', '\n');
  for (const [path, why] of [
    [missing, /cannot read .*nope \(ENOENT\)/],
    [empty, /is empty/],
  ] as const) {
    try {
      natsPassword({ NATS_PASS_FILE: path });
      assert.unreachable();
    } catch (err) {
      assert.instance(err, EnvError);
      assert.match((err as Error).message, /^NATS_PASS_FILE: /);
      assert.match((err as Error).message, why);
    }
  }
});

test('a real server accepts the password from the file and refuses a wrong one', async () => {
  const nc = await connectNats(
    loadEnv({ NATS_URL: nats.url, NATS_USER: 'mutt', NATS_PASS_FILE: file('right', `${PASSWORD}\n`) }),
    'connect-test',
  );
  assert.ok((await nc.rtt()) >= 0);
  await nc.close();
  try {
    const bad = await connectNats(
      loadEnv({ NATS_URL: nats.url, NATS_USER: 'mutt', NATS_PASS_FILE: file('wrong', 'not it\n') }),
      'connect-test',
    );
    await bad.close();
    assert.unreachable('a wrong password must be refused');
  } catch (err) {
    assert.match(String((err as Error).message), /authorization|auth/i);
  }
});

test.run();
