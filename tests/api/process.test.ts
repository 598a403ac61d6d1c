// The management API inside a real MUTT gateway process (startMuttProcess, as `mutt gateway` starts it), over HTTP.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { pino } from 'pino';
import { loadEnv } from '../../protocol/env.ts';
import { startMuttProcess, type MuttProcess } from '../../gateway/process.ts';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { KEYS, rule } from './fixture.ts';

const t = suite('management API in a gateway process');
let nats: TestNats;
let proc: MuttProcess;
let base = '';

t.before(async () => {
  nats = await startNats();
  const env = loadEnv({
    NATS_URL: nats.url,
    MUTT_STORAGE: 'memory',
    MUTT_HTTP_HOST: '127.0.0.1',
    MUTT_HTTP_PORT: '0',
    MUTT_INSTANCE: 'gw-1',
    MUTT_API_KEYS: `ops:admin:${KEYS.admin}`,
  });
  proc = await startMuttProcess({ env, name: 'gateway', actors: [], gateway: true, log: pino({ level: 'silent' }) });
  base = `http://127.0.0.1:${proc.httpPort}`;
});
t.after(async () => {
  await proc?.stop();
  await nats?.stop();
});

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: { 'X-API-Key': KEYS.admin, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

t('rules round-trip over HTTP, with request metrics on the process registry', async () => {
  const created = await call('POST', '/api/v2/rules', rule('http-rule'));
  assert.is(created.status, 201);
  const got = await call('GET', '/api/v2/rules/http-rule');
  assert.is((await got.json()).id, 'http-rule');
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /mutt_gateway_request_duration_seconds_count\{[^}]*route="\/api\/v2\/rules\/:id",status="200"/);
});

t('its own heartbeat shows up in /api/v2/actors', async () => {
  await waitFor(
    async () => {
      const r = (await (await call('GET', '/api/v2/actors')).json()) as {
        processes: { process: string; instance: string; stale: boolean }[];
      };
      return r.processes.some((p) => p.process === 'gateway' && p.instance === 'gw-1' && !p.stale);
    },
    8000,
    'gateway heartbeat',
  );
});

t('the reference page is served without a key', async () => {
  const r = await fetch(`${base}/api/v2/docs`);
  assert.is(r.status, 200);
  const html = await r.text();
  assert.match(html, /MUTT management API/, html.slice(0, 300));
});

t.run();
