// "Why did this not alert?" answered from the CLI alone, on the shipped `mutt up`: an event that did not alert
// is found with `mutt audit`, `mutt rules test` names the rule whose text matched and why it lost (severity,
// inactive), `mutt rules add | edit | disable | enable | rm` change the rule without a CSV file, and after the
// fix the next event alerts at the fake Moogsoft and `mutt audit --follow` shows its decision as it is stored.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { startShipped, type Shipped } from '../helpers/shipped.ts';
import { waitFor } from '../helpers/wait.ts';
import { mutt, ROOT } from './run-cli.ts';

const t = suite('mutt audit / rules test: why did this not alert');
let m: Shipped;
let env: Record<string, string>;
let n = 0;

interface TestResult {
  rule: { id: string } | null;
  decision: string;
  forwarded: boolean;
  team: string | null;
  near_misses: { id: string; reasons: string[] }[];
}
interface AuditPage {
  items: { host: string; rule_id: string | null; decision: string; forwarded: boolean; message: string }[];
}

async function ok(args: string[]): Promise<string> {
  const r = await mutt(args, env);
  assert.is(r.code, 0, `mutt ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function tester(): Promise<TestResult> {
  return JSON.parse(await ok(['rules', 'test', 'LINK-DOWN Gi0/1', '--host', 'core-sw1', '--severity', 'error', '--json'])) as TestResult;
}

async function send(): Promise<string> {
  const message = `LINK-DOWN Gi0/1 #${++n}`;
  const r = await m.request('POST', '/api/v2/events', { host: 'core-sw1', message, severity: 'error' });
  assert.is(r.status, 202);
  return message;
}

async function audited(message: string): Promise<AuditPage['items'][number]> {
  let found: AuditPage['items'][number] | undefined;
  await waitFor(
    async () => {
      found = (JSON.parse(await ok(['audit', '--host', 'core-sw1', '--json'])) as AuditPage).items.find((i) => i.message === message);
      return found !== undefined;
    },
    20_000,
    `the audit record of '${message}'`,
  );
  return found!;
}

t.before(async () => {
  m = await startShipped();
  env = { NATS_URL: m.natsUrl };
});

t.after(async () => {
  await m?.stop();
});

t('an event that did not alert: the audit says unhandled, the tester names the rule and its failed severity', async () => {
  const added = await mutt(
    [
      'rules',
      'add',
      '--id',
      'core-link',
      '--match',
      'LINK-DOWN',
      '--severity',
      'critical',
      '--priority',
      '10',
      '--handling',
      'page_and_ticket',
      '--team',
      'NETO',
      '--reason',
      'INC-1',
    ],
    env,
  );
  assert.is(added.code, 0, added.stderr);
  assert.match(added.stdout, /rule core-link \(revision \d+\)/);
  const record = await audited(await send());
  assert.equal([record.rule_id, record.decision, record.forwarded], [null, 'unhandled', false]);
  const r = await tester();
  assert.is(r.rule, null);
  assert.is(r.decision, 'unhandled');
  assert.equal(
    r.near_misses.map((x) => [x.id, x.reasons]),
    [['core-link', ['severity']]],
  );
  const text = await ok(['rules', 'test', 'LINK-DOWN Gi0/1', '--host', 'core-sw1', '--severity', 'error']);
  assert.match(text, /^winner: +\(none\)/m);
  assert.match(text, /core-link +10 +yes +severity/);
});

t('edit fixes it: the tester names the winner, the next event alerts and the audit says so', async () => {
  await ok(['rules', 'edit', 'core-link', '--severity', 'none', '--reason', 'INC-1 any severity']);
  const r = await tester();
  assert.equal([r.rule?.id, r.decision, r.forwarded, r.team], ['core-link', 'page_and_ticket', true, 'NETO']);
  const message = await send();
  await waitFor(
    () => m.moog!.events(0, 1000).some((e) => JSON.stringify(e.event).includes(message)),
    20_000,
    'the alert at the fake Moogsoft',
  );
  const record = await audited(message);
  assert.equal([record.rule_id, record.decision, record.forwarded], ['core-link', 'page_and_ticket', true]);
});

t('disable makes it a near miss for being inactive; enable brings it back', async () => {
  await ok(['rules', 'disable', 'core-link', '--reason', 'maintenance']);
  let r = await tester();
  assert.is(r.rule, null);
  assert.equal(
    r.near_misses.map((x) => [x.id, x.reasons]),
    [['core-link', ['inactive']]],
  );
  await ok(['rules', 'enable', 'core-link']);
  r = await tester();
  assert.is(r.rule?.id, 'core-link');
});

t('audit --follow prints the decision of a new event as it is stored; Ctrl-C exits 0', async () => {
  const child = spawn(process.execPath, ['bin/mutt.js', 'audit', '--follow', '--host', 'core-sw1'], {
    cwd: ROOT,
    env: { ...process.env, ...env, MUTT_URL: '', MUTT_API_KEY: '', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d.toString()));
  child.stderr.on('data', (d) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    // --follow starts at the end of the audit: wait until it is watching before sending.
    await waitFor(() => /following the event audit from record \d+ \(Ctrl-C to stop\)/.test(err), 15_000, 'audit --follow to start');
    const message = await send();
    await waitFor(() => out.includes(message), 20_000, `'${message}' in the --follow output`);
    assert.match(
      out.split('\n').find((l) => l.includes(message))!,
      /core-link +page_and_ticket/,
    );
  } finally {
    child.kill('SIGINT');
  }
  assert.is(await exited, 0, err);
});

t('rm removes it: show is exit 1, the tester has no winner and no near miss', async () => {
  const rm = await mutt(['rules', 'rm', 'core-link', '--reason', 'done'], env);
  assert.is(rm.code, 0, rm.stderr);
  const show = await mutt(['rules', 'show', 'core-link'], env);
  assert.is(show.code, 1);
  const r = await tester();
  assert.equal([r.rule, r.near_misses.length], [null, 0]);
});

t.run();
