// The SNMP trap receiver: SNMPv1/v2c traps and v2c informs on one UDP port (net-snmp), community-checked,
// each turned into a TrapEvent and handed to `publish` in small batches (the caller wires it to JetStream;
// this file knows no NATS). Wrong communities and undecodable datagrams are counted
// (mutt_traps_rejected_total{reason}) and the receiver carries on. UDP cannot push back, so a failed publish
// or an over-full pipeline drops the trap and counts it (mutt_traps_dropped_total{reason}).
// net-snmp pitfalls handled here: port 0 would silently mean 162, a throw inside its callback would be an
// uncaughtException, and it offers no "listening" promise.
//   const r = await startTrapReceiver({ port: 1162, communities: ['public'], publish, log, registry }); ...; await r.close()

import type dgram from 'node:dgram';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { IngestEvent, TrapEvent } from '../../protocol/messages.ts';
import { toTrapEvent } from './event.ts';
import { trapMetrics } from './metrics.ts';
import { snmp, type ReceiverCallback, type SnmpReceiver } from './net-snmp.ts';
import { freeUdpPort } from './port.ts';

export interface TrapReceiverOptions {
  /** UDP port; 0 = a free port (read it back from the result). */
  port: number;
  /** Address to bind; default 0.0.0.0. */
  host?: string;
  /** Accepted v1/v2c communities. */
  communities: string[];
  /** Stores events durably; resolves when stored, rejects when not. */
  publish: (events: IngestEvent[]) => Promise<void>;
  log: Logger;
  registry: Registry;
  /** Accepted traps not yet stored beyond which new traps are dropped. Default 5000. */
  maxInFlight?: number;
  /** Largest batch handed to one publish call. Default 100. */
  maxBatch?: number;
}

export interface TrapReceiver {
  port: number;
  close(): Promise<void>;
}

export class TrapReceiverError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TrapReceiverError';
  }
}

export type RejectReason = 'community' | 'auth' | 'malformed' | 'unsupported' | 'other';

/** Why net-snmp refused a datagram, from its error class (never from the message text shown to anyone). */
export function rejectReason(err: Error): RejectReason {
  switch (err.name) {
    case 'RequestFailedError':
      return /community/i.test(err.message) ? 'community' : 'auth';
    case 'ProcessingError':
    case 'ResponseInvalidError':
      return 'malformed';
    case 'RequestInvalidError':
      return 'unsupported';
    default:
      return 'other';
  }
}

const ATTEMPTS = 20;

export async function startTrapReceiver(opts: TrapReceiverOptions): Promise<TrapReceiver> {
  const host = opts.host ?? '0.0.0.0';
  const transport = host.includes(':') ? 'udp6' : 'udp4';
  const communities = opts.communities.filter((c) => c.length > 0);
  if (communities.length === 0) throw new TrapReceiverError('no SNMP community configured: every trap would be rejected');
  const maxInFlight = Math.max(1, opts.maxInFlight ?? 5000);
  const maxBatch = Math.max(1, opts.maxBatch ?? 100);
  const m = trapMetrics(opts.registry);
  const log = opts.log;

  let batch: TrapEvent[] = [];
  let flushScheduled = false;
  let lastWarnAt = 0;
  let inFlight = 0;
  let closing = false;
  const publishes = new Set<Promise<void>>();

  const addInFlight = (n: number) => {
    inFlight += n;
    m.inFlight.set(inFlight);
  };

  const flush = () => {
    flushScheduled = false;
    if (batch.length === 0) return;
    const events = batch;
    batch = [];
    const p = opts
      .publish(events)
      .then(
        () => {
          m.published.inc(events.length);
        },
        (err) => {
          m.publishErrors.inc();
          m.dropped.inc({ reason: 'publish_failed' }, events.length);
          // One line per 10 s: during an outage every batch fails, and the counter has the totals.
          if (Date.now() - lastWarnAt >= 10_000) {
            lastWarnAt = Date.now();
            log.warn(
              { err: err instanceof Error ? err.message : String(err), traps: events.length },
              'traps: publish failed, traps dropped (see mutt_traps_dropped_total)',
            );
          }
        },
      )
      .finally(() => {
        publishes.delete(p);
        addInFlight(-events.length);
      });
    publishes.add(p);
  };

  const onTrap = (data: { pdu: Parameters<typeof toTrapEvent>[0]['pdu']; rinfo: dgram.RemoteInfo }) => {
    const event = toTrapEvent({ pdu: data.pdu, source: { address: data.rinfo.address, port: data.rinfo.port }, receivedAt: Date.now() });
    m.received.inc({ version: event.version });
    if (closing || inFlight >= maxInFlight) {
      m.dropped.inc({ reason: 'backpressure' });
      return;
    }
    batch.push(event);
    addInFlight(1);
    if (batch.length >= maxBatch) flush();
    else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };

  const listen = (port: number): Promise<SnmpReceiver> =>
    new Promise((resolve, reject) => {
      let starting = true;
      const callback: ReceiverCallback = (err, data) => {
        // Everything inside: a throw here would escape net-snmp's socket handler as an uncaughtException.
        try {
          if (err) {
            if (err.code) {
              // A socket error (bind failure, ICMP): not a datagram anyone sent us.
              if (starting) {
                starting = false;
                try {
                  receiver.close();
                } catch {
                  /* never bound */
                }
                reject(err);
              } else log.error({ err: err.message, code: err.code }, 'traps: socket error');
              return;
            }
            const reason = rejectReason(err);
            m.rejected.inc({ reason });
            const rinfo = (err as Error & { rinfo?: dgram.RemoteInfo }).rinfo;
            // The error text may quote the community that was tried: log the reason, not the text.
            log.debug({ reason, address: rinfo?.address }, 'traps: datagram rejected');
            return;
          }
          if (data) onTrap(data);
        } catch (e) {
          m.rejected.inc({ reason: 'other' });
          log.error({ err: e instanceof Error ? e.message : String(e) }, 'traps: cannot handle trap');
        }
      };
      let receiver: SnmpReceiver;
      try {
        receiver = snmp.createReceiver({ port, address: host, transport }, callback);
      } catch (err) {
        reject(err);
        return;
      }
      const authorizer = receiver.getAuthorizer();
      for (const c of communities) authorizer.addCommunity(c);
      const socket = Object.values(receiver.listener.sockets)[0];
      socket.once('listening', () => {
        starting = false;
        resolve(receiver);
      });
    });

  let receiver: SnmpReceiver | undefined;
  let port = opts.port;
  let lastError: unknown;
  for (let attempt = 0; attempt < (opts.port === 0 ? ATTEMPTS : 1); attempt++) {
    port = opts.port === 0 ? await freeUdpPort(host, transport) : opts.port;
    try {
      receiver = await listen(port);
      break;
    } catch (err) {
      lastError = err;
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') break;
    }
  }
  if (!receiver)
    throw new TrapReceiverError(`cannot listen on udp ${host}:${opts.port}: ${(lastError as Error)?.message}`, { cause: lastError });
  try {
    Object.values(receiver.listener.sockets)[0].setRecvBufferSize(8 * 1024 * 1024);
  } catch {
    // Capped by net.core.rmem_max; the default buffer works, it only drops sooner in bursts.
  }
  log.info({ port, host }, 'trap receiver started');

  const r = receiver;
  return {
    port,
    close: async () => {
      if (closing) return;
      closing = true;
      await new Promise<void>((resolve) => r.close(() => resolve()));
      flush();
      await Promise.all([...publishes]);
      log.info({ port }, 'trap receiver closed');
    },
  };
}
