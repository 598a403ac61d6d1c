// A spray of spoofed host names against the shipped process (`mutt up` with npm start's heap cap): syslog UDP
// datagrams, each from a different made-up host, none matching a rule. No metric may grow a series per host
// (the names are the sender's, and /metrics is unauthenticated), the per-host unhandled counters must expire
// with their window, and a canary event must still reach the fake Moogsoft. The 100,000-host figure (RSS and
// /metrics size) is bench/host-spray.ts's, in docs/RELIABILITY.md.

import dgram from 'node:dgram';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startShipped, type Shipped } from '../helpers/shipped.ts';
import { waitFor } from '../helpers/wait.ts';

const HOSTS = 1_500;
const WINDOW_SECONDS = 3;
const SPRAY_MARK = 'spoofed-sprayhost';

let m: Shipped;
let nc: NatsConnection;

test.before(async () => {
  m = await startShipped();
  nc = await connect({ servers: m.natsUrl });
  await m.canary(30_000);
});

test.after(async () => {
  await nc?.close();
  await m?.stop();
});

async function metricsText(): Promise<string> {
  return (await fetch(`${m.url}/metrics`)).text();
}

function unhandledCount(metrics: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith('mutt_alerter_decisions_total{decision="unhandled"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function storedCounters(): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info('KV_mutt_unhandled')).state.messages;
}

/** RFC 3164 lines over UDP, host `spoofed-sprayhost-<i>`, paced so loopback does not drop them. */
async function spray(n: number): Promise<void> {
  const socket = dgram.createSocket('udp4');
  try {
    for (let i = 0; i < n; i++) {
      const line = `<13>Dec  7 10:00:00 ${SPRAY_MARK}-${i}.example.net sprayd: nothing any rule knows ${i}`;
      await new Promise<void>((resolve, reject) => socket.send(line, m.syslogPort!, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    socket.close();
  }
}

test('distinct spoofed hosts add no metric series, their counters expire with the window, a canary still arrives', async () => {
  const r = await m.request('PUT', '/api/v2/config/unhandled_window_seconds', { value: WINDOW_SECONDS, reason: 'hostile spray test' });
  assert.is(r.status, 200, await r.text());
  const jsm = await jetstreamManager(nc);
  await waitFor(
    async () => (await jsm.streams.info('KV_mutt_unhandled')).config.max_age === WINDOW_SECONDS * 1e9,
    10_000,
    'mutt_unhandled max_age follows unhandled_window_seconds',
  );

  const before = await metricsText();
  const base = unhandledCount(before);
  await spray(HOSTS);
  // UDP may lose a few datagrams under load; nearly all must be handled.
  await waitFor(async () => unhandledCount(await metricsText()) >= base + HOSTS * 0.9, 45_000, 'the sprayed events handled');

  const after = await metricsText();
  assert.not.ok(after.includes(SPRAY_MARK), 'a sprayed host name appears in /metrics');
  assert.ok(after.length - before.length < 2_000, `/metrics grew ${after.length - before.length} bytes over ${HOSTS} hosts`);

  // Every counter is dropped once its window is over (KV max_age), none outlives it by much.
  await waitFor(async () => (await storedCounters()) === 0, 30_000, 'the unhandled counters expired');

  await m.canary(30_000);
});

test.run();
