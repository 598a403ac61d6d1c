// `mutt keys` against a real nats-server: add prints the secret once, on stdout only; the gateway's key store
// (following KV mutt_keys) accepts it at once and refuses it after revoke; ls and the config audit never show a
// secret or hash; a v2.5 sender's secret can be kept with --secret-stdin.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { readStream } from '../helpers/streams.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { openApiKeyStore, type ApiKeyStore } from '../../gateway/auth/store.ts';
import { loadEnv } from '../../protocol/env.ts';
import { ConfigAuditRecord } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { mutt } from './run-cli.ts';

const t = suite('mutt keys');
let nats: TestNats;
let nc: NatsConnection;
let store: ApiKeyStore;
let env: Record<string, string>;
let secret = '';

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  await provision(nc, loadEnv({ MUTT_STORAGE: 'memory' }));
  store = await openApiKeyStore(nc, {}, { log: pino({ level: 'silent' }), allowEmpty: true });
  env = { NATS_URL: nats.url };
});

t.after(async () => {
  await store.close();
  await nc.close();
  await nats.stop();
});

t('add: the secret alone on stdout, once; a gateway key store accepts it with its scopes', async () => {
  const r = await mutt(['keys', 'add', 'rsyslog-dc2', '--scopes', 'ingest+read', '--reason', 'new DC'], env);
  assert.is(r.code, 0, r.stderr);
  secret = r.stdout.trim();
  assert.match(secret, /^[A-Za-z0-9_-]{40,}$/);
  assert.is(r.stdout, `${secret}\n`, 'stdout holds only the secret');
  assert.match(
    r.stderr,
    /API key 'rsyslog-dc2' \(ingest\+read\) added, id [0-9a-f]+\. The secret follows on stdout; it is shown this once/,
  );
  assert.not.ok(r.stderr.includes(secret));
  await waitFor(() => store.verify(secret) !== null, 2000, 'the store to accept the new key');
  assert.equal(store.verify(secret), { name: 'rsyslog-dc2', scopes: ['ingest', 'read'] });
});

t('ls shows names, scopes and who added them, never a secret or hash', async () => {
  const r = await mutt(['keys', 'ls'], env);
  assert.is(r.code, 0);
  assert.match(r.stdout, /^NAME +ID +SCOPES +CREATED +BY +STATUS\nrsyslog-dc2 +[0-9a-f]+ +ingest\+read +\S+ +cli:\S+ +active$/m);
  const json = await mutt(['keys', 'ls', '--json'], env);
  const page = JSON.parse(json.stdout) as { items: Record<string, unknown>[]; total: number; next_cursor: null };
  assert.equal([page.total, page.next_cursor], [1, null]);
  assert.equal(Object.keys(page.items[0]).sort(), ['created_at', 'created_by', 'id', 'name', 'revoked_at', 'revoked_by', 'scopes']);
  assert.match(String(page.items[0].created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.not.ok(json.stdout.includes(secret));
  assert.not.match(json.stdout, /hash|salt/);
});

t('--secret-stdin keeps an existing secret; bad names, scopes and secrets are usage errors', async () => {
  const legacy = 'v25-rsyslog-key-0123456789';
  const r = await mutt(['keys', 'add', 'legacy-rsyslog', '--scopes', 'ingest', '--secret-stdin'], env, { input: `${legacy}\n` });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '');
  await waitFor(() => store.verify(legacy) !== null, 2000, 'the store to accept the kept secret');
  const [name, scopes, none, short] = await Promise.all([
    mutt(['keys', 'add', 'bad name', '--scopes', 'ingest'], env),
    mutt(['keys', 'add', 'x', '--scopes', 'ingest+root'], env),
    mutt(['keys', 'add', 'x'], env),
    mutt(['keys', 'add', 'x', '--scopes', 'ingest', '--secret-stdin'], env, { input: 'short\n' }),
  ]);
  for (const x of [name, scopes, none, short]) assert.is(x.code, 2, x.stderr);
  assert.match(name.stderr, /<name> must be 1-64 of A-Z a-z 0-9 _ -/);
  assert.match(scopes.stderr, /--scopes: unknown scope 'root'/);
  assert.match(none.stderr, /--scopes is required/);
  assert.match(
    short.stderr,
    /--secret-stdin: key 'x': secret is too weak \(5 characters, 1 character class, 5 different\): it needs at least 20 characters/,
  );
});

t('revoke: every secret of the name stops working; revoking again is exit 1; the audit has no secret', async () => {
  const r = await mutt(['keys', 'revoke', 'rsyslog-dc2', '--reason', 'INC-981'], env);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /revoked 1 secret\(s\) of 'rsyslog-dc2'/);
  await waitFor(() => store.verify(secret) === null, 2000, 'the store to refuse the revoked key');
  const again = await mutt(['keys', 'revoke', 'rsyslog-dc2'], env);
  assert.is(again.code, 1);
  assert.match(again.stderr, /no active key named 'rsyslog-dc2'/);
  const ls = await mutt(['keys', 'ls'], env);
  assert.not.match(ls.stdout, /rsyslog-dc2/);
  assert.match((await mutt(['keys', 'ls', '--all'], env)).stdout, /rsyslog-dc2 .* revoked \S+ ago by cli:/);
  const audit = await readStream(nc, StreamName.auditConfig, ConfigAuditRecord, 'mutt.audit.config.key.>');
  assert.equal(
    audit.map((a) => [a.value.id, a.value.operation]),
    [
      ['rsyslog-dc2', 'create'],
      ['legacy-rsyslog', 'create'],
      ['rsyslog-dc2', 'delete'],
    ],
  );
  const text = JSON.stringify(audit.map((a) => a.value));
  assert.not.ok(text.includes(secret));
  assert.not.ok(text.includes('v25-rsyslog-key-0123456789'));
});

t('add with a name that has an active secret is refused (exit 1) unless --rotate; then both secrets work', async () => {
  const first = await mutt(['keys', 'add', 'grafana', '--scopes', 'read'], env);
  assert.is(first.code, 0, first.stderr);
  const again = await mutt(['keys', 'add', 'grafana', '--scopes', 'read'], env);
  assert.is(again.code, 1);
  assert.match(again.stderr, /a key named 'grafana' exists \(id [0-9a-f]+\): --rotate adds a second secret to it/);
  assert.is(again.stdout, '', 'no secret printed for a refused add');
  const rotated = await mutt(['keys', 'add', 'grafana', '--scopes', 'read', '--rotate'], env);
  assert.is(rotated.code, 0, rotated.stderr);
  assert.match(rotated.stderr, /'grafana' now has 2 valid secrets; the older: id [0-9a-f]+/);
  const [oldSecret, newSecret] = [first.stdout.trim(), rotated.stdout.trim()];
  assert.is.not(oldSecret, newSecret);
  await waitFor(() => store.verify(newSecret) !== null, 2000, 'the rotated secret to be accepted');
  assert.ok(store.verify(oldSecret) !== null, 'the old secret still works until revoked');
  const ls = JSON.parse((await mutt(['keys', 'ls', '--json'], env)).stdout) as { items: { name: string }[] };
  assert.is(ls.items.filter((k) => k.name === 'grafana').length, 2);
});

t.run();
