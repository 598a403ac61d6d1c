// The SNMP trap receiver as an actor: v1/v2c traps and informs on MUTT_TRAP_PORT (UDP), community-checked,
// turned into trap events and stored in MUTT_EVENTS. The PDU handling lives in receiver.ts.

import { defineActor } from '../runtime/define.ts';
import { ConnectionState, publishEventsOrThrow } from '../runtime/publish-events.ts';
import { jsPublisher } from '../runtime/js-publisher.ts';
import { startTrapReceiver } from './receiver.ts';

export default defineActor({
  name: 'traps',
  publishes: ['mutt.events.trap.>'],
  async run(rt) {
    const link = new ConnectionState(rt.nc);
    const pub = jsPublisher(rt.nc);
    const receiver = await startTrapReceiver({
      port: rt.env.MUTT_TRAP_PORT,
      host: rt.env.MUTT_HTTP_HOST,
      communities: rt.env.MUTT_TRAP_COMMUNITIES.split(',')
        .map((c) => c.trim())
        .filter(Boolean),
      publish: (events) => publishEventsOrThrow(pub, events, link),
      log: rt.log,
      registry: rt.registry,
    });
    rt.health.set('listener:traps', true, `udp ${receiver.port}`);
    rt.log.info({ port: receiver.port }, `SNMP traps listening on udp ${receiver.port}`);
    await new Promise<void>((resolve) => rt.signal.addEventListener('abort', () => resolve(), { once: true }));
    await receiver.close();
    rt.health.remove('listener:traps');
  },
});
