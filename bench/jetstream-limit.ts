// The ceiling MUTT's figures are compared with: on the same nats-server, with payloads of the same size, how
// fast JetStream stores async publishes (file storage, one work-queue stream like MUTT's, no headers, no dedupe
// id) and how fast one pull consumer takes them and acknowledges each (until the stream is empty) — plus what
// the server spent in CPU per 1,000 messages. The same on a 3-node cluster on loopback with 3 replicas gives the
// replication cost used in docs/PERFORMANCE.md's cluster sizing.
//   const limit = await measureJetStreamLimit(nc, payloads, { window: 1024, serverPids: [pid] })
//   const r3 = await measureClusterLimit(payloads, { window: 1024 })

import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { startCluster } from '../tests/helpers/nats-cluster.ts';
import { publishAll, type OutMessage } from './nats-producer.ts';
import { jsPublisher } from '../actors/runtime/js-publisher.ts';
import { cpuSeconds, findPid } from './proc-stats.ts';

export interface JetStreamLimit {
  messages: number;
  payloadBytes: number;
  replicas: number;
  publishPerSec: number;
  consumeAckPerSec: number;
  /** nats-server CPU seconds (all nodes) per 1,000 messages published, consumed and acknowledged. */
  serverCpuPer1k: number;
}

const STREAM = 'BENCH_LIMIT';

export async function measureJetStreamLimit(
  nc: NatsConnection,
  payloads: readonly { subject: string; data: Uint8Array }[],
  opts: { window: number; serverPids: number[]; replicas?: number },
): Promise<JetStreamLimit> {
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const replicas = opts.replicas ?? 1;
  await jsm.streams.delete(STREAM).catch(() => false);
  await jsm.streams.add({
    name: STREAM,
    subjects: ['bench.limit.>'],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    max_msgs: -1,
    max_bytes: -1,
    num_replicas: replicas,
  });
  const serverCpu = () => opts.serverPids.reduce((a, pid) => a + cpuSeconds(pid), 0);
  try {
    const messages: OutMessage[] = payloads.map((p) => ({ subject: p.subject.replace(/^mutt\.events\./, 'bench.limit.'), data: p.data }));
    const payloadBytes = Math.round(messages.reduce((a, m) => a + m.data.length, 0) / Math.max(1, messages.length));
    const cpu0 = serverCpu();
    const pub = await publishAll(jsPublisher(nc), messages, { window: opts.window });

    await jsm.consumers.add(STREAM, {
      durable_name: 'bench',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: 20_000,
      num_replicas: replicas,
    });
    const consumer = await js.consumers.get(STREAM, 'bench');
    const started = performance.now();
    const iter = await consumer.consume({ max_messages: 2000 });
    let seen = 0;
    for await (const m of iter) {
      m.ack();
      if (++seen >= messages.length) break;
    }
    await iter.close().catch(() => undefined);
    // Acks are fire-and-forget: the work is done when the server has removed every message.
    for (;;) {
      const info = await jsm.streams.info(STREAM);
      if (info.state.messages === 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const consumeSeconds = (performance.now() - started) / 1000;
    const cpu = serverCpu() - cpu0;
    return {
      messages: messages.length,
      payloadBytes,
      replicas,
      publishPerSec: Math.round(pub.perSecond),
      consumeAckPerSec: Math.round(messages.length / consumeSeconds),
      serverCpuPer1k: Math.round((cpu / (messages.length / 1000)) * 10_000) / 10_000,
    };
  } finally {
    await jsm.streams.delete(STREAM).catch(() => false);
  }
}

/** The same measurement on a throwaway 3-node cluster (loopback, one machine: the nodes share its cores). */
export async function measureClusterLimit(
  payloads: readonly { subject: string; data: Uint8Array }[],
  opts: { window: number },
): Promise<JetStreamLimit> {
  const cluster = await startCluster(3);
  try {
    const pids = cluster.urls.map((u) => findPid(['nats-server', `-p ${new URL(u).port}`])).filter((p): p is number => p !== null);
    const nc = await connect({ servers: cluster.urls });
    try {
      // The meta leader answers before every node is ready to hold a replica: retry creating the stream briefly.
      for (let attempt = 1; ; attempt++) {
        try {
          return await measureJetStreamLimit(nc, payloads, { ...opts, serverPids: pids, replicas: 3 });
        } catch (err) {
          if (attempt >= 10) throw err;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    } finally {
      await nc.close();
    }
  } finally {
    await cluster.stop();
  }
}
