// moog_timeout_ms and moog_concurrency apply to a running forwarder without a restart (issue 16 item 6): on
// the shipped `mutt up`, with the fake Moogsoft delaying its answers, a lowered timeout makes the next request
// time out (a retry on /metrics), and the requests in flight at the fake follow moog_concurrency down and up.
// Before, both were read once at setup (the timeout of the HTTP client, the consume loop's slots and the HTTP
// agent's maxSockets), so a change waited for the next restart.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startShipped, type Shipped } from '../helpers/shipped.ts';
import { setConfig } from '../helpers/mutt-config.ts';
import { waitFor } from '../helpers/wait.ts';

const t = suite('forwarder live config');
let m: Shipped;
let nc: NatsConnection;
let sent = 0;

async function sendAlerts(n: number): Promise<void> {
  const batch = Array.from({ length: n }, () => ({ host: 'live-sw1', message: `livecfg link down ${++sent}`, severity: 'critical' }));
  const r = await m.request('POST', '/api/v2/events', batch);
  assert.is(r.status, 202, await r.text());
}

async function retries(): Promise<number> {
  const text = await (await m.request('GET', '/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith('mutt_forwarder_deliveries_total{') && l.includes('outcome="retry"'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** Sends n alerts and waits until the fake Moogsoft has accepted them all (since its last reset). */
async function wave(n: number, timeoutMs = 30_000): Promise<void> {
  const before = m.moog!.stats().accepted;
  await sendAlerts(n);
  await waitFor(() => m.moog!.stats().accepted >= before + n, timeoutMs, `${n} alerts at the fake Moogsoft`);
}

t.before(async () => {
  m = await startShipped();
  nc = await connect({ servers: m.natsUrl });
  // One alert per request: the test counts requests in flight, which batching would merge.
  await setConfig(nc, {
    moog_rate_limit: 100_000,
    moog_rate_period: 1,
    moog_backoff_base_ms: 100,
    moog_backoff_max_ms: 500,
    moog_batch_size: 1,
  });
  const r = await m.request('POST', '/api/v2/rules', {
    id: 'livecfg',
    match_type: 'contains',
    match_string: 'livecfg',
    prod_handling: 'page_and_ticket',
    dev_handling: 'page_and_ticket',
    team_assignment: 'NETO',
  });
  assert.is(r.status, 201, await r.text());
  await m.canary();
  await wave(1);
});

t.after(async () => {
  await nc?.close();
  await m?.stop();
});

t(
  'moog_concurrency lowered to 2 and raised to 8 on a running forwarder: the fake sees at most, and reaches, that many requests at once',
  async () => {
    m.moog!.control({ latencyMs: 300 });
    for (const limit of [2, 8]) {
      await setConfig(nc, { moog_concurrency: limit });
      // A first wave lets the change reach the forwarder (KV watch) and the requests of the old limit finish.
      await wave(limit * 3);
      m.moog!.reset();
      m.moog!.control({ latencyMs: 300 });
      await wave(limit * 5);
      const s = m.moog!.stats();
      assert.is(s.maxInFlight, limit, `moog_concurrency ${limit}: ${s.maxInFlight} requests in flight at most`);
    }
    m.moog!.control({ latencyMs: 0 });
  },
);

t('moog_timeout_ms lowered on a running forwarder: the next slow answer times out and is retried', async () => {
  m.moog!.control({ latencyMs: 1500 });
  const before = await retries();
  await wave(1); // 1.5 s is within the default 10 s
  assert.is(await retries(), before, 'no retry while the answer comes within the timeout');
  await setConfig(nc, { moog_timeout_ms: 300 });
  await sendAlerts(1);
  await waitFor(async () => (await retries()) > before, 15_000, 'a delivery timed out after the new 300 ms and was retried');
  m.moog!.control({ latencyMs: 0 });
  await setConfig(nc, { moog_timeout_ms: 10_000 });
});

t.run();
