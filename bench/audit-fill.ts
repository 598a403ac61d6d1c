// Fills a fresh MUTT installation with event audit records and dead letters for bench/audit-query.ts, written
// the way the product writes them: the benchmark's workload (bench/workload.ts: its rules, hosts, development
// hosts and teams in the KV buckets) is published to MUTT_EVENTS and a real `mutt run alerter` process decides
// every event and stores its audit record; dead letters are built by the runtime's own deadLetter() from the
// alerts that alerter produced (forwarder: retries exhausted, rejected) and from events (alerter: schema invalid).
//   const filled = await fillAudit(nc, jsm, { root, env, records: 100_000, deadLetters: 20_000, log: console.error })

import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { jsPublisher } from '../actors/runtime/js-publisher.ts';
import { eventHeaders } from '../actors/runtime/publish-events.ts';
import { deadLetter } from '../actors/runtime/dead-letter.ts';
import { readRange } from '../actors/runtime/stream-read.ts';
import { Bucket, StreamName } from '../protocol/streams.ts';
import { Headers } from '../protocol/subjects.ts';
import { setConfig } from '../tests/helpers/mutt-config.ts';
import { spawnMutt } from './mutt-processes.ts';
import { publishAll, type OutMessage } from './nats-producer.ts';
import { buildWorkload, encodeForNats, loadWorkload } from './workload.ts';

export interface FillOptions {
  root: string;
  /** Environment of the alerter process (NATS_URL, ...). */
  env: Record<string, string>;
  records: number;
  deadLetters: number;
  rules: number;
  log(line: string): void;
}

export interface Filled {
  records: number;
  deadLetters: number;
  /** Stored time of the first and last audit record and dead letter, epoch ms. */
  audit: { firstAt: number; lastAt: number };
  dlq: { firstAt: number; lastAt: number; firstSeq: number; lastSeq: number };
  /** Records per host (as the event named it), per rule token and per decision. */
  hosts: Map<string, number>;
  rules: Map<string, number>;
  decisions: Map<string, number>;
  /** Seconds the alerter took to write every record. */
  fillSeconds: number;
}

export async function fillAudit(nc: NatsConnection, jsm: JetStreamManager, o: FillOptions): Promise<Filled> {
  const w = buildWorkload(o.rules, { poolSize: Math.min(o.records, 40_000) });
  const kvm = new Kvm(nc);
  await loadWorkload(w, await kvm.open(Bucket.rules), await kvm.open(Bucket.hosts));
  // Nothing forwards the alerts here: the alerter must not pause for a MUTT_ALERTS backlog.
  await setConfig(nc, { alerter_backpressure_depth: 100_000_000 });

  const now = Date.now();
  const messages: OutMessage[] = w.events(o.records, `audit-${now.toString(36)}`).map((it) => {
    const e = encodeForNats(it, now);
    return { subject: e.subject, data: e.data, msgId: e.id, headers: eventHeaders({ correlationId: it.id, host: it.host }) };
  });
  const alerter = await spawnMutt('alerter', 'audit-bench-alerter', o.root, o.env);
  const started = performance.now();
  try {
    await publishAll(jsPublisher(nc), messages, { window: 1024 });
    // Every event gives one record (a meta-alert one more): done when the events are gone and the count stands still.
    let last = -1;
    for (;;) {
      const [events, audit] = await Promise.all([jsm.streams.info(StreamName.events), jsm.streams.info(StreamName.auditEvents)]);
      if (events.state.messages === 0 && audit.state.messages >= o.records && audit.state.messages === last) break;
      if (alerter.exited()) throw new Error(`the alerter exited while filling:\n${alerter.tail()}`);
      last = audit.state.messages;
      o.log(`  audit records ${audit.state.messages} / ${o.records}, events waiting ${events.state.messages}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    await alerter.stop();
  }
  const fillSeconds = (performance.now() - started) / 1000;

  await fillDeadLetters(nc, jsm, o.deadLetters);
  const [audit, dlq] = await Promise.all([jsm.streams.info(StreamName.auditEvents), jsm.streams.info(StreamName.dlq)]);
  const counts = await countRecords(jsm);
  return {
    records: audit.state.messages,
    deadLetters: dlq.state.messages,
    audit: { firstAt: Date.parse(audit.state.first_ts), lastAt: Date.parse(audit.state.last_ts) },
    dlq: {
      firstAt: Date.parse(dlq.state.first_ts),
      lastAt: Date.parse(dlq.state.last_ts),
      firstSeq: dlq.state.first_seq,
      lastSeq: dlq.state.last_seq,
    },
    ...counts,
    fillSeconds,
  };
}

/** Dead letters as the forwarder (85 % retries exhausted, 10 % rejected) and the alerter (5 % schema invalid) store them. */
async function fillDeadLetters(nc: NatsConnection, jsm: JetStreamManager, n: number): Promise<void> {
  if (n <= 0) return;
  const js = jetstream(nc);
  const alerts = (await jsm.streams.info(StreamName.alerts)).state;
  const events = await readRange(jsm, StreamName.auditEvents, '>', { fromSeq: 1, max: 100 });
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 20;
    const firstSeenAt = Date.now() - 3_600_000;
    if (kind === 19 && events.msgs.length > 0) {
      const m = events.msgs[i % events.msgs.length];
      const h = natsHeaders();
      h.set(Headers.correlationId, `bench-${i}`);
      pending.push(
        deadLetter(js, {
          stage: 'alerter',
          reason: 'schema_invalid',
          attempts: 1,
          firstError: 'event.host: expected string',
          lastError: 'event.host: expected string',
          firstSeenAt,
          originalSubject: m.subject,
          originalStream: StreamName.events,
          originalSeq: 1_000_000 + i,
          originalHeaders: h,
          originalPayload: m.data,
        }),
      );
    } else {
      const seq = alerts.first_seq + (i % Math.max(1, alerts.messages));
      pending.push(
        jsm.streams.getMessage(StreamName.alerts, { seq }).then((m) => {
          if (!m) throw new Error(`alert ${seq} vanished while the benchmark filled the dead-letter queue`);
          const rejected = kind >= 17;
          return deadLetter(js, {
            stage: 'forwarder',
            reason: rejected ? 'rejected' : 'retries_exhausted',
            attempts: rejected ? 1 : 5,
            firstError: rejected ? 'Moogsoft answered 400: invalid severity' : 'connect ECONNREFUSED 10.0.0.5:443',
            lastError: rejected ? 'Moogsoft answered 400: invalid severity' : 'Moogsoft answered 503 Service Unavailable',
            status: rejected ? 400 : 503,
            firstSeenAt,
            originalSubject: m.subject,
            originalStream: StreamName.alerts,
            originalSeq: 2_000_000 + i,
            originalHeaders: m.header,
            originalPayload: m.data,
          });
        }),
      );
    }
    if (pending.length >= 256) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
}

/** One pass over the records' headers: how many per host, rule and decision (for picking query parameters). */
async function countRecords(jsm: JetStreamManager): Promise<Pick<Filled, 'hosts' | 'rules' | 'decisions'>> {
  const hosts = new Map<string, number>();
  const rules = new Map<string, number>();
  const decisions = new Map<string, number>();
  const add = (m: Map<string, number>, k: string | undefined) => k && m.set(k, (m.get(k) ?? 0) + 1);
  for (let seq = 1; ;) {
    const r = await readRange(jsm, StreamName.auditEvents, '>', { fromSeq: seq, max: 5000 });
    for (const m of r.msgs) {
      add(hosts, m.header?.get(Headers.host));
      add(rules, m.subject.split('.')[4]);
      add(decisions, m.header?.get(Headers.decision));
      seq = m.seq + 1;
    }
    if (r.stop === 'end') return { hosts, rules, decisions };
  }
}
