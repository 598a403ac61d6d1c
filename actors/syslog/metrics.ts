// Prometheus metrics of the syslog listener, named mutt_syslog_<what>_<unit>. Created once per registry, so a
// listener restarted in the same process (or two in one test) reuses them.
//   const m = syslogMetrics(registry); m.received.inc({ transport: 'udp' })

import { Counter, Gauge, type Registry } from 'prom-client';

export interface SyslogMetrics {
  received: Counter<'transport'>;
  published: Counter<'transport'>;
  dropped: Counter<'reason'>;
  parsed: Counter<'status'>;
  publishErrors: Counter<'transport'>;
  truncated: Counter<'transport'>;
  abandoned: Counter;
  inFlight: Gauge;
  connections: Gauge;
  connectionEvents: Counter<'event'>;
  pausedConnections: Gauge;
}

const cache = new WeakMap<Registry, SyslogMetrics>();

export function syslogMetrics(registry: Registry): SyslogMetrics {
  const hit = cache.get(registry);
  if (hit) return hit;
  const registers = [registry];
  const m: SyslogMetrics = {
    received: new Counter({
      name: 'mutt_syslog_lines_received_total',
      help: 'Syslog lines received, by transport (udp, tcp)',
      labelNames: ['transport'],
      registers,
    }),
    published: new Counter({
      name: 'mutt_syslog_events_published_total',
      help: 'Syslog events stored in MUTT_EVENTS, by transport',
      labelNames: ['transport'],
      registers,
    }),
    dropped: new Counter({
      name: 'mutt_syslog_udp_datagrams_dropped_total',
      help: 'UDP syslog datagrams dropped, by reason (backpressure, publish_failed)',
      labelNames: ['reason'],
      registers,
    }),
    parsed: new Counter({
      name: 'mutt_syslog_lines_parsed_total',
      help: 'Syslog lines by how the parser understood them (rfc5424, rfc3164, cisco, lenient, unparsed)',
      labelNames: ['status'],
      registers,
    }),
    publishErrors: new Counter({
      name: 'mutt_syslog_publish_errors_total',
      help: 'Failed publish attempts (a TCP batch is retried, a UDP batch dropped), by transport',
      labelNames: ['transport'],
      registers,
    }),
    truncated: new Counter({
      name: 'mutt_syslog_lines_truncated_total',
      help: 'Syslog lines cut at the maximum frame size, by transport',
      labelNames: ['transport'],
      registers,
    }),
    abandoned: new Counter({
      name: 'mutt_syslog_tcp_lines_abandoned_total',
      help: 'TCP lines still unpublished when close() gave up waiting for NATS',
      registers,
    }),
    inFlight: new Gauge({
      name: 'mutt_syslog_in_flight_events',
      help: 'Events accepted and not yet stored (queued or being published)',
      registers,
    }),
    connections: new Gauge({ name: 'mutt_syslog_tcp_connections', help: 'Open syslog TCP connections', registers }),
    connectionEvents: new Counter({
      name: 'mutt_syslog_tcp_connections_total',
      help: 'Syslog TCP connections by event: accepted, refused (cap reached, all busy), evicted (idle, to make room), timed_out (silent or idle too long)',
      labelNames: ['event'],
      registers,
    }),
    pausedConnections: new Gauge({
      name: 'mutt_syslog_tcp_paused_connections',
      help: 'TCP connections not being read because publishing is behind',
      registers,
    }),
  };
  for (const event of ['accepted', 'refused', 'evicted', 'timed_out']) m.connectionEvents.inc({ event }, 0);
  cache.set(registry, m);
  return m;
}
