// How an HTTP batch of 100 events is cheapest to store on a current nats-server: 100 publishes with a PubAck each
// (MUTT's path on every server), one atomic batch (nats-server >= 2.12, allow_atomic: one reply for the batch),
// nats.js's own startBatch (the same, with a round trip for its first message), and fast ingest (>= 2.14,
// allow_batched, flow-controlled acks; nats.js exports it only from its internal module). Every message carries
// MUTT's headers and a Nats-Msg-Id. Into a MUTT_EVENTS-like stream (file storage, work queue, discard new),
// a few batches in flight at once like concurrent HTTP requests, the modes interleaved A B C D A B C D in one
// run; per mode: msgs/s, and CPU seconds per 1,000 messages of this client and of nats-server. With a nats CLI
// (MUTT_NATS_CLI) `nats bench js pub batch` (natscli 0.5's atomic batch mode) runs beside it.
//   npx tsx bench/batch-publish.ts [--server PATH] [--messages 20000] [--rounds 3] [--in-flight 8] [--batch 100]

import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { connect, headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { startFastIngest } from '@nats-io/jetstream/internal';
import { startNats } from '../tests/helpers/nats-server.ts';
import { encodeHeaderBlock, jsPublisher } from '../actors/runtime/js-publisher.ts';
import { serverFeatures } from '../actors/runtime/server-features.ts';
import { cpuSeconds, findPid, loadAverage } from './proc-stats.ts';

const STREAM = 'BENCH_BATCH';
const run = promisify(execFile);

interface BatchMessage {
  subject: string;
  data: Uint8Array;
  msgID: string;
  headers: Record<string, string>;
}

type ModeName = 'one-by-one' | 'atomic' | 'nats.js startBatch' | 'fast ingest';

export interface ModeFigure {
  mode: ModeName;
  /** One entry per round. */
  perSecond: number[];
  clientCpuPer1k: number[];
  serverCpuPer1k: number[];
}

function argOf(args: string[], flag: string, dflt: number): number {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

function batchesOf(n: number, size: number): BatchMessage[][] {
  const out: BatchMessage[][] = [];
  for (let b = 0; b * size < n; b++) {
    const batch: BatchMessage[] = [];
    for (let i = 0; i < size && b * size + i < n; i++) {
      const host = `host-${(b * size + i) % 500}.example.net`;
      batch.push({
        subject: `bench.batch.syslog.${host.replace(/\./g, '_')}`,
        data: randomBytes(400),
        msgID: randomUUID(),
        headers: { 'Mutt-Correlation-Id': randomUUID(), 'Mutt-Host': host },
      });
    }
    out.push(batch);
  }
  return out;
}

async function storeOneByOne(nc: NatsConnection, batch: BatchMessage[]): Promise<void> {
  const js = jsPublisher(nc);
  await Promise.all(batch.map((m) => js.publish(m.subject, m.data, { msgID: m.msgID, headers: m.headers, timeout: 10_000 })));
}

/** Header blocks encoded once, as MUTT's publisher writes them (nats.js's publish only calls encode()). */
function preEncoded(msgID: string, headers: Record<string, string>): MsgHdrs {
  const block = encodeHeaderBlock(msgID, headers)!;
  return { encode: () => block } as unknown as MsgHdrs;
}

/** An atomic batch as the wire protocol has it: every message but the last without a reply, the last with
 *  Nats-Batch-Commit and the batch's one reply (the cheapest a client can make it; nats.js's startBatch also
 *  waits for a reply to the first message). */
async function storeAtomic(nc: NatsConnection, batch: BatchMessage[]): Promise<void> {
  const id = randomUUID();
  const n = batch.length;
  for (let i = 0; i < n - 1; i++) {
    const m = batch[i];
    nc.publish(m.subject, m.data, {
      headers: preEncoded(m.msgID, { ...m.headers, 'Nats-Batch-Id': id, 'Nats-Batch-Sequence': String(i + 1) }),
    });
  }
  const last = batch[n - 1];
  const headers = preEncoded(last.msgID, {
    ...last.headers,
    'Nats-Batch-Id': id,
    'Nats-Batch-Sequence': String(n),
    'Nats-Batch-Commit': '1',
  });
  const r = await nc.request(last.subject, last.data, { headers, timeout: 10_000 });
  const ack = r.json<{ count?: number; error?: { description: string } }>();
  if (ack.error || ack.count !== n) throw new Error(`atomic batch stored ${ack.count ?? 0} of ${n}: ${ack.error?.description ?? ''}`);
}

function hdrs(m: BatchMessage) {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(m.headers ?? {})) h.set(k, v);
  if (m.msgID) h.set('Nats-Msg-Id', m.msgID);
  return h;
}

async function storeNatsJsBatch(nc: NatsConnection, batch: BatchMessage[]): Promise<void> {
  const js = jetstream(nc);
  const b = await js.startBatch(batch[0].subject, batch[0].data, { headers: hdrs(batch[0]), timeout: 10_000 });
  for (const m of batch.slice(1, -1)) b.add(m.subject, m.data, { headers: hdrs(m) });
  const last = batch[batch.length - 1];
  const ack = await b.commit(last.subject, last.data, { headers: hdrs(last), timeout: 10_000 });
  if (ack.count !== batch.length) throw new Error(`startBatch stored ${ack.count} of ${batch.length}`);
}

async function storeFastIngest(nc: NatsConnection, batch: BatchMessage[]): Promise<void> {
  const first = batch[0];
  const fi = await startFastIngest(nc, first.subject, first.data, { allowGaps: false, msgID: first.msgID, headers: hdrs(first) });
  for (const m of batch.slice(1, -1)) await fi.add(m.subject, m.data, { msgID: m.msgID, headers: hdrs(m) });
  const last = batch[batch.length - 1];
  const ack = await fi.last(last.subject, last.data, { msgID: last.msgID, headers: hdrs(last) });
  if (ack.count !== batch.length) throw new Error(`fast ingest stored ${ack.count} of ${batch.length}`);
}

const STORE: Record<ModeName, (nc: NatsConnection, batch: BatchMessage[]) => Promise<void>> = {
  'one-by-one': storeOneByOne,
  atomic: storeAtomic,
  'nats.js startBatch': storeNatsJsBatch,
  'fast ingest': storeFastIngest,
};

async function resetStream(jsm: JetStreamManager): Promise<void> {
  await jsm.streams.delete(STREAM).catch(() => false);
  await jsm.streams.add({
    name: STREAM,
    subjects: ['bench.batch.>'],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    duplicate_window: 120e9,
    allow_atomic: true,
    allow_batched: true,
  } as Parameters<JetStreamManager['streams']['add']>[0]);
}

/** Stores every batch, `inFlight` batches at a time; returns seconds, client and server CPU seconds. */
async function measure(nc: NatsConnection, mode: ModeName, batches: BatchMessage[][], inFlight: number, serverPid: number) {
  const cpu0 = process.cpuUsage();
  const srv0 = cpuSeconds(serverPid);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < batches.length) await STORE[mode](nc, batches[next++]);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  return { seconds, clientCpu: (c.user + c.system) / 1e6, serverCpu: cpuSeconds(serverPid) - srv0 };
}

/** `nats bench js pub batch` of natscli 0.5 on the same server: its atomic-batch publisher, for comparison. */
async function natsCliBatch(url: string, messages: number, batch: number): Promise<string> {
  const cli = process.env.MUTT_NATS_CLI || 'nats';
  try {
    const args = ['bench', 'js', 'pub', 'batch', 'bench.natscli', '--create', '--storage', 'file', '--size', '450', '--purge'];
    const r = await run(
      cli,
      [...args, '--batch', String(batch), '-s', url, '--no-progress', '--stream', 'BENCH_NATS_CLI', '--msgs', String(messages)],
      {
        maxBuffer: 1 << 22,
      },
    );
    const m = (r.stdout + r.stderr).match(/stats: ([\d,]+) msgs\/sec/);
    return m ? `${m[1]} msgs/s` : `no stats line: ${(r.stdout + r.stderr).slice(-300)}`;
  } catch (err) {
    return `not run: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    await run(cli, ['-s', url, 'stream', 'rm', 'BENCH_NATS_CLI', '--force']).catch(() => undefined);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchBatchPublish(opts: { messages: number; rounds: number; inFlight: number; batch: number }) {
  const nats = await startNats();
  const pid = findPid(['nats-server', nats.storeDir]);
  if (pid === null) throw new Error('cannot find the nats-server process');
  const nc = await connect({ servers: nats.url });
  try {
    const features = serverFeatures(nc.info!);
    const modes: ModeName[] = ['one-by-one'];
    if (features.atomicBatch) modes.push('atomic', 'nats.js startBatch');
    if (features.fastIngest) modes.push('fast ingest');
    const jsm = await jetstreamManager(nc);
    const figures = new Map<ModeName, ModeFigure>(
      modes.map((m) => [m, { mode: m, perSecond: [], clientCpuPer1k: [], serverCpuPer1k: [] }]),
    );
    // A warm-up round of each mode, not counted (JIT, file store).
    for (let round = 0; round <= opts.rounds; round++) {
      for (const mode of modes) {
        await resetStream(jsm);
        const batches = batchesOf(round === 0 ? Math.min(2000, opts.messages) : opts.messages, opts.batch);
        const n = batches.reduce((a, b) => a + b.length, 0);
        const r = await measure(nc, mode, batches, opts.inFlight, pid);
        const stored = (await jsm.streams.info(STREAM)).state.messages;
        if (stored !== n) throw new Error(`${mode}: ${stored} of ${n} messages stored`);
        if (round === 0) continue;
        const f = figures.get(mode)!;
        f.perSecond.push(n / r.seconds);
        f.clientCpuPer1k.push(r.clientCpu / (n / 1000));
        f.serverCpuPer1k.push(r.serverCpu / (n / 1000));
      }
    }
    await jsm.streams.delete(STREAM).catch(() => false);
    const cli = features.atomicBatch ? await natsCliBatch(nats.url, opts.messages, opts.batch) : 'not run: the server has no atomic batch';
    return { version: features.version, figures: [...figures.values()], natsCliBatch: cli };
  } finally {
    await nc.close();
    await nats.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const si = args.indexOf('--server');
  if (si >= 0) process.env.MUTT_NATS_SERVER = args[si + 1];
  const opts = {
    messages: argOf(args, '--messages', 20_000),
    rounds: argOf(args, '--rounds', 3),
    inFlight: argOf(args, '--in-flight', 8),
    batch: argOf(args, '--batch', 100),
  };
  const r = await benchBatchPublish(opts);
  console.log(
    `nats-server ${r.version}: ${opts.messages} messages per round in ${opts.batch}-message batches, ${opts.inFlight} in flight, ${opts.rounds} rounds (A B C D interleaved); load ${loadAverage()}`,
  );
  const base = r.figures[0];
  console.log('| mode | msgs/s (median) | client CPU s / 1k | nats-server CPU s / 1k | client+server vs one-by-one |');
  console.log('|---|---:|---:|---:|---:|');
  for (const f of r.figures) {
    const total = median(f.clientCpuPer1k) + median(f.serverCpuPer1k);
    const baseTotal = median(base.clientCpuPer1k) + median(base.serverCpuPer1k);
    console.log(
      `| ${f.mode} | ${Math.round(median(f.perSecond))} | ${median(f.clientCpuPer1k).toFixed(4)} | ${median(f.serverCpuPer1k).toFixed(4)} | ${(total / baseTotal).toFixed(2)} |`,
    );
  }
  console.log(`nats bench js pub batch (natscli, same server): ${r.natsCliBatch}`);
}
