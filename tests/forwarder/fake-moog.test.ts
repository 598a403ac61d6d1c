// The fake Moogsoft itself: what it records, how it is controlled, and its command line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import {
  eventKey,
  fakeMoogMain,
  parseControl,
  parseFakeMoogArgs,
  startFakeMoog,
  UsageError,
  type FakeMoog,
} from '../../bench/fake-moog.ts';

const KEY = 'fake-key-1234';
let moog: FakeMoog;
const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }) =>
  fetch(moog.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const get = async (path: string) => {
  const r = await fetch(moog.url + path);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

test.before(async () => {
  moog = await startFakeMoog({ apiKey: KEY, maxEvents: 5 });
});
test.before.each(() => moog.reset());
test.after(() => moog.close());

test('de-duplicates by external_id / alert id / dedupe_key and counts duplicates', async () => {
  assert.is((await post('/events', { external_id: 'a', signature: 's' })).status, 200);
  assert.is((await post('/events', { external_id: 'a', signature: 's' })).status, 200);
  const arr = await post('/v1/integrations/events', [
    { dedupe_key: 'same-problem', tags: { mutt_alert_id: 'x1' } },
    { dedupe_key: 'same-problem', tags: { mutt_alert_id: 'x2' } },
    { dedupe_key: 'k3' },
  ]);
  assert.equal(await arr.json(), { success: true, message: 'Processed 3 event(s)' });
  await post('/', { events: [{ external_id: 'b' }, { external_id: 'a' }] });
  await post('/', { no_key: true });
  const s = moog.stats();
  assert.is(s.requests, 5);
  assert.is(s.received, 8);
  assert.is(s.accepted, 6);
  assert.is(s.duplicates, 2);
  assert.equal(s.byStatus, { 200: 5 });
  assert.ok(s.firstReceivedAt !== null && s.lastReceivedAt! >= s.firstReceivedAt!);
  assert.is(eventKey({ deduplication_key: 'd' }), 'd');
  assert.is(eventKey({ external_id: 12 }), '12');
  assert.is(eventKey('x'), null);
});

test('auth: missing or wrong credentials are 401 and not recorded; any form is accepted in "any" mode', async () => {
  assert.is((await post('/events', { external_id: 'n' }, {})).status, 401);
  assert.is((await post('/events', { external_id: 'n' }, { authorization: 'Bearer nope' })).status, 401);
  assert.is((await post('/events', { external_id: 'n1' }, { apikey: KEY })).status, 200);
  assert.is(
    (await post('/events', { external_id: 'n2' }, { authorization: `Basic ${Buffer.from('user:' + KEY).toString('base64')}` })).status,
    200,
  );
  const s = moog.stats();
  assert.is(s.unauthorized, 2);
  assert.is(s.accepted, 2);
  const open = await startFakeMoog();
  try {
    const r = await fetch(open.url + '/x', { method: 'POST', body: '{"external_id":"o"}' });
    assert.is(r.status, 200, 'no key configured: no auth');
  } finally {
    await open.close();
  }
});

test('bad bodies: 400 for non-JSON, 413 when too large', async () => {
  assert.is((await post('/events', 'not json')).status, 400);
  assert.is((await post('/events', '[1,2]')).status, 400);
  assert.is((await post('/events', '"str"')).status, 400);
  const small = await startFakeMoog({ maxBodyBytes: 100 });
  try {
    const r = await fetch(small.url + '/e', { method: 'POST', body: JSON.stringify({ external_id: 'x'.repeat(500) }) });
    assert.is(r.status, 413);
  } finally {
    await small.close();
  }
  assert.is(moog.stats().invalid, 3);
});

test('GET /events pages through kept events; the oldest are dropped beyond maxEvents', async () => {
  for (let i = 1; i <= 7; i++) await post('/events', { external_id: `e${i}` });
  const page = await get('/events?since=0&limit=2');
  const events = page.body.events as { seq: number; key: string }[];
  assert.equal(
    events.map((e) => e.key),
    ['e3', 'e4'],
    'e1 and e2 fell out of the 5-event ring',
  );
  assert.is(page.body.next, 4);
  assert.is(page.body.total, 7);
  const rest = await get('/events?since=4&limit=100');
  assert.equal(
    (rest.body.events as { key: string }[]).map((e) => e.key),
    ['e5', 'e6', 'e7'],
  );
  assert.equal((await get('/events?since=7')).body.next, 7);
  assert.is((await get('/events?since=-1')).status, 400);
  assert.is((await get('/events?limit=0')).status, 400);
  const s = (await get('/stats')).body;
  assert.is(s.stored, 5);
  assert.is(s.dropped, 2);
  assert.equal(
    moog.events(5).map((e) => e.key),
    ['e6', 'e7'],
  );
});

test('POST /control validates, GET /control shows, POST /reset clears', async () => {
  const bad = await post('/control', { latencyMs: -1 });
  assert.is(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /latencyMs/);
  assert.is((await post('/control', { nope: 1 })).status, 400);
  assert.is((await post('/control', '{')).status, 400);
  const ok = await post('/control', { status: 503, retryAfterSeconds: 4 });
  assert.is(ok.status, 200);
  assert.is(((await get('/control')).body as { status: number }).status, 503);
  const failed = await post('/events', { external_id: 'z' });
  assert.is(failed.status, 503);
  assert.is(failed.headers.get('retry-after'), '4');
  assert.is((await post('/reset', {})).status, 200);
  assert.is((await post('/events', { external_id: 'z' })).status, 200);
  assert.is(moog.stats().accepted, 1);
  assert.throws(() => parseControl([]), /JSON object/);
  assert.throws(() => parseControl({ reset: 'socket' }), /reset/);
  assert.throws(() => parseControl({ failureRatio: 2 }), /failureRatio/);
  assert.throws(() => parseControl({ failNext: 1.5 }), /integer/);
  assert.equal(parseControl({ retryAfterSeconds: null, reset: null }), { retryAfterSeconds: null, reset: null });
});

test('health, unknown paths and methods', async () => {
  assert.equal((await get('/health')).body, { status: 'healthy', service: 'fake-moog' });
  assert.is((await get('/nothing')).status, 404);
  assert.is((await fetch(moog.url + '/events', { method: 'PUT', body: '{}' })).status, 405);
});

test('latency delays the answer', async () => {
  moog.control({ latencyMs: 150 });
  const t = Date.now();
  await post('/events', { external_id: 'slow' });
  assert.ok(Date.now() - t >= 140);
});

test('CLI flags: values parsed, mistakes name the flag', () => {
  assert.equal(parseFakeMoogArgs(['--port', '0', '--host', '0.0.0.0', '--api-key', 'k', '--auth', 'apikey', '--max-events', '9']), {
    port: 0,
    host: '0.0.0.0',
    apiKey: 'k',
    auth: 'apikey',
    maxEvents: 9,
  });
  assert.is(parseFakeMoogArgs([], { FAKE_MOOG_API_KEY: 'envk' }).apiKey, 'envk');
  assert.ok(parseFakeMoogArgs(['--help']).help);
  for (const [argv, flag] of [
    [['--port', 'x'], '--port'],
    [['--port', '70000'], '--port'],
    [['--port'], '--port'],
    [['--auth', 'token'], '--auth'],
    [['--api-key', '--port'], '--api-key'],
    [['--bogus'], '--bogus'],
    [['--qiuet'], '--qiuet'],
  ] as const) {
    try {
      parseFakeMoogArgs([...argv]);
      assert.unreachable(argv.join(' '));
    } catch (err) {
      assert.instance(err, UsageError);
      assert.ok(
        (err as Error).message.startsWith(flag) || (err as Error).message.startsWith(`unknown flag ${flag}`),
        (err as Error).message,
      );
    }
  }
});

test('an unknown flag names the nearest known one', () => {
  assert.throws(() => parseFakeMoogArgs(['--qiuet']), /^unknown flag --qiuet \(did you mean --quiet\?\)/);
  assert.throws(
    () => parseFakeMoogArgs(['--bogus']),
    (e: Error) => !e.message.includes('did you mean'),
  );
});

test('fakeMoogMain prints its URL and stops on SIGTERM', async () => {
  const lines: string[] = [];
  const m = await fakeMoogMain(['--port', '0', '--api-key', 'cli-secret-key'], (l) => lines.push(l));
  assert.ok(m);
  assert.match(lines[0], /^fake Moogsoft listening on http:\/\/127\.0\.0\.1:\d+ \(auth: any\)$/);
  assert.not.ok(lines.join('\n').includes('cli-secret-key'), 'the key is not printed');
  assert.is((await fetch(m!.url + '/health')).status, 200);
  // Each accepted event is one line (what the README's try-it recipe shows a new user); a duplicate is not.
  const alert = { external_id: 'a-1', source: 'sw1', description: 'LINK-DOWN' };
  for (let i = 0; i < 2; i++)
    await fetch(m!.url + '/events', {
      method: 'POST',
      headers: { authorization: 'Bearer cli-secret-key', 'content-type': 'application/json' },
      body: JSON.stringify(alert),
    });
  assert.equal(lines.slice(1), [`event 1 on /events: ${JSON.stringify(alert)}`]);
  process.emit('SIGTERM');
  await m!.stopped;
  await fetch(m!.url + '/health').then(
    () => assert.unreachable('still listening'),
    () => {},
  );
  const help: string[] = [];
  assert.is(await fakeMoogMain(['--help'], (l) => help.push(l)), null);
  assert.match(help[0], /usage: mutt fake-moog/);
  const quiet: string[] = [];
  const q = await fakeMoogMain(['--port', '0', '--quiet'], (l) => quiet.push(l));
  await fetch(q!.url + '/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alert) });
  assert.is(q!.stats().accepted, 1);
  assert.is(quiet.length, 1, '--quiet prints only the start line');
  await q!.close();
});

test('runs as a script: prints the URL, exits 0 on SIGINT, 2 on a bad flag', async () => {
  const run = (args: string[]) =>
    spawn(process.execPath, ['--import', 'tsx', 'bench/fake-moog.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const child = run(['--port', '0']);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
  assert.is((await fetch(url + '/health')).status, 200);
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  child.kill('SIGINT');
  assert.is(await exited, 0);
  const bad = run(['--port', 'nope']);
  let err = '';
  bad.stderr.on('data', (d) => (err += d));
  assert.is(await new Promise((r) => bad.once('exit', r)), 2);
  assert.match(err, /--port: expected an integer/);
});

test.run();
