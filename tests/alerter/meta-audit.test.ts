// One meta-alert is one meta audit record, and an unmatched event delivered twice is counted once — on the
// shipped `mutt up` (tests/helpers/shipped.ts) with the fake Moogsoft, read back through the audit API.
// Issue 16 item 9: 60 unmatched events from one host with threshold 50 gave one meta-alert at Moogsoft but 59
// `meta_alert forwarded:true` audit records (every handler of the batch that crossed the threshold, and of the
// batches before the alerted mark was stored, published a meta audit record keyed by its own event id).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { startShipped, type Shipped } from '../helpers/shipped.ts';
import { setConfig } from '../helpers/mutt-config.ts';
import { waitFor } from '../helpers/wait.ts';
import { sampleEvent } from '../helpers/test-actor.ts';
import { encode } from '../../protocol/codec.ts';
import { IngestEvent } from '../../protocol/messages.ts';
import { Bucket, Durable, StreamName } from '../../protocol/streams.ts';
import { subjects } from '../../protocol/subjects.ts';

const t = suite('meta-alert audit');
let m: Shipped;
let nc: NatsConnection;

interface AuditItem {
  event_id: string;
  kind: string;
  decision: string;
  forwarded: boolean;
  alert_id?: string;
  host: string;
}

async function auditOf(host: string, decision: string): Promise<AuditItem[]> {
  const r = await m.request('GET', `/api/v2/audit/events?host=${encodeURIComponent(host)}&decision=${decision}&limit=500`);
  assert.is(r.status, 200, await r.clone().text());
  return ((await r.json()) as { items: AuditItem[] }).items;
}

const metasAtMoog = (host: string) => m.moog!.events(0, 100_000).filter((e) => JSON.stringify(e.event).includes(`from '${host}'`));

t.before(async () => {
  m = await startShipped();
  nc = await connect({ servers: m.natsUrl });
  await setConfig(nc, { unhandled_threshold: 50, unhandled_window_seconds: 3600, unhandled_default_team: 'NETO' });
});

t.after(async () => {
  await nc?.close();
  await m?.stop();
});

t('60 unmatched events from one host, threshold 50: one meta-alert at Moogsoft and exactly one meta audit record', async () => {
  const host = 'flappy-sw1.example.com';
  const batch = Array.from({ length: 60 }, (_, i) => ({ host, message: `unknown chatter ${i} from port Gi0/${i}`, severity: 'warning' }));
  const r = await m.request('POST', '/api/v2/events', batch);
  assert.is(r.status, 202, await r.text());
  await waitFor(async () => (await auditOf(host, 'unhandled')).length === 60, 20_000, '60 unhandled audit records');
  await waitFor(() => metasAtMoog(host).length === 1, 20_000, 'the meta-alert at the fake Moogsoft');
  // Everything decided: nothing left in either work stream, so no late meta record can still come.
  const jsm = await jetstreamManager(nc);
  await waitFor(
    async () =>
      (await jsm.streams.info(StreamName.events)).state.messages === 0 && (await jsm.streams.info(StreamName.alerts)).state.messages === 0,
    20_000,
    'streams drained',
  );
  const metas = await auditOf(host, 'meta_alert');
  assert.is(metas.length, 1, `meta audit records: ${metas.map((x) => x.event_id).join(', ')}`);
  assert.is(metas[0].forwarded, true);
  assert.match(metas[0].alert_id ?? '', /^meta:/);
  assert.is(metasAtMoog(host).length, 1);
});

t('an unmatched event delivered twice is counted once: 49 events twice stay below threshold 50, the 50th distinct one fires', async () => {
  const host = 'twice-sw2.example.com';
  const js = jetstream(nc);
  // The same event (same id) stored twice, as a redelivery or a sender's retry past the ingest de-duplication
  // window presents it; a Nats-Msg-Id of its own each time so MUTT_EVENTS keeps both.
  const publish = (i: number, copy: number) => {
    const e = { ...sampleEvent(`twice-${i}`, `odd noise ${i} on line ${i}`), host } as IngestEvent;
    return js.publish(subjects.event(e.kind, host), encode(IngestEvent, e), { msgID: `twice-${i}-copy-${copy}` });
  };
  for (let copy = 0; copy < 2; copy++) await Promise.all(Array.from({ length: 49 }, (_, i) => publish(i, copy)));
  const jsm = await jetstreamManager(nc);
  await waitFor(
    async () => {
      const c = await jsm.consumers.info(StreamName.events, Durable.alerter);
      return (
        c.num_pending === 0 &&
        c.num_ack_pending === 0 &&
        c.delivered.stream_seq >= (await jsm.streams.info(StreamName.events)).state.last_seq
      );
    },
    20_000,
    'the 98 copies handled',
  );
  const counters = await new Kvm(nc).open(Bucket.unhandled);
  const counts: number[] = [];
  for await (const k of await counters.keys()) {
    const e = await counters.get(k);
    if (e?.string().includes('"count"')) counts.push((e.json() as { count: number }).count);
  }
  assert.ok(counts.includes(49), `a counter at 49 expected, counters: ${counts.join(', ')}`);
  assert.is((await auditOf(host, 'unhandled')).length, 49, 'one unhandled audit record per event');
  assert.is((await auditOf(host, 'meta_alert')).length, 0, 'no meta-alert below the threshold');

  await publish(49, 0);
  await waitFor(() => metasAtMoog(host).length === 1, 20_000, 'the meta-alert of the 50th distinct event');
  await waitFor(async () => (await auditOf(host, 'meta_alert')).length === 1, 10_000, 'its meta audit record');
});

t.run();
