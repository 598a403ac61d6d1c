import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { authHeader, credentialSource, CredentialError, loadMoogCredential, Secret } from '../../actors/forwarder/credentials.ts';

const dir = mkdtempSync(join(tmpdir(), 'mutt-cred-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

test('the file wins over the variable, and is trimmed', () => {
  const p = file('key', '  from-file-key\n');
  assert.is(loadMoogCredential({ MOOG_API_KEY: 'from-env', MOOG_API_KEY_FILE: p }).reveal(), 'from-file-key');
  assert.is(loadMoogCredential({ MOOG_API_KEY: '  from-env \n' }).reveal(), 'from-env');
});

test('missing, empty and unreadable credentials fail with a reason, never echoing a value', () => {
  const cases: [Parameters<typeof loadMoogCredential>[0], string][] = [
    [{}, 'missing'],
    [{ MOOG_API_KEY: '   ' }, 'empty'],
    [{ MOOG_API_KEY_FILE: file('blank', '\n \n') }, 'empty'],
    [{ MOOG_API_KEY_FILE: join(dir, 'nope'), MOOG_API_KEY: 'fallback-not-used' }, 'unreadable'],
  ];
  for (const [env, reason] of cases) {
    try {
      loadMoogCredential(env);
      assert.unreachable(`${reason} should throw`);
    } catch (err) {
      assert.instance(err, CredentialError);
      assert.is((err as CredentialError).reason, reason);
      assert.is((err as Error).name, 'CredentialError');
      assert.not.ok((err as Error).message.includes('fallback-not-used'));
    }
  }
  const err = (() => {
    try {
      loadMoogCredential({ MOOG_API_KEY_FILE: join(dir, 'nope') });
    } catch (e) {
      return e as Error;
    }
  })()!;
  assert.match(err.message, /MOOG_API_KEY_FILE .*nope.*ENOENT/);
});

test('a Secret never prints its value', () => {
  const s = new Secret('hunter2-topsecret');
  assert.is(String(s), '[redacted]');
  assert.is(`${s}`, '[redacted]');
  assert.is(JSON.stringify({ key: s }), '{"key":"[redacted]"}');
  assert.not.ok(inspect({ s }).includes('hunter2'));
  assert.is(s.reveal(), 'hunter2-topsecret');
});

test('auth header forms', () => {
  assert.equal(authHeader('bearer', new Secret('k1')), ['authorization', 'Bearer k1']);
  assert.equal(authHeader('apikey', new Secret('k1')), ['apikey', 'k1']);
  assert.equal(authHeader('basic', new Secret('user:pa:ss')), ['authorization', `Basic ${Buffer.from('user:pa:ss').toString('base64')}`]);
  try {
    authHeader('basic', new Secret('no-colon-secret'));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, CredentialError);
    assert.is((err as CredentialError).reason, 'malformed');
    assert.not.ok((err as Error).message.includes('no-colon-secret'));
  }
});

test('a file-backed source follows key rotation, keeping the last good key on a bad write', () => {
  const p = file('rotating', 'key-one');
  let now = 0;
  const src = credentialSource({ MOOG_API_KEY_FILE: p }, { checkEveryMs: 1000, now: () => now });
  assert.is(src.current().reveal(), 'key-one');
  writeFileSync(p, 'key-two\n');
  utimesSync(p, new Date(), new Date(Date.now() + 5000));
  now = 500;
  assert.is(src.current().reveal(), 'key-one', 'not re-checked before the interval');
  now = 1500;
  assert.is(src.current().reveal(), 'key-two');
  writeFileSync(p, '');
  utimesSync(p, new Date(), new Date(Date.now() + 10_000));
  now = 3000;
  assert.is(src.current().reveal(), 'key-two', 'an empty file mid-rotation does not blank the key');
  rmSync(p);
  now = 5000;
  assert.is(src.current().reveal(), 'key-two', 'a removed file neither');
  const envOnly = credentialSource({ MOOG_API_KEY: 'env-key' });
  assert.is(envOnly.current().reveal(), 'env-key');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
