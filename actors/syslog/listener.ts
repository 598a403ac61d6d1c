// The syslog listener: UDP and TCP on one port, each line parsed into a SyslogEvent and handed to `publish`,
// which resolves only once the events are stored (the caller wires it to JetStream; this file knows no NATS).
// TCP is lossless: lines are batched per read, a connection stops being read while too many events await
// storage, and a failed batch is retried with backoff while its connection stays paused — a NATS outage
// pushes back on senders instead of dropping lines. UDP cannot push back: beyond the in-flight cap, or when a
// publish fails, datagrams are dropped and counted (mutt_syslog_udp_datagrams_dropped_total{reason}).
// TCP connections are a bounded, fair resource (policy and rsyslog's expectations: docs/RELIABILITY.md): at the
// cap in all or per source address a newcomer evicts the idlest connection that has nothing being stored —
// never-spoken ones first — so idle peers cannot lock out a sender; a connection that never sends is closed
// after firstByteTimeoutMs, one that went quiet after idleTimeoutMs (long: senders keep one connection open).
// Counted in mutt_syslog_tcp_connections_total{event}.
//   const l = await startSyslogListener({ port: 5514, publish, log, registry }); ...; await l.close()

import type dgram from 'node:dgram';
import type net from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { IngestEvent, SyslogEvent } from '../../protocol/messages.ts';
import { ConnectionPool } from '../runtime/connection-pool.ts';
import { bindTcpAndUdp } from './bind.ts';
import { SyslogFramer, type Frame } from './framing.ts';
import { syslogMetrics } from './metrics.ts';
import { parseSyslog } from './parse.ts';

export interface SyslogListenerOptions {
  /** Port for both UDP and TCP; 0 = a free port (read it back from the result). */
  port: number;
  /** Address to bind; default 0.0.0.0. */
  host?: string;
  /** Stores events durably; resolves when stored, rejects when not. */
  publish: (events: IngestEvent[]) => Promise<void>;
  log: Logger;
  registry: Registry;
  /** Events accepted but not yet stored, beyond which TCP reading pauses and UDP drops. Default 5000. */
  maxInFlight?: number;
  /** Largest TCP frame; longer ones are cut and flagged. Default 64 KiB. */
  maxFrameBytes?: number;
  /** Largest batch handed to one publish call. Default 500. */
  maxBatch?: number;
  /** Backoff between retries of a failed TCP batch. Default 100 ms doubling to 5 s. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Open TCP connections allowed at once; beyond, the idlest is evicted (a newcomer refused when all are busy). Default 2000. */
  maxConnections?: number;
  /** The same, per source address. Default 100. */
  maxPerAddress?: number;
  /** A connection that sends nothing is closed after this long. Default 30 s. */
  firstByteTimeoutMs?: number;
  /** A connection that has sent and went quiet is closed after this long; 0 = never. Default 1 h. */
  idleTimeoutMs?: number;
  /** How long close() keeps retrying unstored TCP lines before giving up on them (logged, counted). Default 10 s. */
  closeTimeoutMs?: number;
}

export interface SyslogListener {
  udpPort: number;
  tcpPort: number;
  close(): Promise<void>;
}

interface Connection {
  socket: net.Socket;
  address: string | undefined;
  framer: SyslogFramer;
  pending: SyslogEvent[];
  draining: Promise<void> | null;
  paused: boolean;
  retrying: boolean;
}

export async function startSyslogListener(opts: SyslogListenerOptions): Promise<SyslogListener> {
  const host = opts.host ?? '0.0.0.0';
  const maxInFlight = Math.max(1, opts.maxInFlight ?? 5000);
  const maxBatch = Math.max(1, opts.maxBatch ?? 500);
  const retryMinMs = Math.max(1, opts.retryMinMs ?? 100);
  const retryMaxMs = Math.max(retryMinMs, opts.retryMaxMs ?? 5000);
  const closeTimeoutMs = opts.closeTimeoutMs ?? 10_000;
  const m = syslogMetrics(opts.registry);
  const log = opts.log;

  const connections = new Set<Connection>();
  const pool = new ConnectionPool<Connection>({
    max: Math.max(1, opts.maxConnections ?? 2000),
    maxPerAddress: Math.max(1, opts.maxPerAddress ?? 100),
  });
  const firstByteTimeoutMs = opts.firstByteTimeoutMs ?? 30_000;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 3_600_000;
  const udpPublishes = new Set<Promise<void>>();
  let udpBatch: SyslogEvent[] = [];
  let udpFlushScheduled = false;
  let lastUdpWarnAt = 0;
  let inFlight = 0;
  let closing = false;
  let abandonAt = Infinity;
  const drains = new Set<Promise<void>>();

  const addInFlight = (n: number) => {
    inFlight += n;
    m.inFlight.set(inFlight);
  };

  const toEvent = (frame: Frame, address: string | undefined, input: 'syslog-udp' | 'syslog-tcp', receivedAt: number): SyslogEvent => {
    const event = parseSyslog(frame.line, { receivedAt, address, input });
    if (frame.truncated) {
      event.fields = { ...event.fields, truncated: true };
      m.truncated.inc({ transport: input === 'syslog-tcp' ? 'tcp' : 'udp' });
    }
    m.parsed.inc({ status: event.parse });
    return event;
  };

  // ---- TCP

  const pause = (c: Connection) => {
    if (c.paused) return;
    c.paused = true;
    c.socket.pause();
    m.pausedConnections.inc();
  };

  const resumeIfRoom = () => {
    if (closing || inFlight >= maxInFlight) return;
    for (const c of connections) {
      if (c.paused && !c.retrying) {
        c.paused = false;
        c.socket.resume();
        m.pausedConnections.dec();
      }
    }
  };

  const sleepers = new Set<() => void>();
  /** Backoff sleep, cut short by close() and never past the point where close() gives up. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(ms, abandonAt - Date.now())));
      sleepers.add(done);
    });

  /** Publishes one TCP batch until it is stored; gives up only when close() has waited long enough. */
  const publishTcp = async (c: Connection, batch: SyslogEvent[]) => {
    let delay = retryMinMs;
    for (;;) {
      try {
        await opts.publish(batch);
        m.published.inc({ transport: 'tcp' }, batch.length);
        c.retrying = false;
        return;
      } catch (err) {
        m.publishErrors.inc({ transport: 'tcp' });
        if (Date.now() >= abandonAt) {
          m.abandoned.inc(batch.length);
          log.error(
            { err: errorText(err), lines: batch.length, address: c.address },
            'syslog: giving up on unstored TCP lines at shutdown',
          );
          c.retrying = false;
          return;
        }
        // Stays paused (resumeIfRoom skips it) until this batch is stored.
        c.retrying = true;
        pause(c);
        log.warn(
          { err: errorText(err), lines: batch.length, address: c.address, retryInMs: delay },
          'syslog: publish failed, TCP connection paused, retrying',
        );
        await sleep(delay);
        delay = Math.min(delay * 2, retryMaxMs);
      }
    }
  };

  const drain = (c: Connection) => {
    if (c.draining) return;
    pool.busy(c, true);
    const d = (async () => {
      while (c.pending.length > 0) {
        const batch = c.pending.splice(0, maxBatch);
        await publishTcp(c, batch);
        addInFlight(-batch.length);
        resumeIfRoom();
      }
    })().finally(() => {
      c.draining = null;
      pool.busy(c, false);
      drains.delete(d);
    });
    c.draining = d;
    drains.add(d);
  };

  const acceptFrames = (c: Connection, frames: Frame[]) => {
    if (frames.length === 0) return;
    const receivedAt = Date.now();
    for (const f of frames) c.pending.push(toEvent(f, c.address, 'syslog-tcp', receivedAt));
    m.received.inc({ transport: 'tcp' }, frames.length);
    addInFlight(frames.length);
    if (inFlight >= maxInFlight) pause(c);
    drain(c);
  };

  /** Closes a connection, keeping a last line it sent without a line break. */
  const shut = (c: Connection, event: 'evicted' | 'timed_out') => {
    m.connectionEvents.inc({ event });
    try {
      acceptFrames(c, c.framer.end());
    } catch (err) {
      log.error({ err: errorText(err), address: c.address }, 'syslog: cannot handle end of TCP stream');
    }
    c.socket.destroy();
  };

  const onConnection = (socket: net.Socket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    const c: Connection = {
      socket,
      address: socket.remoteAddress,
      framer: new SyslogFramer({ maxFrameBytes: opts.maxFrameBytes }),
      pending: [],
      draining: null,
      paused: false,
      retrying: false,
    };
    const admitted = pool.admit(c, socket.remoteAddress);
    if (!admitted.ok) {
      m.connectionEvents.inc({ event: 'refused' });
      socket.destroy();
      return;
    }
    for (const old of admitted.evicted) shut(old, 'evicted');
    m.connectionEvents.inc({ event: 'accepted' });
    connections.add(c);
    m.connections.inc();
    socket.setTimeout(firstByteTimeoutMs);
    socket.on('timeout', () => shut(c, 'timed_out'));
    let spoke = false;
    socket.on('data', (chunk: Buffer) => {
      pool.activity(c);
      if (!spoke) {
        spoke = true;
        socket.setTimeout(idleTimeoutMs);
      }
      try {
        acceptFrames(c, c.framer.push(chunk));
      } catch (err) {
        log.error({ err: errorText(err), address: c.address }, 'syslog: cannot handle TCP data');
      }
    });
    socket.on('end', () => {
      try {
        acceptFrames(c, c.framer.end());
      } catch (err) {
        log.error({ err: errorText(err), address: c.address }, 'syslog: cannot handle end of TCP stream');
      }
    });
    socket.on('error', (err) => log.debug({ err: err.message, address: c.address }, 'syslog: TCP connection error'));
    socket.on('close', () => {
      pool.remove(c);
      connections.delete(c);
      m.connections.dec();
      if (c.paused) m.pausedConnections.dec();
      c.paused = false;
    });
  };

  // ---- UDP

  const flushUdp = () => {
    udpFlushScheduled = false;
    if (udpBatch.length === 0) return;
    const batch = udpBatch;
    udpBatch = [];
    const p = opts
      .publish(batch)
      .then(
        () => {
          m.published.inc({ transport: 'udp' }, batch.length);
        },
        (err) => {
          m.publishErrors.inc({ transport: 'udp' });
          m.dropped.inc({ reason: 'publish_failed' }, batch.length);
          // One line per 10 s: during an outage every batch fails, and the counter has the totals.
          if (Date.now() - lastUdpWarnAt >= 10_000) {
            lastUdpWarnAt = Date.now();
            log.warn(
              { err: errorText(err), datagrams: batch.length },
              'syslog: publish failed, UDP datagrams dropped (see mutt_syslog_udp_datagrams_dropped_total)',
            );
          }
        },
      )
      .finally(() => {
        udpPublishes.delete(p);
        addInFlight(-batch.length);
        resumeIfRoom();
      });
    udpPublishes.add(p);
  };

  const onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    try {
      m.received.inc({ transport: 'udp' });
      if (inFlight >= maxInFlight) {
        m.dropped.inc({ reason: 'backpressure' });
        return;
      }
      udpBatch.push(toEvent({ line: msg.toString('utf8'), truncated: false }, rinfo.address, 'syslog-udp', Date.now()));
      addInFlight(1);
      if (udpBatch.length >= Math.min(maxBatch, 100)) flushUdp();
      else if (!udpFlushScheduled) {
        udpFlushScheduled = true;
        setImmediate(flushUdp);
      }
    } catch (err) {
      log.error({ err: errorText(err), address: rinfo.address }, 'syslog: cannot handle UDP datagram');
    }
  };

  const { server, udp, port } = await bindTcpAndUdp({ port: opts.port, host, onConnection, onMessage });
  try {
    udp.setRecvBufferSize(8 * 1024 * 1024);
  } catch {
    // Capped by net.core.rmem_max; the default buffer still works, it just drops sooner under bursts.
  }
  server.on('error', (err) => log.error({ err: err.message }, 'syslog: TCP server error'));
  udp.on('error', (err) => log.error({ err: err.message }, 'syslog: UDP socket error'));
  log.info({ udpPort: port, tcpPort: port, host }, 'syslog listener started');

  const close = async () => {
    if (closing) return;
    closing = true;
    abandonAt = Date.now() + closeTimeoutMs;
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    flushUdp();
    for (const c of [...connections]) {
      c.socket.pause();
      acceptFrames(c, c.framer.end());
      c.socket.destroy();
    }
    for (const wakeUp of [...sleepers]) wakeUp();
    const everything = Promise.all([...drains, ...udpPublishes, serverClosed]);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, closeTimeoutMs + 1000)));
    await Promise.race([everything, deadline]);
    clearTimeout(timer);
    log.info({ port }, 'syslog listener closed');
  };

  return { udpPort: port, tcpPort: port, close };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
