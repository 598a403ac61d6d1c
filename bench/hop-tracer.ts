// Latency by hop, for `--hops`: a separate process (so the driver's own GC does not stamp its times) that
// watches the pipeline's subjects with plain core NATS subscriptions — it sees each event and each alert the
// moment it is published, without consuming anything — and notes when it first saw each event id.
// Run by bench/run.ts; stops on SIGTERM and writes { events: [[id, epochMs]], alerts: [[eventId, epochMs]] }
// to the file named by its second argument.
//   tsx bench/hop-tracer.ts nats://127.0.0.1:4222 /tmp/hops.json

import { writeFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { decodeRaw } from '../protocol/codec.ts';

const [url, out] = process.argv.slice(2);
if (!url || !out) {
  console.error('usage: tsx bench/hop-tracer.ts <nats-url> <out.json>');
  process.exit(2);
}
const nc = await connect({ servers: url });
const events = new Map<string, number>();
const alerts = new Map<string, number>();
// Date.now() is whole ms; the fake Moogsoft stamps Date.now() too, so the same clock with a finer grain.
const now = () => performance.timeOrigin + performance.now();
const watch = (subject: string, key: 'id' | 'eventId', into: Map<string, number>) =>
  nc.subscribe(subject, {
    callback: (_err, msg) => {
      const t = now();
      try {
        const id = (decodeRaw(msg.data) as Record<string, unknown>)[key];
        if (typeof id === 'string' && !into.has(id)) into.set(id, t);
      } catch {
        /* not one of ours */
      }
    },
  });
watch('mutt.events.>', 'id', events);
watch('mutt.alerts.>', 'eventId', alerts);
await nc.flush();
console.log('tracing');
process.once('SIGTERM', () => {
  writeFileSync(out, JSON.stringify({ events: [...events], alerts: [...alerts] }));
  void nc.close().finally(() => process.exit(0));
});
