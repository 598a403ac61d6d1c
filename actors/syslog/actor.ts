// The syslog listener as an actor: UDP and TCP on MUTT_SYSLOG_PORT, each line parsed (never refused) and
// stored in MUTT_EVENTS before it counts as received; TCP stops reading while NATS cannot take more.
// Parsing and framing live in parse.ts / framing.ts, sockets in listener.ts.

import { defineActor } from '../runtime/define.ts';
import { ConnectionState, publishEventsOrThrow } from '../runtime/publish-events.ts';
import { jsPublisher } from '../runtime/js-publisher.ts';
import { startSyslogListener } from './listener.ts';

export default defineActor({
  name: 'syslog',
  publishes: ['mutt.events.syslog.>'],
  async run(rt) {
    const link = new ConnectionState(rt.nc);
    const pub = jsPublisher(rt.nc);
    const listener = await startSyslogListener({
      port: rt.env.MUTT_SYSLOG_PORT,
      host: rt.env.MUTT_HTTP_HOST,
      publish: (events) => publishEventsOrThrow(pub, events, link),
      log: rt.log,
      registry: rt.registry,
      maxConnections: rt.env.MUTT_SYSLOG_TCP_MAX_CONNECTIONS,
      maxPerAddress: rt.env.MUTT_SYSLOG_TCP_MAX_PER_ADDRESS,
      firstByteTimeoutMs: rt.env.MUTT_SYSLOG_TCP_FIRST_BYTE_TIMEOUT_MS,
      idleTimeoutMs: rt.env.MUTT_SYSLOG_TCP_IDLE_TIMEOUT_MS,
    });
    rt.health.set('listener:syslog', true, `udp ${listener.udpPort}, tcp ${listener.tcpPort}`);
    rt.log.info({ udpPort: listener.udpPort, tcpPort: listener.tcpPort }, `syslog listening on udp/tcp ${listener.udpPort}`);
    await new Promise<void>((resolve) => rt.signal.addEventListener('abort', () => resolve(), { once: true }));
    await listener.close();
    rt.health.remove('listener:syslog');
  },
});
