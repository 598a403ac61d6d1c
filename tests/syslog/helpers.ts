// Shared by the syslog tests: a silent logger, a publish callback that records what it was given, metric
// readers, and a wait-until helper (waiting is not asserting: tests assert the outcome, never the time).
//   const rec = recorder(); await startSyslogListener({ ..., publish: rec.publish })

import dgram from 'node:dgram';
import net from 'node:net';
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import type { IngestEvent } from '../../protocol/messages.ts';

export const silentLog = pino({ level: 'silent' });

export interface Recorder {
  events: IngestEvent[];
  calls: number;
  publish: (events: IngestEvent[]) => Promise<void>;
  /** When set, each call runs this first; throwing makes the publish fail. */
  before?: (events: IngestEvent[], call: number) => Promise<void> | void;
}

export function recorder(): Recorder {
  const r: Recorder = {
    events: [],
    calls: 0,
    publish: async (events) => {
      const call = ++r.calls;
      if (r.before) await r.before(events, call);
      r.events.push(...events);
    },
  };
  return r;
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const data = await metric.get();
  const hit = data.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return hit?.value ?? 0;
}

export function sendUdp(port: number, payloads: (string | Buffer)[], host = '127.0.0.1'): Promise<void> {
  const sock = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    let left = payloads.length;
    if (left === 0) return resolve();
    for (const p of payloads) {
      sock.send(p, port, host, (err) => {
        if (err) reject(err);
        if (--left === 0) sock.close(() => resolve());
      });
    }
  });
}

export function sendTcp(port: number, data: string | Buffer, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host }, () => sock.end(data));
    sock.on('error', reject);
    sock.on('close', () => resolve());
  });
}
