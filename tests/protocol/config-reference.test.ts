import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { renderConfigReference } from '../../protocol/config-reference.ts';
import { EnvSchema, loadEnv, EnvError } from '../../protocol/env.ts';
import { ConfigKeys, configDefaults, parseConfigValue } from '../../protocol/config-keys.ts';

test('docs/CONFIGURATION.md is exactly what the schemas generate (npm run docs:config)', () => {
  assert.fixture(readFileSync('docs/CONFIGURATION.md', 'utf8'), renderConfigReference());
});

test('every variable and dynamic key appears in the reference', () => {
  const doc = renderConfigReference();
  for (const name of Object.keys(EnvSchema.shape)) assert.ok(doc.includes(`\`${name}\``), name);
  for (const key of Object.keys(ConfigKeys)) assert.ok(doc.includes(`\`${key}\``), key);
});

test('a wrong environment value stops with a message naming the variable, and hides secrets', () => {
  assert.throws(
    () => loadEnv({ MUTT_HTTP_PORT: '99999' }),
    (e: Error) => e instanceof EnvError && /MUTT_HTTP_PORT/.test(e.message) && /99999/.test(e.message),
  );
  assert.throws(() => loadEnv({ MOOG_WEBHOOK_URL: 'not a url' }), /MOOG_WEBHOOK_URL/);
  const env = loadEnv({ MUTT_HTTP_PORT: '0', NATS_URL: 'nats://a:1,nats://b:2' });
  assert.is(env.MUTT_HTTP_PORT, 0);
  assert.is(env.MUTT_SYSLOG_PORT, 5514);
  assert.is(env.MUTT_TRAP_PORT, 1162);
});

test('dynamic config values are validated against their key schema', () => {
  assert.equal(parseConfigValue('moog_rate_limit', '100'), { ok: true, value: 100 });
  const bad = parseConfigValue('moog_rate_limit', -1);
  assert.ok(!bad.ok && bad.error.startsWith('moog_rate_limit'));
  const unknown = parseConfigValue('nope', 1);
  assert.ok(!unknown.ok && /unknown config key 'nope'/.test(unknown.error));
  assert.equal(parseConfigValue('moog_rate_adaptive', 'true'), { ok: true, value: true });
  assert.not.ok(parseConfigValue('moog_severity_map', [1, 2]).ok);
  assert.is(configDefaults().unhandled_threshold, 100);
});

test.run();
