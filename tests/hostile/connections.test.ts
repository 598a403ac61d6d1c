// Hostile connections against the shipped process (`mutt up` with npm start's heap cap): sockets that connect
// and never send a byte, to HTTP and to syslog TCP, past the connection caps. Idle HTTP sockets must be closed
// within the configured idle timeout (short here) while a request still gets through; idle syslog TCP sockets
// filling the listener's cap must not keep a real sender (`logger --tcp`) out — its line must arrive at the fake
// Moogsoft as an alert. After each case a canary event must reach the fake Moogsoft. Close times are measured by
// bench/hostile-http.ts, not asserted here.

import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startShipped, type Shipped } from '../helpers/shipped.ts';
import { waitFor } from '../helpers/wait.ts';

const run = promisify(execFile);

const HTTP_IDLE_MS = 1_500;
const HTTP_MAX = 200;
const SYSLOG_FIRST_BYTE_MS = 3_000;
/** MUTT_SYSLOG_TCP_MAX_CONNECTIONS's default, and the listener's fixed cap before it was configurable. */
const SYSLOG_MAX = 2_000;

let m: Shipped;
const opened: net.Socket[] = [];

test.before(async () => {
  m = await startShipped({
    env: {
      MUTT_HTTP_IDLE_TIMEOUT_MS: String(HTTP_IDLE_MS),
      MUTT_HTTP_MAX_CONNECTIONS: String(HTTP_MAX),
      MUTT_SYSLOG_TCP_FIRST_BYTE_TIMEOUT_MS: String(SYSLOG_FIRST_BYTE_MS),
    },
  });
  await m.canary(30_000);
});

test.after(async () => {
  for (const s of opened) s.destroy();
  await m?.stop();
});

interface Held {
  socket: net.Socket;
  closed: boolean;
}

/** Opens `n` TCP connections to `port` that never send a byte; each records when the server closes it. */
async function silentSockets(port: number, n: number): Promise<Held[]> {
  const held: Held[] = [];
  for (let i = 0; i < n; i++) {
    const socket = net.connect({ host: '127.0.0.1', port });
    const h: Held = { socket, closed: false };
    socket.on('close', () => (h.closed = true));
    socket.on('error', () => undefined);
    opened.push(socket);
    held.push(h);
    await new Promise<void>((resolve) => {
      socket.once('connect', () => resolve());
      socket.once('close', () => resolve());
    });
  }
  return held;
}

async function metric(name: string, event: string): Promise<number> {
  const text = await (await fetch(`${m.url}/metrics`)).text();
  const line = new RegExp(`^${name}\\{[^}]*event="${event}"[^}]*\\} (\\d+)`, 'm').exec(text);
  return line ? Number(line[1]) : NaN;
}

test('HTTP: 300 sockets that never send a byte are all closed within the idle timeout, and a request gets through past the cap', async () => {
  const held = await silentSockets(m.httpPort, 300);
  // Over the cap: the newest 200 may still be open, and a real request evicts the idlest of them.
  const health = await fetch(`${m.url}/healthz`);
  assert.is(health.status, 200);
  await waitFor(
    () => held.every((h) => h.closed),
    10 * HTTP_IDLE_MS + 10_000,
    `300 idle HTTP sockets closed (idle timeout ${HTTP_IDLE_MS} ms); ${held.filter((h) => !h.closed).length} still open`,
  );
  assert.ok((await metric('mutt_http_connections_total', 'evicted')) >= 300 - HTTP_MAX, 'connections beyond the cap evicted the idlest');
  assert.ok((await metric('mutt_http_connections_total', 'timed_out')) >= 1, 'the rest timed out');
  await m.canary(30_000);
});

test('syslog TCP: 2,000 idle connections (the cap) do not lock out a real logger --tcp sender, and are closed when silent', async () => {
  const held = await silentSockets(m.syslogPort!, SYSLOG_MAX);
  const marker = `mutt-canary-syslog-${Date.now()}`;
  await run('logger', [
    '--server',
    '127.0.0.1',
    '--port',
    String(m.syslogPort),
    '--tcp',
    '--octet-count',
    '--rfc3164',
    '-t',
    'hostile',
    `${marker} link down`,
  ]);
  await waitFor(
    () => m.moog!.events(0, 1_000_000).some((e) => JSON.stringify(e.event).includes(marker)),
    30_000,
    `the logger --tcp line ${marker} delivered as an alert`,
  );
  assert.ok((await metric('mutt_syslog_tcp_connections_total', 'evicted')) >= 1, 'idle connections were evicted for the sender');
  await waitFor(
    () => held.every((h) => h.closed),
    10 * SYSLOG_FIRST_BYTE_MS + 10_000,
    `idle syslog sockets closed (first-byte timeout ${SYSLOG_FIRST_BYTE_MS} ms); ${held.filter((h) => !h.closed).length} still open`,
  );
  assert.ok((await metric('mutt_syslog_tcp_connections_total', 'timed_out')) >= 1, 'silent connections timed out');
  await m.canary(30_000);
});

test.run();
