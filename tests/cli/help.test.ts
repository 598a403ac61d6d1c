// docs/CLI.md keeps up with the command: every command `mutt --help` lists has its section, `mutt <cmd> --help`
// exits 0 with its usage, and every flag a command's help names is explained in that command's section.
// Unknown commands and flags are usage errors (exit 2) naming what was wrong.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mutt, ROOT, type CliResult } from './run-cli.ts';

const doc = readFileSync(join(ROOT, 'docs/CLI.md'), 'utf8');

function section(name: string): string {
  const start = doc.indexOf(`\n## mutt ${name}\n`);
  if (start < 0) return '';
  const next = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, next < 0 ? undefined : next);
}

async function inBatches<T, R>(items: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += n) out.push(...(await Promise.all(items.slice(i, i + n).map(fn))));
  return out;
}

test('every command of `mutt --help` is documented in docs/CLI.md, and its --help exits 0 naming only documented flags', async () => {
  const top = await mutt(['--help']);
  assert.is(top.code, 0);
  const names = [...top.stdout.matchAll(/^ {2}([a-z][a-z-]*) {2,}\S/gm)].map((m) => m[1]);
  for (const mine of ['status', 'config', 'dlq', 'rules', 'hosts', 'keys', 'send', 'smoke'])
    assert.ok(names.includes(mine), `${mine} is listed`);
  const helps = await inBatches(names, 4, (n) => mutt([n, '--help']));
  const missing: string[] = [];
  names.forEach((name, i) => {
    const h: CliResult = helps[i];
    assert.is(h.code, 0, `mutt ${name} --help: ${h.stderr}`);
    assert.ok(h.stdout.startsWith(`usage: mutt ${name}`), `mutt ${name} --help starts with its usage`);
    const body = section(name);
    if (!body) return void missing.push(`section "## mutt ${name}"`);
    if (!doc.includes(`[\`mutt ${name}\`](#mutt-${name})`)) missing.push(`table entry for mutt ${name}`);
    for (const flag of new Set(h.stdout.match(/--[a-z][a-z-]*/g) ?? [])) {
      if (flag === '--help') continue;
      if (!body.includes(flag)) missing.push(`mutt ${name}: ${flag}`);
    }
  });
  assert.equal(missing, [], `docs/CLI.md lacks: ${missing.join(', ')}`);
});

test('usage errors exit 2 and name the command, flag or argument', async () => {
  const [unknown, flag, sub, nosub, arg] = await Promise.all([
    mutt(['stauts']),
    mutt(['status', '--jsno']),
    mutt(['dlq', 'replya']),
    mutt(['rules']),
    mutt(['send', '--url', 'gateway:8080', '--host', 'h', '--message', 'm']),
  ]);
  for (const r of [unknown, flag, sub, nosub, arg]) assert.is(r.code, 2, r.stderr);
  assert.match(unknown.stderr, /unknown command 'stauts'/);
  assert.match(flag.stderr, /^mutt status: unknown flag --jsno/);
  assert.match(sub.stderr, /^mutt dlq: unknown sub-command 'replya' \(did you mean 'replay'\?\) \(known: ls, show, replay, purge\)/);
  assert.match(nosub.stderr, /^mutt rules: which sub-command\? \(ls, show, add, edit, disable, enable, rm, test, import, export/);
  assert.match(arg.stderr, /^mutt send: --url must be an http\(s\) URL like http:\/\/gateway:8080 \(got 'gateway:8080'\)/);
});

test.run();
