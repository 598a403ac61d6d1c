// The conventions docs/CLI.md states for every command, checked on each list command at once against a real
// nats-server: --json on a list is {items, total, next_cursor} with snake_case keys and ISO 8601 UTC times;
// tables cut long cells with '…' and --wide prints them whole; a missing input file is exit 1, naming the file.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { loadEnv } from '../../protocol/env.ts';
import { mutt } from './run-cli.ts';

const t = suite('mutt CLI conventions');
const dir = mkdtempSync(join(tmpdir(), 'mutt-conventions-'));
const LONG = `very-long-match-${'x'.repeat(90)}-end`;
const LONG_HOST = `rack-${'y'.repeat(80)}.example.com`;
let nats: TestNats;
let nc: NatsConnection;
let env: Record<string, string>;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Every key at any depth of the listed items is snake_case, and every *_at value is ISO 8601 UTC or null. */
function checkItems(cmd: string, items: Record<string, unknown>[]): void {
  for (const item of items) {
    for (const [k, v] of Object.entries(item)) {
      assert.match(k, /^[a-z][a-z0-9_]*$/, `${cmd}: key '${k}' is snake_case`);
      if (k.endsWith('_at') && v !== null) assert.match(String(v), ISO, `${cmd}: ${k} = ${String(v)} is ISO 8601 UTC`);
    }
  }
}

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  await provision(nc, loadEnv({ MUTT_STORAGE: 'memory' }));
  env = { NATS_URL: nats.url };
  for (const args of [
    ['rules', 'add', '--id', 'long-one', '--match', LONG, '--priority', '10', '--handling', 'page_and_ticket', '--team', 'NETO'],
    ['hosts', 'add', LONG_HOST, '--note', 'lab'],
    ['keys', 'add', 'grafana', '--scopes', 'read'],
    ['config', 'set', 'moog_rate_limit', '200'],
  ]) {
    const r = await mutt(args, env);
    assert.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
});

t.after(async () => {
  await nc.close();
  await nats.stop();
});

t('every list command prints {items, total, next_cursor} with snake_case keys and ISO times', async () => {
  const lists: [string[], number][] = [
    [['rules', 'ls'], 1],
    [['hosts', 'ls'], 1],
    [['hosts', 'ls', '--teams'], 0],
    [['keys', 'ls'], 1],
    [['config', 'ls'], -1],
    [['config', 'history', 'moog_rate_limit'], 1],
    [['dlq', 'ls'], 0],
    [['audit'], 0],
  ];
  for (const [args, count] of lists) {
    const r = await mutt([...args, '--json'], env);
    assert.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    const page = JSON.parse(r.stdout) as { items: Record<string, unknown>[]; total: number | null; next_cursor: unknown };
    const cmd = args.join(' ');
    assert.equal(Object.keys(page).slice(0, 3), ['items', 'total', 'next_cursor'], `${cmd}: list shape`);
    assert.ok(Array.isArray(page.items), `${cmd}: items is an array`);
    if (count >= 0) assert.is(page.items.length, count, `${cmd}: ${count} item(s)`);
    if (page.total !== null) assert.is(page.total, page.items.length, `${cmd}: total of a complete list`);
    assert.is(page.next_cursor, null, `${cmd}: nothing more`);
    checkItems(cmd, page.items);
  }
});

t('tables cut long cells with … by default; --wide prints them whole', async () => {
  for (const [args, whole] of [
    [['rules', 'ls'], LONG],
    [['hosts', 'ls'], LONG_HOST],
  ] as const) {
    const cut = await mutt([...args], env);
    assert.is(cut.code, 0, cut.stderr);
    assert.not.ok(cut.stdout.includes(whole), `${args.join(' ')}: long cell is cut`);
    assert.match(cut.stdout, /…/);
    const wide = await mutt([...args, '--wide'], env);
    assert.is(wide.code, 0, wide.stderr);
    assert.ok(wide.stdout.includes(whole), `${args.join(' ')} --wide: the whole cell`);
  }
  const typo = await mutt(['rules', 'ls', '--wdie'], env);
  assert.is(typo.code, 2);
  assert.match(typo.stderr, /unknown flag --wdie \(did you mean --wide\?\)/);
});

t('a missing input file is exit 1 naming the file, not a usage error', async () => {
  const missing = join(dir, 'nope.csv');
  for (const args of [
    ['rules', 'import', missing],
    ['hosts', 'import', missing],
    ['send', '--file', missing, '--url', 'http://127.0.0.1:1', '--key', 'unused-key-0123456789'],
  ]) {
    const r = await mutt(args, env);
    assert.is(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`cannot read ${missing.replace(/[.]/g, '\\.')}: ENOENT`));
  }
});

t.run();
