import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  breakerOutcome,
  classifyOutcome,
  DeliveryError,
  parseRetryAfter,
  toDeliveryError,
  toHandlerError,
  MAX_RETRY_AFTER_MS,
} from '../../actors/forwarder/classify.ts';
import { excerpt, scrubSecrets } from '../../actors/forwarder/scrub.ts';
import { PermanentError, RetryableError } from '../../actors/runtime/errors.ts';
import { configDefaults } from '../../protocol/config-keys.ts';

const cfg = { retryStatuses: configDefaults().moog_retry_statuses };
const NOW = Date.parse('2025-01-01T00:00:00Z');
const withCode = (code: string, message = code.toLowerCase()) => Object.assign(new Error(message), { code });

test('every 2xx is success, including 202 and 204 (v2.5 dead-lettered them)', () => {
  for (const status of [200, 201, 202, 204]) assert.equal(classifyOutcome({ status }, cfg), { kind: 'success' }, `${status}`);
});

test('other 4xx are permanent rejections with a bounded excerpt', () => {
  for (const status of [400, 401, 403, 404, 413, 422]) {
    const c = classifyOutcome({ status, bodyExcerpt: `problem ${status}` }, cfg);
    assert.equal(c, { kind: 'permanent', reason: 'rejected', status, excerpt: `problem ${status}` });
  }
  const long = classifyOutcome({ status: 400, bodyExcerpt: 'x'.repeat(5000) }, cfg);
  assert.ok(long.kind === 'permanent' && long.excerpt.length <= 500 && long.excerpt.endsWith('...'));
  const none = classifyOutcome({ status: 400 }, cfg);
  assert.ok(none.kind === 'permanent' && none.excerpt === '');
});

test('redirects are permanent (a moved endpoint is a configuration error)', () => {
  assert.is(classifyOutcome({ status: 301 }, cfg).kind, 'permanent');
});

test('configured statuses (408, 425, 429) and every 5xx are retried', () => {
  for (const status of [408, 425, 429, 500, 502, 503, 504, 507, 599]) {
    const c = classifyOutcome({ status }, cfg);
    assert.equal(c, { kind: 'retry', reason: 'status', status, detail: `HTTP ${status}` }, `${status}`);
  }
  assert.is(classifyOutcome({ status: 429 }, { retryStatuses: [] }).kind, 'permanent', 'the list decides for 4xx');
  assert.is(classifyOutcome({ status: 401 }, { retryStatuses: [401] }).kind, 'retry', 'an operator may retry 401 during key rotation');
  assert.is(classifyOutcome({ status: 500 }, { retryStatuses: [] }).kind, 'retry', '5xx always');
});

test('429 with Retry-After in seconds and as an HTTP date', () => {
  const secs = classifyOutcome({ status: 429, headers: { 'Retry-After': '7' } }, cfg, NOW);
  assert.ok(secs.kind === 'retry' && secs.retryAfterMs === 7000);
  const date = new Date(NOW + 90_000).toUTCString();
  const dated = classifyOutcome({ status: 429, headers: new Headers({ 'retry-after': date }) }, cfg, NOW);
  assert.ok(dated.kind === 'retry' && dated.retryAfterMs === 90_000);
  const arr = classifyOutcome({ status: 503, headers: { 'retry-after': ['2', '9'] } }, cfg, NOW);
  assert.ok(arr.kind === 'retry' && arr.retryAfterMs === 2000);
  const none = classifyOutcome({ status: 503, headers: {} }, cfg, NOW);
  assert.ok(none.kind === 'retry' && !('retryAfterMs' in none));
});

test('Retry-After parsing: past dates, garbage, huge values', () => {
  assert.is(parseRetryAfter(new Date(NOW - 5000).toUTCString(), NOW), 0);
  assert.is(parseRetryAfter('soon', NOW), undefined);
  assert.is(parseRetryAfter('  ', NOW), undefined);
  assert.is(parseRetryAfter(undefined, NOW), undefined);
  assert.is(parseRetryAfter('1.5', NOW), 1500);
  assert.is(parseRetryAfter('999999999', NOW), MAX_RETRY_AFTER_MS);
});

test('timeouts and connection failures are retryable with their cause', () => {
  assert.equal(classifyOutcome({ error: new DeliveryError('timeout', 'no complete response within 50 ms') }, cfg), {
    kind: 'retry',
    reason: 'timeout',
    detail: 'no complete response within 50 ms',
  });
  assert.equal(classifyOutcome({ error: new DeliveryError('transport', 'ECONNREFUSED: connect') }, cfg), {
    kind: 'retry',
    reason: 'transport',
    detail: 'ECONNREFUSED: connect',
  });
  assert.equal(classifyOutcome({ error: withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1') }, cfg), {
    kind: 'retry',
    reason: 'transport',
    detail: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1',
  });
  assert.equal(classifyOutcome({ error: withCode('ECONNRESET', 'socket hang up') }, cfg), {
    kind: 'retry',
    reason: 'transport',
    detail: 'ECONNRESET: socket hang up',
  });
  assert.is((classifyOutcome({ error: withCode('ETIMEDOUT') }, cfg) as { reason: string }).reason, 'timeout');
  const abortTimeout = new Error('signal timed out');
  abortTimeout.name = 'TimeoutError';
  assert.is((classifyOutcome({ error: abortTimeout }, cfg) as { reason: string }).reason, 'timeout');
  assert.equal(classifyOutcome({ error: new Error('weird') }, cfg), { kind: 'retry', reason: 'transport', detail: 'weird' });
  assert.equal(classifyOutcome({}, cfg), { kind: 'retry', reason: 'transport', detail: 'no response' });
  // A permanent DeliveryError passed back in is still just an error without a status: retry, do not lose it.
  assert.is(classifyOutcome({ error: new DeliveryError('rejected', 'x') }, cfg).kind, 'retry');
});

test('excerpts never carry the credential', () => {
  const key = 'k3y-abcdef-123456';
  const body = `{"error":"invalid token","echo":{"authorization":"Bearer ${key}","apiKey":"${key}"},"note":"password=hunter22 ok"}`;
  const c = classifyOutcome({ status: 401, bodyExcerpt: body }, { ...cfg, secrets: [key] });
  assert.ok(c.kind === 'permanent');
  if (c.kind !== 'permanent') return;
  assert.not.ok(c.excerpt.includes(key));
  assert.not.ok(c.excerpt.includes('hunter22'));
  assert.ok(c.excerpt.includes('invalid token'), 'the useful part stays');
  // Without knowing the key, credential-shaped text is still removed.
  assert.not.ok(scrubSecrets(`Authorization: Basic ${Buffer.from('u:' + key).toString('base64')}`).includes('dTo'));
  assert.is(scrubSecrets('api_key=abc123&x=1'), 'api_key=[redacted]&x=1');
  assert.is(scrubSecrets('short ab', ['ab']), 'short ab', 'tiny secrets are not shredded through text');
  assert.is(excerpt('a\n  b\tc'), 'a b c');
});

test('toDeliveryError and toHandlerError carry reason, status and Retry-After', () => {
  const rejected = toDeliveryError({ kind: 'permanent', reason: 'rejected', status: 400, excerpt: 'bad field' });
  assert.instance(rejected, DeliveryError);
  assert.is(rejected.name, 'DeliveryError');
  assert.is(rejected.retryable, false);
  assert.is(rejected.status, 400);
  const p = toHandlerError(rejected);
  assert.instance(p, PermanentError);
  assert.is((p as PermanentError).reason, 'rejected');
  assert.is((p as PermanentError).excerpt, 'bad field');

  const limited = toDeliveryError({ kind: 'retry', reason: 'status', status: 429, retryAfterMs: 5000, detail: 'HTTP 429' });
  assert.is(limited.retryable, true);
  const r = toHandlerError(limited);
  assert.instance(r, RetryableError);
  assert.is((r as RetryableError).reason, 'rate_limited');
  assert.is((r as RetryableError).retryAfterMs, 5000);

  const t = toHandlerError(toDeliveryError({ kind: 'retry', reason: 'timeout', detail: 'slow' }));
  assert.is((t as RetryableError).reason, 'timeout');
  const s = toHandlerError(toDeliveryError({ kind: 'retry', reason: 'status', status: 503, detail: 'HTTP 503' }));
  assert.is((s as RetryableError).reason, 'status');
  const forced = toHandlerError(new DeliveryError('rejected', 'retry me', { retryable: true }));
  assert.is((forced as RetryableError).reason, 'status');
});

test('only retryable failures count against the breaker', () => {
  assert.is(breakerOutcome(classifyOutcome({ status: 204 }, cfg)), 'ok');
  assert.is(breakerOutcome(classifyOutcome({ status: 503 }, cfg)), 'fail');
  assert.is(breakerOutcome(classifyOutcome({ error: withCode('ECONNREFUSED') }, cfg)), 'fail');
  assert.is(breakerOutcome(classifyOutcome({ status: 400 }, cfg)), null);
});

// Edges mutation testing showed untested: the 2xx/3xx boundary, each timeout code, a transport DeliveryError,
// header lookup on a plain object, and Retry-After texts that are not delta-seconds.
test('the success range ends at 299; 300 is a redirect', () => {
  assert.is(classifyOutcome({ status: 299 }, cfg).kind, 'success');
  assert.is(classifyOutcome({ status: 300 }, cfg).kind, 'permanent');
  assert.is(classifyOutcome({ status: 199 }, cfg).kind, 'permanent');
});

test('every socket/undici timeout code is a timeout; a transport DeliveryError stays transport', () => {
  for (const code of [
    'ETIMEDOUT',
    'ESOCKETTIMEDOUT',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
    'ABORT_ERR_TIMEOUT',
  ]) {
    const c = classifyOutcome({ error: withCode(code) }, cfg);
    assert.equal(c, { kind: 'retry', reason: 'timeout', detail: `${code}: ${code.toLowerCase()}` }, code);
  }
  assert.is((classifyOutcome({ error: withCode('') }, cfg) as { reason: string }).reason, 'transport', 'an empty code is no timeout code');
  const t = classifyOutcome({ error: new DeliveryError('transport', 'socket hang up') }, cfg);
  assert.equal(t, { kind: 'retry', reason: 'transport', detail: 'socket hang up' });
  const e = toDeliveryError({ kind: 'retry', reason: 'status', status: 503, detail: 'HTTP 503' });
  assert.is(e.message, 'Moogsoft delivery failed: HTTP 503');
  assert.is(
    toDeliveryError({ kind: 'permanent', reason: 'rejected', status: 400, excerpt: '' }).message,
    'Moogsoft rejected the alert: HTTP 400',
  );
});

test('Retry-After: found in any header case on a plain object; delta-seconds only when wholly numeric', () => {
  const c = classifyOutcome({ status: 503, headers: { 'Content-Type': 'text/plain', 'RETRY-AFTER': ['7', '9'] } }, cfg);
  assert.is((c as { retryAfterMs?: number }).retryAfterMs, 7000);
  const none = classifyOutcome({ status: 503, headers: { 'content-type': 'text/plain' } }, cfg);
  assert.is((none as { retryAfterMs?: number }).retryAfterMs, undefined);
  assert.is(parseRetryAfter(' 2 ', NOW), 2000);
  assert.is(parseRetryAfter('1.25', NOW), 1250);
  assert.is(parseRetryAfter('   ', NOW), undefined);
  assert.is(parseRetryAfter('12abc', NOW), undefined, 'trailing garbage is neither seconds nor a date');
  assert.is(parseRetryAfter('x12', NOW), undefined);
});

test.run();
