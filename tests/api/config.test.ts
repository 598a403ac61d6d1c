import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigKeys } from '../../protocol/config-keys.ts';
import { apiFixture, KEYS, type ApiFixture } from './fixture.ts';

const t = suite('config API');
let f: ApiFixture;

t.before(async () => {
  f = await apiFixture();
});
t.after(async () => {
  await f?.close();
});

t('list: every key with description, actor, default, value, revision and schema', async () => {
  const r = await f.call('GET', '/api/v2/config', { key: KEYS.read });
  assert.is(r.status, 200);
  assert.is(r.body.keys.length, Object.keys(ConfigKeys).length);
  const rate = r.body.keys.find((k: { key: string }) => k.key === 'moog_rate_limit');
  assert.is(rate.actor, 'forwarder');
  assert.is(rate.default, 50);
  assert.is(rate.value, 50);
  assert.is(rate.is_default, true);
  assert.is(rate.revision, null);
  assert.is(rate.schema.type, 'integer');
  assert.is(r.body.config.moog_rate_limit, 50);
});

t('set: validated and canonical, old and new value, ETag; get shows it; audit records it', async () => {
  const set = await f.call('PUT', '/api/v2/config/moog_rate_limit', { body: { value: '100', reason: 'capacity' } });
  assert.is(set.status, 200, set.text);
  assert.equal([set.body.key, set.body.old_value, set.body.new_value], ['moog_rate_limit', null, 100]);
  assert.is(set.headers.get('etag'), `"${set.body.revision}"`);
  const again = await f.call('PUT', '/api/v2/config/moog_rate_limit', { body: { value: 120 } });
  assert.is(again.body.old_value, 100);
  const got = await f.call('GET', '/api/v2/config/moog_rate_limit', { key: KEYS.read });
  assert.is(got.body.value, 120);
  assert.is(got.body.is_default, false);
  assert.match(got.body.updated_at, /Z$/);
  assert.is(got.headers.get('etag'), `"${again.body.revision}"`);
  const audit = await f.call('GET', '/api/v2/audit/config?kind=config&id=moog_rate_limit&order=asc');
  assert.equal(
    audit.body.items.map((i: { operation: string }) => i.operation),
    ['create', 'update'],
  );
  assert.equal(audit.body.items[1].old_value, { key: 'moog_rate_limit', value: 100 });
  assert.equal(audit.body.items[1].new_value, { key: 'moog_rate_limit', value: 120 });
  assert.is(audit.body.items[0].reason, 'capacity');
});

t('bad values and unknown keys are 400s naming the constraint', async () => {
  const range = await f.call('PUT', '/api/v2/config/moog_rate_limit', { body: { value: 0 } });
  assert.is(range.status, 400);
  assert.match(range.body.error, /moog_rate_limit/);
  assert.is(range.body.issues[0].path, 'value');
  const type = await f.call('PUT', '/api/v2/config/moog_severity_map', { body: { value: [1, 2, 3] } });
  assert.is(type.status, 400);
  const unknown = await f.call('PUT', '/api/v2/config/history', { body: { value: 1 } });
  assert.is(unknown.status, 400, 'v2.5 created a key named history');
  assert.match(unknown.body.error, /unknown config key 'history'/);
  const missing = await f.call('PUT', '/api/v2/config/moog_rate_limit', { body: { reason: 'no value' } });
  assert.is(missing.status, 400);
  assert.is(missing.body.issues[0].path, 'value');
  assert.match(missing.body.issues[0].message, /Missing 'value'/);
  assert.is((await f.call('GET', '/api/v2/config/nope')).status, 404);
  assert.is((await f.call('DELETE', '/api/v2/config/nope')).status, 404);
  assert.is((await f.call('GET', '/api/v2/config/nope/history')).status, 404);
});

t('If-Match on set: 0 means "expected unset"; stale revision is 412', async () => {
  const first = await f.call('PUT', '/api/v2/config/moog_manager', { body: { value: 'MUTT-A' }, headers: { 'If-Match': '0' } });
  assert.is(first.status, 200, first.text);
  const conflict = await f.call('PUT', '/api/v2/config/moog_manager', { body: { value: 'MUTT-B' }, headers: { 'If-Match': '0' } });
  assert.is(conflict.status, 412);
  const ok = await f.call('PUT', '/api/v2/config/moog_manager', {
    body: { value: 'MUTT-B' },
    headers: { 'If-Match': first.headers.get('etag')! },
  });
  assert.is(ok.status, 200);
});

t('reset: back to the default, audited; history lists the versions newest first', async () => {
  await f.call('PUT', '/api/v2/config/unhandled_threshold', { body: { value: 10 } });
  await f.call('PUT', '/api/v2/config/unhandled_threshold', { body: { value: 20 } });
  const reset = await f.call('DELETE', '/api/v2/config/unhandled_threshold', { body: { reason: 'back to normal' } });
  assert.is(reset.status, 200, reset.text);
  assert.equal([reset.body.old_value, reset.body.new_value], [20, 100]);
  const got = await f.call('GET', '/api/v2/config/unhandled_threshold');
  assert.is(got.body.value, 100);
  assert.is(got.body.revision, null);
  const history = await f.call('GET', '/api/v2/config/unhandled_threshold/history', { key: KEYS.read });
  assert.equal(
    history.body.history.map((h: { operation: string; value?: number }) => [h.operation, h.value]),
    [
      ['DEL', undefined],
      ['PUT', 20],
      ['PUT', 10],
    ],
  );
  const audit = await f.call('GET', '/api/v2/audit/config?kind=config&id=unhandled_threshold');
  assert.is(audit.body.items[0].operation, 'reset');
  assert.is(audit.body.items[0].reason, 'back to normal');
  const resetUnset = await f.call('DELETE', '/api/v2/config/unhandled_threshold');
  assert.is(resetUnset.status, 200, 'resetting an unset key is harmless');
});

t('a stored value that fails its schema is shown with the error and the default in effect', async () => {
  const kv = await import('@nats-io/kv').then(({ Kvm }) => new Kvm(f.nc).open('mutt_config'));
  await kv.put('moog_timeout_ms', JSON.stringify(-5));
  const got = await f.call('GET', '/api/v2/config/moog_timeout_ms');
  assert.is(got.body.value, 10_000);
  assert.match(got.body.stored_error, /moog_timeout_ms/);
});

t.run();
