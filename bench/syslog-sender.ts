// Syslog load on MUTT's listener, counted where it matters: lines/s = lines stored in MUTT_EVENTS / (first send →
// the last of them stored), read from a `stored()` counter (the stream's last sequence) polled every few ms.
// UDP has no push-back, so the sender keeps at most UDP_WINDOW datagrams unaccounted for (sent, not yet stored):
// as fast as the listener stores, without overrunning the socket's receive buffer. Datagrams lost anyway are
// a figure (stored < sent), not an error; a stall of STALL_MS writes the outstanding ones off so the sender goes
// on. TCP pushes back by itself (the listener pauses a connection while NATS is behind): RFC 6587 octet-counted
// frames, written as fast as the sockets drain, over a few connections as a relay or a handful of devices would.
//   const udp = await sendUdp('127.0.0.1', port, lines, () => eventsStored(jsm));
//   const tcp = await sendTcp('127.0.0.1', port, lines, () => eventsStored(jsm), { timeoutMs: 60_000 });

import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import { octetCounted } from './syslog-lines.ts';

export interface SyslogIngest {
  transport: 'udp' | 'tcp';
  connections: number;
  sent: number;
  /** Lines stored in MUTT_EVENTS. */
  stored: number;
  /** First send → the last line stored. */
  seconds: number;
  linesPerSec: number;
}

/** Messages stored so far (monotonic; only this sender adds to it during the measurement). */
export type StoredCounter = () => Promise<number>;

const POLL_MS = 5;
const STALL_MS = 250;
/**
 * Unaccounted datagrams: about what 4 TCP connections keep in flight (a 500-line batch each, and more read), so
 * both transports are measured at like concurrency; below the listener's 5,000 in flight (beyond it UDP drops).
 * The listener asks for an 8 MB receive buffer; where net.core.rmem_max holds it to the 208 KB default, a
 * stalled listener can lose datagrams, and that shows as stored < sent.
 */
const UDP_WINDOW = 2000;
/** Frames per socket write. */
const TCP_CHUNK = 64;
export const TCP_CONNECTIONS = 4;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stored count since construction, and when it last grew. */
class StoredWatch {
  seen = 0;
  lastAt: number;

  private constructor(
    private readonly count: StoredCounter,
    private readonly base: number,
    startedAt: number,
  ) {
    this.lastAt = startedAt;
  }

  static async start(count: StoredCounter): Promise<StoredWatch> {
    return new StoredWatch(count, await count(), performance.now());
  }

  /** True when the count grew. */
  async poll(): Promise<boolean> {
    const n = (await this.count()) - this.base;
    if (n <= this.seen) return false;
    this.seen = n;
    this.lastAt = performance.now();
    return true;
  }

  /** Until `target` are stored; or no growth for `quietMs` (UDP: the rest is lost); past `timeoutMs` it throws. */
  async settle(target: number, opts: { quietMs: number; timeoutMs: number; what: string }): Promise<void> {
    const deadline = performance.now() + opts.timeoutMs;
    while (this.seen < target) {
      await this.poll();
      if (this.seen >= target || performance.now() - this.lastAt > opts.quietMs) return;
      if (performance.now() > deadline)
        throw new Error(`${opts.what}: ${this.seen} of ${target} lines stored after ${Math.round(opts.timeoutMs / 1000)} s`);
      await sleep(POLL_MS);
    }
  }
}

function figure(transport: SyslogIngest['transport'], connections: number, sent: number, w: StoredWatch, t0: number): SyslogIngest {
  const seconds = Math.max(0, (w.lastAt - t0) / 1000);
  return {
    transport,
    connections,
    sent,
    stored: w.seen,
    seconds: Math.round(seconds * 1000) / 1000,
    linesPerSec: seconds > 0 ? Math.round(w.seen / seconds) : 0,
  };
}

export async function sendUdp(
  host: string,
  port: number,
  lines: readonly string[],
  stored: StoredCounter,
  opts: { timeoutMs: number },
): Promise<SyslogIngest> {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  let sendErrors = 0;
  // A connected UDP socket reports an earlier datagram's ICMP refusal on a later send: counted, never thrown.
  sock.on('error', () => sendErrors++);
  await new Promise<void>((resolve) => sock.connect(port, host, () => resolve()));
  const datagrams = lines.map((l) => Buffer.from(l, 'utf8'));
  try {
    const w = await StoredWatch.start(stored);
    const t0 = performance.now();
    let sent = 0;
    let writtenOff = 0;
    let progressAt = t0;
    while (sent < datagrams.length) {
      const room = UDP_WINDOW - (sent - w.seen - writtenOff);
      for (const end = Math.min(datagrams.length, sent + Math.max(0, room)); sent < end; sent++) sock.send(datagrams[sent]);
      if (await w.poll()) {
        progressAt = performance.now();
        continue;
      }
      if (performance.now() - progressAt > STALL_MS) {
        writtenOff = sent - w.seen;
        progressAt = performance.now();
      }
      await sleep(POLL_MS);
    }
    await w.settle(sent, { quietMs: 1000, timeoutMs: opts.timeoutMs, what: 'syslog UDP' });
    if (sendErrors) console.log(`  note: ${sendErrors} UDP send errors`);
    return figure('udp', 1, sent, w, t0);
  } finally {
    sock.close();
  }
}

async function connectTcp(host: string, port: number): Promise<net.Socket> {
  const s = net.connect({ host, port });
  s.setNoDelay(true);
  await once(s, 'connect');
  return s;
}

export async function sendTcp(
  host: string,
  port: number,
  lines: readonly string[],
  stored: StoredCounter,
  opts: { timeoutMs: number; connections?: number },
): Promise<SyslogIngest> {
  const n = Math.max(1, Math.min(opts.connections ?? TCP_CONNECTIONS, lines.length));
  // Framed and chunked before the clock starts: the driver's own work is not the listener's.
  const chunks: Buffer[][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < n; k++) {
    const mine = lines.filter((_, i) => i % n === k).map(octetCounted);
    for (let i = 0; i < mine.length; i += TCP_CHUNK) chunks[k].push(Buffer.concat(mine.slice(i, i + TCP_CHUNK)));
  }
  const sockets = await Promise.all(chunks.map(() => connectTcp(host, port)));
  try {
    const w = await StoredWatch.start(stored);
    const t0 = performance.now();
    await Promise.all(
      sockets.map(async (s, k) => {
        for (const c of chunks[k]) if (!s.write(c)) await once(s, 'drain');
        s.end();
      }),
    );
    // TCP loses nothing: a line missing at the deadline is an error.
    await w.settle(lines.length, { quietMs: Number.POSITIVE_INFINITY, timeoutMs: opts.timeoutMs, what: 'syslog TCP' });
    return figure('tcp', n, lines.length, w, t0);
  } finally {
    for (const s of sockets) s.destroy();
  }
}
