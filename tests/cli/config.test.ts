// `mutt config` and `mutt status` against a real nats-server: values are validated with the key's schema (exit 2
// naming the constraint), written through the config service, audited as cli:<os user> or --as, and seen by a
// running process's live config view without restart; status without any MUTT process exits 1.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { userInfo } from 'node:os';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { readStream } from '../helpers/streams.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { ConfigView } from '../../actors/runtime/config-view.ts';
import { loadEnv } from '../../protocol/env.ts';
import { ConfigAuditRecord } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { mutt } from './run-cli.ts';

const t = suite('mutt config');
let nats: TestNats;
let nc: NatsConnection;
let env: Record<string, string>;

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  await provision(nc, loadEnv({ MUTT_STORAGE: 'memory' }));
  env = { NATS_URL: nats.url };
});

t.after(async () => {
  await nc.close();
  await nats.stop();
});

t('set: a running process sees the new value without restart; the audit names cli:<user> and the reason', async () => {
  const view = await ConfigView.open(nc, pino({ level: 'silent' }));
  try {
    assert.is(view.get().moog_rate_limit, 50);
    const r = await mutt(['config', 'set', 'moog_rate_limit', '200', '--reason', 'CHG-1234'], env);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /moog_rate_limit: \(default 50\) -> 200/);
    await waitFor(() => view.get().moog_rate_limit === 200, 2000, 'live config view to see 200');
  } finally {
    view.stop();
  }
  const audit = await readStream(nc, StreamName.auditConfig, ConfigAuditRecord, 'mutt.audit.config.config.>');
  const last = audit[audit.length - 1].value;
  assert.is(last.actor, `cli:${userInfo().username}`);
  assert.is(last.operation, 'create');
  assert.is(last.reason, 'CHG-1234');
  assert.equal(last.newValue, { key: 'moog_rate_limit', value: 200 });
});

t('bad values and keys are usage errors (exit 2) naming the constraint; nothing is written', async () => {
  const [tooSmall, notNumber, badList, unknown, missing, flag, sub] = await Promise.all([
    mutt(['config', 'set', 'moog_rate_limit', '0'], env),
    mutt(['config', 'set', 'breaker_failure_rate', 'lots'], env),
    mutt(['config', 'set', 'moog_retry_statuses', '[429, 99]'], env),
    mutt(['config', 'get', 'moog_rate'], env),
    mutt(['config', 'set', 'moog_rate_limit'], env),
    mutt(['config', 'ls', '--verbose'], env),
    mutt(['config', 'lst'], env),
  ]);
  for (const r of [tooSmall, notNumber, badList, unknown, missing, flag, sub]) assert.is(r.code, 2, r.stderr);
  assert.match(tooSmall.stderr, /mutt config: moog_rate_limit: Too small: expected number to be >=1 \(got 0\)/);
  assert.match(notNumber.stderr, /breaker_failure_rate: .*expected number/);
  assert.match(badList.stderr, /moog_retry_statuses\.1: Too small: expected number to be >=100/);
  assert.match(unknown.stderr, /unknown config key 'moog_rate'/);
  assert.match(missing.stderr, /missing <value>/);
  assert.match(flag.stderr, /unknown flag --verbose/);
  assert.match(sub.stderr, /unknown sub-command 'lst' \(did you mean 'ls'\?\) \(known: ls, get, set, reset, history\)/);
  const get = await mutt(['config', 'get', 'moog_rate_limit', '--json'], env);
  assert.is(JSON.parse(get.stdout).value, 200, 'still the value set before');
});

t('ls, get, reset and history (with --as), as text and JSON', async () => {
  const set = await mutt(['config', 'set', 'moog_retry_statuses', '[429,503]', '--as', 'change-bot'], env);
  assert.is(set.code, 0, set.stderr);
  const ls = await mutt(['config', 'ls', '--json'], env);
  const listed = JSON.parse(ls.stdout) as {
    items: { key: string; value: unknown; is_default: boolean; updated_at: string | null }[];
    total: number;
    next_cursor: null;
  };
  const entries = listed.items;
  assert.is(listed.total, entries.length);
  assert.is(listed.next_cursor, null);
  assert.match(
    entries.find((e) => e.key === 'moog_retry_statuses')!.updated_at!,
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
    'times are ISO 8601 UTC',
  );
  assert.equal(entries.find((e) => e.key === 'moog_retry_statuses')!.value, [429, 503]);
  assert.is(entries.find((e) => e.key === 'moog_manager')!.is_default, true);
  const text = await mutt(['config', 'ls'], env);
  assert.match(text.stdout, /^KEY +VALUE +DEFAULT +SET +ACTOR/);
  assert.match(text.stdout, /moog_rate_limit +200 +50 +\d+\S* ago +forwarder/);
  const get = await mutt(['config', 'get', 'moog_retry_statuses'], env);
  assert.match(get.stdout, /^moog_retry_statuses = \[429,503\] +\(default \[408,425,429,500,502,503,504\]; revision \d+/);
  const reset = await mutt(['config', 'reset', 'moog_rate_limit', '--reason', 'back'], env);
  assert.is(reset.code, 0, reset.stderr);
  assert.match(reset.stdout, /moog_rate_limit: 200 -> default 50/);
  const again = await mutt(['config', 'reset', 'moog_rate_limit'], env);
  assert.match(again.stdout, /was not set; it is at its default 50/);
  const history = await mutt(['config', 'history', 'moog_rate_limit'], env);
  assert.is(history.code, 0);
  const lines = history.stdout.trim().split('\n');
  assert.match(lines[0], /^WHEN +WHO +OPERATION +OLD +NEW +REASON/);
  assert.match(lines[1], /cli:\S+ +reset +200 +50 +back/);
  assert.match(lines[2], /cli:\S+ +create +\(default\) +200 +CHG-1234/);
  const bot = JSON.parse((await mutt(['config', 'history', 'moog_retry_statuses', '--json'], env)).stdout) as {
    key: string;
    items: { actor: string; new_value: unknown; at: string }[];
    versions: { at: string }[];
  };
  assert.is(bot.key, 'moog_retry_statuses');
  assert.is(bot.items[0].actor, 'change-bot');
  assert.match(bot.items[0].at, /Z$/);
  assert.match(bot.versions[0].at, /Z$/);
  assert.is(bot.versions.length, 1);
  const never = await mutt(['config', 'history', 'moog_manager'], env);
  assert.match(never.stdout, /has never been changed/);
});

t('status: no MUTT process answering is exit 1 with the reason; --json says the same', async () => {
  const r = await mutt(['status', '--wait', '1s'], env);
  assert.is(r.code, 1);
  assert.match(r.stdout, /PROBLEM: no MUTT process heard on mutt\.health\.> within 1s/);
  assert.match(r.stdout, /MUTT_EVENTS +0 +0 B +1000000/);
  assert.match(r.stdout, /NOT READY: 1 problem/);
  const j = await mutt(['status', '--wait', '1s', '--json'], env);
  const report = JSON.parse(j.stdout) as { ready: boolean; streams: { stream: string }[]; consumers: { exists: boolean }[] };
  assert.is(report.ready, false);
  assert.equal(
    report.streams.map((s) => s.stream),
    ['MUTT_EVENTS', 'MUTT_ALERTS', 'MUTT_DLQ', 'MUTT_AUDIT_EVENTS', 'MUTT_AUDIT_CONFIG'],
  );
  assert.ok(report.consumers.every((c) => !c.exists));
});

t('NATS unreachable: one line naming the URL, exit 1', async () => {
  const r = await mutt(['config', 'ls'], { NATS_URL: 'nats://127.0.0.1:1' });
  assert.is(r.code, 1);
  assert.match(r.stderr, /^mutt config: cannot connect to NATS at nats:\/\/127\.0\.0\.1:1 /);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
});

t.run();
