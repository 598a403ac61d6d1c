// The in-process gateway the API and UI suites drive (tests/api/fixture.ts → gateway/process.ts startMuttProcess)
// must answer exactly like the shipped `mutt gateway` process: same status and same headers, request by request,
// across the mounts (root, UI, API, ingest, health, metrics) and the error paths. A global header, a middleware or
// a mount that exists in one and not the other fails here — the gap through which the browser sign-in broke.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { apiFixture, KEYS, type ApiFixture } from './fixture.ts';
import { startShipped, type Shipped } from '../helpers/shipped.ts';

const t = suite('header parity: in-process gateway vs the shipped process');
let inProcess: ApiFixture;
let shipped: Shipped;

/** Headers the transport or the moment decide, not the app. */
const VOLATILE = new Set([
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'etag',
  'set-cookie',
  'x-request-id',
  'x-correlation-id',
  'last-modified',
]);

/** auth: which key the in-process fixture sends (the shipped process has one key with every scope). */
interface Probe {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  auth?: 'admin' | 'ingest';
}

const PROBES: Probe[] = [
  { name: 'root as JSON', method: 'GET', path: '/' },
  { name: 'root from a browser', method: 'GET', path: '/', headers: { accept: 'text/html' } },
  { name: 'UI sign-in page', method: 'GET', path: '/ui/login', headers: { accept: 'text/html' } },
  { name: 'UI page without a session', method: 'GET', path: '/ui/rules', headers: { accept: 'text/html' } },
  { name: 'UI static asset', method: 'GET', path: '/ui/assets/app.css' },
  { name: 'rules list', method: 'GET', path: '/api/v2/rules', auth: 'admin' },
  { name: 'API without a key', method: 'GET', path: '/api/v2/rules' },
  { name: 'unknown API path', method: 'GET', path: '/api/v2/no-such-thing', auth: 'admin' },
  {
    name: 'events with a form type',
    method: 'POST',
    path: '/api/v2/events',
    auth: 'ingest',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'a=b',
  },
  {
    name: 'events with broken JSON',
    method: 'POST',
    path: '/api/v2/events',
    auth: 'ingest',
    headers: { 'content-type': 'application/json' },
    body: '{"host":',
  },
  { name: 'legacy ingest without a key', method: 'POST', path: '/ingest', headers: { 'content-type': 'application/json' }, body: '{}' },
  { name: 'OpenAPI document', method: 'GET', path: '/api/v2/openapi.json' },
  { name: 'healthz', method: 'GET', path: '/healthz' },
  { name: 'metrics', method: 'GET', path: '/metrics' },
];

function comparable(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((v, k) => {
    if (!VOLATILE.has(k)) out[k] = v;
  });
  return out;
}

t.before(async () => {
  inProcess = await apiFixture();
  shipped = await startShipped({ command: ['gateway'], noMoog: true });
});

t.after(async () => {
  await shipped?.stop();
  await inProcess?.close();
});

for (const p of PROBES) {
  t(p.name, async () => {
    const init = (key: string): RequestInit => ({
      method: p.method,
      headers: { ...(p.auth ? { 'x-api-key': key } : {}), ...p.headers },
      body: p.body,
      redirect: 'manual',
    });
    const a = await inProcess.app.request(p.path, init(p.auth === 'ingest' ? KEYS.ingest : KEYS.admin));
    const b = await fetch(`${shipped.url}${p.path}`, init(shipped.adminKey));
    await a.arrayBuffer();
    await b.arrayBuffer();
    assert.is(a.status, b.status, `${p.method} ${p.path}: status in-process ${a.status}, shipped ${b.status}`);
    assert.equal(comparable(a.headers), comparable(b.headers), `${p.method} ${p.path}: headers differ`);
  });
}

t.run();
