// `npm run bench`: MUTT's performance, measured in one run against its own nats-server (file storage, temp dir,
// free port) and an in-process fake Moogsoft with no rate limit, with MUTT as one `mutt up` process and as one
// process per actor. Prints a line per phase, then one table (each figure beside its ratio to the raw JetStream
// publish rate of the same run, and its target), and writes bench/results/<timestamp>.json.
//   npx tsx bench/run.ts                     # everything, < 5 min on 2 cores
//   npx tsx bench/run.ts --quick             # tiny sizes (smoke test)
//   npx tsx bench/run.ts --mode split --events 100000 --rate 1000,2000,5000 --profile
//   npx tsx bench/run.ts --soak 600          # steady load, RSS of every process each 10 s
//   npx tsx bench/run.ts --soak 1800 --replicas 2 --moog-fail-rate 0.1   # + replicas, a Moogsoft failing 10 %
// Phases per layout: warm-up; NATS producers; HTTP 100-event batches; HTTP single events; (split) gateway
// ingest with the consumers paused, then the alerter alone, then the forwarder alone (with its Moogsoft request
// times); syslog lines by UDP and by TCP to the native listener (split: consumers paused); open-loop latency at
// each --rate; (split) the NATS run again with 2, 4 ... alerter + forwarder replicas.

import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { loadEnv } from '../protocol/env.ts';
import { Bucket } from '../protocol/streams.ts';
import { provision } from '../actors/runtime/provision.ts';
import { natsServerBinary, startNats, type TestNats } from '../tests/helpers/nats-server.ts';
import { setConfig } from '../tests/helpers/mutt-config.ts';
import { startFakeMoog, type FakeMoog } from './fake-moog.ts';
import { benchRuleEngine } from './rules-engine.ts';
import { BENCH_USAGE, BenchUsageError, parseBenchArgs, type BenchOptions } from './options.ts';
import { assertValidEvents, buildWorkload, encodeForNats, loadWorkload, toHttpItem, type BenchItem, type Workload } from './workload.ts';
import { cpuSeconds, findPid, loadAverage, machineFacts, peakRssMb, rssMb } from './proc-stats.ts';
import { spawnAll, type MuttProcess, type Role } from './mutt-processes.ts';
import { measureClusterLimit, measureJetStreamLimit } from './jetstream-limit.ts';
import { natsCliBench } from './nats-cli-bench.ts';
import { jsPublisher, type JsPublisher } from '../actors/runtime/js-publisher.ts';
import { eventHeaders } from '../actors/runtime/publish-events.ts';
import { publishAll, publishWithRetry, type OutMessage } from './nats-producer.ts';
import { HttpSender, sendAll } from './http-sender.ts';
import {
  AlertTracker,
  DrainTimeoutError,
  eventsStored,
  streamDepths,
  waitAlerterDrained,
  waitDrained,
  waitStreamsEmpty,
} from './pipeline-watch.ts';
import { diffHistogram, histogramCount, histogramQuantile, readHistogram, type Histogram } from './histogram-quantile.ts';
import { syslogLines } from './syslog-lines.ts';
import { sendTcp, sendUdp, type SyslogIngest } from './syslog-sender.ts';
import { latencyStats, sendOpenLoop, type OpenLoopSchedule } from './open-loop.ts';
import { formatHops, hopStats } from './hops.ts';
import { startHopTracer, type HopTracer } from './hop-process.ts';
import { formatSummary, summariseProfile, type CpuProfile } from './cpuprofile-summary.ts';
import { boundedMapGauges, gaugeFigures, rssFigures, warmupSeconds, type DeliveryFigures } from './soak-figures.ts';
import {
  checkTargets,
  formatSoak,
  formatServersTable,
  formatTable,
  writeResult,
  type BenchResult,
  type IngestOnly,
  type LatencyFigure,
  type ModeResult,
  type ProcessFigure,
  type ScalingPoint,
  type SoakResult,
  type ThroughputFigure,
} from './report.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MOOG_KEY = 'bench-moog-credential';

interface Bench {
  opts: BenchOptions;
  runId: string;
  nats: TestNats;
  natsPid: number | null;
  nc: NatsConnection;
  /** MUTT's hot-path publisher on the driver's connection: the producers and the limit use it. */
  pub: JsPublisher;
  jsm: JetStreamManager;
  moog: FakeMoog;
  w: Workload;
  env: Record<string, string>;
  apiKey: string;
  profileDir?: string;
  live: Set<MuttProcess>;
}

const started = performance.now();
function progress(message: string): void {
  console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

type Cpu = Map<string, number>;

function cpuSnapshot(b: Bench, procs: readonly MuttProcess[]): Cpu {
  const m: Cpu = new Map();
  for (const p of procs) m.set(p.name, cpuSeconds(p.pid));
  if (b.natsPid !== null) m.set('nats-server', cpuSeconds(b.natsPid));
  const u = process.cpuUsage();
  m.set('driver', (u.user + u.system) / 1e6);
  return m;
}

function cpuPer1k(before: Cpu, after: Cpu, events: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? Number.NaN);
    if (Number.isFinite(d)) out[k] = Math.round((d / (events / 1000)) * 10_000) / 10_000;
  }
  return out;
}

function drainTimeout(events: number): number {
  return Math.max(60_000, events * 5);
}

/** rate × seconds, capped (but always at least one second's worth): past capacity the backlog must still drain. */
function latencyEventCount(o: BenchOptions, rate: number): number {
  return Math.max(1, Math.round(Math.min(rate * o.latencySeconds, Math.max(rate, o.latencyEvents))));
}

type Path = 'nats' | 'httpBatch' | 'httpSingle';

/** One end-to-end throughput run: send every event as fast as the path takes them, then wait until drained. */
/** A workload event as MUTT's ingest stores it: msgpack body, its id as Nats-Msg-Id, the usual headers. */
function eventMessage(it: BenchItem, receivedAt: number): OutMessage {
  const e = encodeForNats(it, receivedAt);
  return { subject: e.subject, data: e.data, msgId: e.id, headers: eventHeaders({ correlationId: it.id, host: it.host }) };
}

async function throughput(
  b: Bench,
  procs: readonly MuttProcess[],
  path: Path,
  items: BenchItem[],
  http?: HttpSender,
): Promise<ThroughputFigure> {
  b.moog.reset();
  const expected = items.reduce((n, it) => n + (it.forwarded ? 1 : 0), 0);
  let send: () => Promise<{ endedAt: number; retries: number }>;
  if (path === 'nats') {
    const now = Date.now();
    const messages = items.map((it) => eventMessage(it, now));
    send = () => publishAll(b.pub, messages, { window: b.opts.publishWindow });
  } else {
    const now = Date.now();
    const size = path === 'httpBatch' ? 100 : 1;
    const bodies: string[] = [];
    for (let i = 0; i < items.length; i += size) {
      bodies.push(JSON.stringify(size === 1 ? toHttpItem(items[i], now) : items.slice(i, i + size).map((it) => toHttpItem(it, now))));
    }
    const concurrency = path === 'httpBatch' ? b.opts.batchConcurrency : b.opts.singleConcurrency;
    send = () => sendAll(http!, bodies, concurrency);
  }
  const dlqBefore = (await streamDepths(b.jsm)).dlq;
  const cpu0 = cpuSnapshot(b, procs);
  const t0 = performance.now();
  const sent = await send();
  const doneAt = await waitDrained(b.jsm, b.moog, expected, { timeoutMs: drainTimeout(items.length), dlqBefore });
  const cpu1 = cpuSnapshot(b, procs);
  const s = b.moog.stats();
  if (s.accepted !== expected) progress(`  note: the fake Moogsoft accepted ${s.accepted} alerts, ${expected} expected`);
  const ingestSeconds = (sent.endedAt - t0) / 1000;
  const seconds = (doneAt - t0) / 1000;
  return {
    events: items.length,
    alerts: s.accepted,
    ingestSeconds: round3(ingestSeconds),
    seconds: round3(seconds),
    ingestPerSec: Math.round(items.length / ingestSeconds),
    eventsPerSec: Math.round(items.length / seconds),
    retries: sent.retries,
    duplicatesAtMoog: s.duplicates,
    cpuPer1kEvents: cpuPer1k(cpu0, cpu1, items.length),
  };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Open-loop NATS producers at `rate` for the configured seconds; latency from each event's due time. */
async function latency(b: Bench, rate: number, label: string): Promise<LatencyFigure> {
  b.moog.reset();
  const items = b.w.events(latencyEventCount(b.opts, rate), label);
  const tracer = b.opts.hops ? await startHopTracer(ROOT, b.nats.url, join(tmpdir(), `mutt-hops-${label}.json`)) : null;
  const tracker = new AlertTracker(b.moog).start();
  const pending: Promise<void>[] = [];
  let schedule: OpenLoopSchedule;
  let seen: Awaited<ReturnType<HopTracer['stop']>> | null;
  try {
    schedule = await sendOpenLoop(items, rate, (item, due) => {
      pending.push(publishWithRetry(b.pub, eventMessage(item, Math.floor(due))));
    });
    await Promise.all(pending);
    await waitDrained(b.jsm, b.moog, schedule.forwardedIds.length, { timeoutMs: drainTimeout(items.length) });
    seen = tracer ? await tracer.stop() : null;
  } finally {
    tracker.stop();
    tracer?.kill();
  }
  const hops = seen ? hopStats(schedule.due, tracker.receivedAt, seen.events, seen.alerts) : undefined;
  return {
    rate,
    via: 'nats',
    sent: schedule.sent,
    maxSendLagMs: schedule.maxSendLagMs,
    ...latencyStats(schedule, tracker.receivedAt),
    hops,
  };
}

function describeThroughput(name: string, f: ThroughputFigure): string {
  return `${name}: ${fmt(f.events)} events, ${fmt(f.alerts)} alerts — ingest ${fmt(f.ingestPerSec)}/s, end-to-end ${fmt(f.eventsPerSec)}/s (${f.seconds.toFixed(2)} s)${f.retries ? `, ${f.retries} retries` : ''}`;
}

async function spawnLayout(b: Bench, specs: { role: Role; name: string }[]): Promise<MuttProcess[]> {
  const procs = await spawnAll(specs, ROOT, b.env, { profileDir: b.profileDir });
  for (const p of procs) b.live.add(p);
  return procs;
}

async function stopAll(b: Bench, procs: readonly MuttProcess[]): Promise<void> {
  await Promise.all(
    procs.map(async (p) => {
      await p.stop();
      b.live.delete(p);
    }),
  );
}

function checkAlive(procs: readonly MuttProcess[]): void {
  const dead = procs.find((p) => p.exited());
  if (dead) throw new Error(`${dead.name} exited during the benchmark:\n${dead.tail()}`);
}

async function warmUp(b: Bench, procs: readonly MuttProcess[], label: string, http?: HttpSender): Promise<void> {
  const n = Math.min(2000, Math.max(200, Math.round(b.opts.events / 4)));
  await throughput(b, procs, 'nats', b.w.events(n, `${label}-nats`));
  if (http) await throughput(b, procs, 'httpBatch', b.w.events(Math.min(1000, n), `${label}-http`), http);
}

async function runLayout(b: Bench, mode: 'up' | 'split'): Promise<{ result: ModeResult; scaling: ScalingPoint[] }> {
  const o = b.opts;
  const id = (phase: string) => `${b.runId}-${mode}-${phase}`;
  progress(
    `${mode}: starting ${mode === 'up' ? "one 'mutt up' process" : "'mutt gateway', 'mutt run alerter', 'mutt run forwarder', 'mutt run syslog'"}`,
  );
  const specs: { role: Role; name: string }[] =
    mode === 'up'
      ? [{ role: 'up', name: 'up' }]
      : [
          { role: 'gateway', name: 'gateway' },
          { role: 'alerter', name: 'alerter-1' },
          { role: 'forwarder', name: 'forwarder-1' },
          { role: 'syslog', name: 'syslog-1' },
        ];
  const procs = await spawnLayout(b, specs);
  const gateway = procs.find((p) => p.role === 'up' || p.role === 'gateway')!;
  const http = new HttpSender(`http://127.0.0.1:${gateway.httpPort}`, b.apiKey, Math.max(o.batchConcurrency, o.singleConcurrency));
  const all = [...procs];
  try {
    progress(`${mode}: ready (${procs.map((p) => `${p.name} pid ${p.pid}`).join(', ')}); warming up`);
    await warmUp(b, all, id('warm'), http);

    const nats = await throughput(b, all, 'nats', b.w.events(o.events, id('nats')));
    progress(describeThroughput(`${mode}: NATS producers`, nats));
    checkAlive(all);
    const httpBatch = await throughput(b, all, 'httpBatch', b.w.events(o.events, id('batch')), http);
    progress(describeThroughput(`${mode}: HTTP 100-event batches (${o.batchConcurrency} in flight)`, httpBatch));
    const httpSingle = await throughput(b, all, 'httpSingle', b.w.events(o.singleEvents, id('single')), http);
    progress(describeThroughput(`${mode}: HTTP single events (${o.singleConcurrency} in flight)`, httpSingle));
    checkAlive(all);

    let ingestOnly: ModeResult['ingestOnly'];
    if (mode === 'split') ingestOnly = await ingestWithConsumersPaused(b, all, id('paused'), http);
    const syslog = await syslogIngest(b, all, mode, id('syslog'));
    checkAlive(all);

    const lat: LatencyFigure[] = [];
    for (const rate of o.rates) {
      const l = await latency(b, rate, id(`lat${rate}`));
      lat.push(l);
      progress(
        `${mode}: open-loop ${fmt(rate)} ev/s for ${(latencyEventCount(o, rate) / rate).toFixed(1)} s: p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, max ${l.maxMs} ms (${l.alerts} alerts${l.missing ? `, ${l.missing} MISSING` : ''}; generator lag ≤ ${l.maxSendLagMs} ms)`,
      );
      if (l.hops) progress(formatHops(`${mode}: latency at ${fmt(rate)} ev/s by hop`, l.hops));
    }
    checkAlive(all);
    const processes: ProcessFigure[] = procs.map((p) => ({ name: p.name, peakRssMb: Math.round(peakRssMb(p.pid)) }));
    if (b.natsPid !== null) processes.push({ name: 'nats-server', peakRssMb: Math.round(peakRssMb(b.natsPid)) });

    const scaling: ScalingPoint[] = [];
    if (mode === 'split') {
      scaling.push({ replicas: 1, eventsPerSec: nats.eventsPerSec, cpuPer1kEvents: nats.cpuPer1kEvents });
      let have = 1;
      for (const k of o.scale.filter((x) => x > 1)) {
        const extra: { role: Role; name: string }[] = [];
        for (let i = have + 1; i <= k; i++)
          extra.push({ role: 'alerter', name: `alerter-${i}` }, { role: 'forwarder', name: `forwarder-${i}` });
        progress(`split: scaling to ${k} alerter + ${k} forwarder processes`);
        all.push(...(await spawnLayout(b, extra)));
        have = k;
        await warmUp(b, all, id(`warm${k}`));
        const f = await throughput(b, all, 'nats', b.w.events(o.events, id(`scale${k}`)));
        scaling.push({ replicas: k, eventsPerSec: f.eventsPerSec, cpuPer1kEvents: f.cpuPer1kEvents });
        progress(describeThroughput(`split ×${k}: NATS producers`, f));
        checkAlive(all);
      }
    }
    return { result: { mode, nats, httpBatch, httpSingle, ingestOnly, syslog, latency: lat, processes }, scaling };
  } finally {
    http.close();
    progress(`${mode}: stopping ${all.length} process${all.length > 1 ? 'es' : ''}`);
    await stopAll(b, all);
  }
}

/** The delivered-request histogram summed over the forwarder processes (each scraped on its own /metrics). */
async function deliveryHistogram(forwarders: readonly MuttProcess[]): Promise<Histogram> {
  const texts = await Promise.all(forwarders.map((p) => fetch(`http://127.0.0.1:${p.httpPort}/metrics`).then((r) => r.text())));
  // 'delivered' is the forwarder's outcome label for a 2xx answer (actors/forwarder/actor.ts); retries and rejections are left out.
  return readHistogram(texts.join('\n'), 'mutt_forwarder_request_duration_seconds', { outcome: 'delivered' });
}

/**
 * Split mode only, three figures from one backlog: the gateway alone (alerter and forwarder SIGSTOPped), then
 * the alerter alone (its alerts pile up in MUTT_ALERTS: the forwarder is still stopped), then the forwarder
 * alone, with the Moogsoft request times of its deliveries. The alerter alone stops pulling once MUTT_ALERTS
 * holds alerter_backpressure_depth (100,000) alerts, so --events beyond about 140,000 would stall it here.
 */
async function ingestWithConsumersPaused(b: Bench, procs: readonly MuttProcess[], label: string, http: HttpSender): Promise<IngestOnly> {
  b.moog.reset();
  const items = b.w.events(b.opts.events, label);
  const expected = items.reduce((n, it) => n + (it.forwarded ? 1 : 0), 0);
  const now = Date.now();
  const bodies: string[] = [];
  for (let i = 0; i < items.length; i += 100) bodies.push(JSON.stringify(items.slice(i, i + 100).map((it) => toHttpItem(it, now))));
  const alerters = procs.filter((p) => p.role === 'alerter');
  const forwarders = procs.filter((p) => p.role === 'forwarder');
  // Scraped before the pause: a stopped process cannot answer, and until it is resumed it delivers nothing.
  const before = await deliveryHistogram(forwarders);
  for (const p of [...alerters, ...forwarders]) p.pause();
  try {
    const sent = await sendAll(http, bodies, b.opts.batchConcurrency);
    for (const p of alerters) p.resume();
    const alerterFrom = performance.now();
    const alerterDone = await waitAlerterDrained(b.jsm, expected, { timeoutMs: drainTimeout(items.length) });
    for (const p of forwarders) p.resume();
    const forwarderFrom = performance.now();
    const forwarderDone = await waitDrained(b.jsm, b.moog, expected, { timeoutMs: drainTimeout(expected) });
    const delivered = diffHistogram(await deliveryHistogram(forwarders), before);
    if (histogramCount(delivered) !== expected)
      progress(`  note: the forwarder's histogram counts ${histogramCount(delivered)} deliveries, ${expected} alerts expected`);
    const ms = (q: number) => Math.round(histogramQuantile(q, delivered) * 1e4) / 10;
    const r: IngestOnly = {
      events: items.length,
      ingestPerSec: Math.round(items.length / sent.seconds),
      alerterEventsPerSec: Math.round(items.length / ((alerterDone - alerterFrom) / 1000)),
      alerts: expected,
      forwarderAlertsPerSec: Math.round(expected / ((forwarderDone - forwarderFrom) / 1000)),
      deliveryP50Ms: ms(0.5),
      deliveryP99Ms: ms(0.99),
    };
    progress(
      `split: gateway alone (alerter, forwarder paused): ingest ${fmt(r.ingestPerSec)} ev/s; alerter alone ${fmt(r.alerterEventsPerSec)} ev/s; ` +
        `forwarder alone ${fmt(r.forwarderAlertsPerSec)} alerts/s (${fmt(expected)} alerts), Moogsoft request p50 ${r.deliveryP50Ms} ms, p99 ${r.deliveryP99Ms} ms`,
    );
    return r;
  } finally {
    for (const p of [...alerters, ...forwarders]) p.resume();
  }
}

/** `n` syslog (not trap) events of the workload. */
function syslogItems(w: Workload, n: number, label: string): BenchItem[] {
  for (let ask = Math.ceil(n * 1.25) + 10; ; ask *= 2) {
    const items = w.events(ask, label).filter((it) => it.kind === 'syslog');
    if (items.length >= n) return items.slice(0, n);
  }
}

/**
 * Syslog lines to the native listener by UDP, then the same lines by TCP, counted as stored in MUTT_EVENTS. Split:
 * `mutt run syslog` with alerter and forwarder paused (the listener's own rate); up: the pipeline runs meanwhile
 * in the same process. Then drained before the next phase.
 */
async function syslogIngest(
  b: Bench,
  procs: readonly MuttProcess[],
  mode: 'up' | 'split',
  label: string,
): Promise<NonNullable<ModeResult['syslog']>> {
  const listener = procs.find((p) => p.syslogPort !== null);
  if (!listener) throw new Error(`${mode}: no process runs the syslog listener`);
  const n = b.opts.syslogLines;
  const lines = syslogLines(syslogItems(b.w, n, label));
  const consumers = mode === 'split' ? procs.filter((p) => p.role === 'alerter' || p.role === 'forwarder') : [];
  const stored = () => eventsStored(b.jsm);
  const timeoutMs = drainTimeout(n);
  let udp: SyslogIngest;
  let tcp: SyslogIngest;
  for (const p of consumers) p.pause();
  try {
    // The listener's first lines: its parse and publish paths are compiled on them, which is not a rate of UDP.
    const warm = lines.slice(0, Math.min(200, n));
    await sendUdp('127.0.0.1', listener.syslogPort!, warm, stored, { timeoutMs });
    await sendTcp('127.0.0.1', listener.syslogPort!, warm, stored, { timeoutMs });
    udp = await sendUdp('127.0.0.1', listener.syslogPort!, lines, stored, { timeoutMs });
    tcp = await sendTcp('127.0.0.1', listener.syslogPort!, lines, stored, { timeoutMs });
  } finally {
    for (const p of consumers) p.resume();
  }
  // Which lines become alerts follows from MUTT's parse of them, not known here: drained = both streams empty.
  await waitStreamsEmpty(b.jsm, { timeoutMs: drainTimeout(2 * n) });
  const how = consumers.length ? ' (alerter, forwarder paused)' : ' (pipeline running)';
  progress(
    `${mode}: syslog listener${how}: UDP ${fmt(udp.linesPerSec)} lines/s, ${fmt(udp.stored)} of ${fmt(udp.sent)} stored; ` +
      `TCP (${tcp.connections} connections) ${fmt(tcp.linesPerSec)} lines/s (${fmt(tcp.stored)} lines, ${tcp.seconds.toFixed(2)} s)`,
  );
  return { consumersPaused: consumers.length > 0, udp, tcp };
}

/** Per process (one sub-directory each), the profile of its busiest thread: the main thread, not tsx's loader. */
function collectProfiles(dir: string): NonNullable<BenchResult['profiles']> {
  const out: NonNullable<BenchResult['profiles']> = {};
  for (const name of readdirSync(dir).sort()) {
    const files = existsSync(join(dir, name)) ? readdirSync(join(dir, name)).filter((x) => x.endsWith('.cpuprofile')) : [];
    const summaries = files.map((f) => summariseProfile(JSON.parse(readFileSync(join(dir, name, f), 'utf8')) as CpuProfile, 15));
    const main = summaries.sort((a, b) => b.totalMs - b.idleMs - (a.totalMs - a.idleMs))[0];
    if (!main) continue;
    console.log('\n' + formatSummary(name, main));
    out[name] = { busyMs: main.totalMs - main.idleMs, top: main.top };
  }
  return out;
}

/** The bounded-map gauges of every process, scraped from its /metrics; a process that does not answer is left out. */
async function scrapeGauges(procs: readonly MuttProcess[]): Promise<Record<string, Record<string, number>>> {
  const texts = await Promise.all(
    procs.map((p) =>
      fetch(`http://127.0.0.1:${p.httpPort}/metrics`, { signal: AbortSignal.timeout(5000) })
        .then((r) => r.text())
        .catch(() => null),
    ),
  );
  return Object.fromEntries(procs.flatMap((p, i) => (texts[i] === null ? [] : [[p.name, boundedMapGauges(texts[i]!)]])));
}

async function runSoak(b: Bench, mode: 'up' | 'split'): Promise<SoakResult> {
  const o = b.opts;
  const seconds = o.soakSeconds!;
  const replicas: { role: Role; name: string }[] = [];
  for (let i = 1; i <= o.replicas; i++)
    replicas.push({ role: 'alerter', name: `alerter-${i}` }, { role: 'forwarder', name: `forwarder-${i}` });
  const specs: { role: Role; name: string }[] =
    mode === 'up' ? [{ role: 'up', name: 'up' }] : [{ role: 'gateway', name: 'gateway' }, ...replicas];
  progress(`soak: starting ${mode} layout (${specs.map((s) => s.name).join(', ')})`);
  const procs = await spawnLayout(b, specs);
  try {
    await warmUp(b, procs, `${b.runId}-soak-warm`);
    b.moog.reset();
    // After the reset, which restores the fake's defaults: the soak's failures start with its load.
    if (o.moogFailRate > 0) b.moog.control({ failureRatio: o.moogFailRate, failStatus: 503 });
    const dlqBefore = (await streamDepths(b.jsm)).dlq;
    const tracker = new AlertTracker(b.moog).start();
    const watched = [
      ...procs.map((p) => ({ name: p.name, pid: p.pid })),
      ...(b.natsPid !== null ? [{ name: 'nats-server', pid: b.natsPid }] : []),
      { name: 'driver', pid: process.pid },
    ];
    const samples: SoakResult['samples'] = [];
    const scrapes: Record<string, Record<string, number>>[] = [];
    const t0 = performance.now();
    const sample = async () => {
      samples.push({
        t: Math.round((performance.now() - t0) / 1000),
        rssMb: Object.fromEntries(watched.map((w) => [w.name, Math.round(rssMb(w.pid) * 10) / 10])),
      });
      scrapes.push(await scrapeGauges(procs));
    };
    await sample();
    const warmup = warmupSeconds(seconds);
    progress(
      `soak: ${seconds} s at ${fmt(o.soakRate)} ev/s (open loop, NATS producers), ${o.replicas} alerter + ${o.replicas} forwarder${mode === 'up' ? ' (one mutt up)' : ''}, ` +
        `fake Moogsoft failing ${Math.round(o.moogFailRate * 100)} % of requests; RSS and bounded-map gauges sampled every 10 s, warm-up ${warmup} s`,
    );
    // Due times of forwarded events only, gathered chunk by chunk: a 30-minute soak at 1,000 ev/s has 1.8 M events,
    // and keeping every schedule's map (then merging them) was most of the driver's memory.
    const due = new Map<string, number>();
    const forwardedIds: string[] = [];
    let maxSendLagMs = 0;
    let events = 0;
    for (let chunk = 0; chunk * 10 < seconds; chunk++) {
      const secs = Math.min(10, seconds - chunk * 10);
      const items = b.w.events(Math.round(o.soakRate * secs), `${b.runId}-soak-${chunk}`);
      const pending: Promise<void>[] = [];
      const sched = await sendOpenLoop(items, o.soakRate, (item, dueAt) => {
        pending.push(publishWithRetry(b.pub, eventMessage(item, Math.floor(dueAt))));
      });
      for (const id of sched.forwardedIds) {
        forwardedIds.push(id);
        due.set(id, sched.due.get(id)!);
      }
      maxSendLagMs = Math.max(maxSendLagMs, sched.maxSendLagMs);
      await Promise.all(pending);
      events += items.length;
      await sample();
      checkAlive(procs);
      if (chunk % 6 === 5)
        progress(
          `soak: ${samples[samples.length - 1].t} s, RSS ${Object.entries(samples[samples.length - 1].rssMb)
            .map(([k, v]) => `${k} ${v} MB`)
            .join(', ')}`,
        );
    }
    const expected = forwardedIds.length;
    progress(`soak: load done (${fmt(events)} events, ${fmt(expected)} alerts expected); draining`);
    // A drain that ends short is a finding of the soak (alerts lost), reported with the rest, not a crash of it.
    let drainProblem: string | null = null;
    await waitDrained(b.jsm, b.moog, expected, { timeoutMs: drainTimeout(events), dlqBefore }).catch((err: unknown) => {
      if (!(err instanceof DrainTimeoutError)) throw err;
      drainProblem = err.message;
      progress(`soak: ${err.message}`);
    });
    tracker.stop();
    // After the drain: what the maps and the processes hold once the retries are over.
    await sample();
    const merged: OpenLoopSchedule = { rate: o.soakRate, due, forwardedIds, sent: events, maxSendLagMs, seconds };
    const window = Math.min(60, Math.max(10, seconds / 3));
    const avg = (name: string, from: number, to: number) => {
      const xs = samples
        .filter((s) => s.t >= from && s.t <= to)
        .map((s) => s.rssMb[name])
        .filter(Number.isFinite);
      return xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : Number.NaN;
    };
    const last = samples[samples.length - 1].t;
    const growth = watched.map((w) => {
      const first = avg(w.name, 0, window);
      const lastMin = avg(w.name, last - window, last);
      return {
        name: w.name,
        firstMinuteMb: Math.round(first * 10) / 10,
        lastMinuteMb: Math.round(lastMin * 10) / 10,
        growthMb: Math.round((lastMin - first) * 10) / 10,
        growthPct: Math.round(((lastMin - first) / first) * 1000) / 10,
        peakRssMb: Math.round(peakRssMb(w.pid)),
      };
    });
    const stats = b.moog.stats();
    const lost = merged.forwardedIds.filter((id) => !tracker.receivedAt.has(id)).length;
    const failedRequests = Object.entries(stats.byStatus)
      .filter(([k]) => Number(k) >= 500)
      .reduce((n, [, v]) => n + v, 0);
    const delivery: DeliveryFigures = {
      sent: expected,
      distinctAtMoog: stats.accepted,
      duplicatesAtMoog: stats.duplicates,
      lost,
      failedRequests,
      deadLetters: (await streamDepths(b.jsm)).dlq - dlqBefore,
    };
    return {
      mode,
      seconds,
      rate: o.soakRate,
      replicas: mode === 'up' ? 1 : o.replicas,
      moogFailRate: o.moogFailRate,
      warmupSeconds: warmup,
      events,
      alerts: stats.accepted,
      latency: latencyStats(merged, tracker.receivedAt),
      samples,
      growth,
      rss: watched.map((w) => rssFigures(samples, w.name, warmup)),
      gauges: gaugeFigures(scrapes),
      delivery,
      drainProblem,
    };
  } finally {
    await stopAll(b, procs);
  }
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

async function main(argv: string[]): Promise<number> {
  let opts: ReturnType<typeof parseBenchArgs>;
  try {
    opts = parseBenchArgs(argv);
  } catch (err) {
    if (err instanceof BenchUsageError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  if (opts.help) {
    console.log(BENCH_USAGE);
    return 0;
  }
  const startedAt = new Date().toISOString();
  const facts = machineFacts(ROOT);
  const outDir = resolve(ROOT, opts.outDir);
  progress(
    `MUTT benchmark: ${facts.cores} cores (${facts.cpuModel}), load average ${facts.loadAverageStart}, Node ${facts.node}, nats-server ${facts.natsServer}, commit ${facts.commit}`,
  );

  const needed = opts.soakSeconds
    ? [opts.soakRate * 10]
    : [opts.events, opts.singleEvents, ...opts.rates.map((r) => latencyEventCount(opts, r))];
  const poolSize = Math.max(...needed.map((n) => Math.min(n, 40_000)));
  const w = buildWorkload(opts.rules, { poolSize });
  const sample = w.events(poolSize, 'mix');
  assertValidEvents(sample);
  const mix = w.mix(sample);
  progress(
    `workload: ${opts.rules} rules (${w.ruleMix.contains} contains, ${w.ruleMix.regex} regex, ${w.ruleMix.oid_prefix} OID), ${w.devHosts.length} dev hosts, ${w.teams.length} device teams; ` +
      `events ${Math.round((100 * mix.forwarded) / mix.events)} % forwarded / ${Math.round((100 * mix.ignored) / mix.events)} % ignore / ${Math.round((100 * mix.unmatched) / mix.events)} % unmatched, ` +
      `${Math.round((100 * mix.trap) / mix.events)} % traps, ${mix.avgMessageChars} chars, ${mix.avgMsgpackBytes} B msgpack`,
  );

  const sizes = [...new Set([...[10, 100, 1000].filter((s) => s < opts.rules), opts.rules])];
  const ruleEngine = opts.soakSeconds
    ? []
    : (await benchRuleEngine(sizes, opts.ruleEngineEvents, 42, opts.ruleEnginePasses)).map((r) => ({
        rules: r.rules,
        eventsPerSec: r.eventsPerSec,
        medianEventsPerSec: r.medianEventsPerSec,
      }));
  for (const r of ruleEngine)
    progress(`rule engine alone, ${r.rules} rules: ${fmt(r.eventsPerSec)} events/s (median pass ${fmt(r.medianEventsPerSec)})`);

  // The benchmark always measures its own server, never one named in the environment.
  delete process.env.NATS_URL;
  const servers = opts.servers.length ? opts.servers : [undefined];
  for (const server of servers) {
    if (server && !isExecutableFile(server)) {
      console.error(`--servers: ${server} is not an executable file`);
      return 2;
    }
  }
  const results: BenchResult[] = [];
  for (const server of servers) {
    // Every nats-server of this run (the single node, the 3-node cluster) is spawned from this binary.
    if (server) process.env.MUTT_NATS_SERVER = server;
    const r = await benchOnServer({ opts, w, mix, ruleEngine, facts, startedAt, outDir, several: servers.length > 1 });
    if (r.code !== 0 || !r.result) return r.code;
    results.push(r.result);
  }
  if (results.length > 1) console.log('\n' + formatServersTable(results));
  return 0;
}

interface RunContext {
  opts: BenchOptions;
  w: Workload;
  mix: BenchResult['workload']['mix'];
  ruleEngine: BenchResult['ruleEngine'];
  facts: ReturnType<typeof machineFacts>;
  startedAt: string;
  outDir: string;
  /** More than one server in this run: result files are named by server version. */
  several: boolean;
}

/** The limit, nats bench and every MUTT phase on one nats-server (the one tests/helpers/nats-server.ts spawns). */
async function benchOnServer(ctx: RunContext): Promise<{ code: number; result?: BenchResult }> {
  const { opts, w, mix, ruleEngine, facts, startedAt, outDir } = ctx;
  const nats = await startNats();
  const natsPid = findPid(['nats-server', nats.storeDir]);
  const nc = await connect({ servers: nats.url });
  const natsServer = { version: nc.info?.version ?? 'unknown', binary: natsServerBinary() };
  const moog = await startFakeMoog({ apiKey: MOOG_KEY, auth: 'bearer', maxEvents: 50_000 });
  const apiKey = randomBytes(24).toString('base64url'); // 32 characters: the key strength rule's length for any mix
  const env: Record<string, string> = {
    NATS_URL: nats.url,
    MOOG_WEBHOOK_URL: `${moog.url}/events/mutt`,
    MOOG_API_KEY: MOOG_KEY,
    MOOG_AUTH: 'bearer',
    MUTT_API_KEYS: `bench:ingest+read+admin:${apiKey}`,
    MUTT_HTTP_PORT: '0',
    MUTT_HTTP_HOST: '127.0.0.1',
    MUTT_SYSLOG_PORT: '0',
    MUTT_TRAP_PORT: '0',
    LOG_LEVEL: 'info',
  };
  const b: Bench = {
    opts,
    runId: Date.now().toString(36),
    nats,
    natsPid,
    nc,
    pub: jsPublisher(nc),
    jsm: await jetstreamManager(nc),
    moog,
    w,
    env,
    apiKey,
    live: new Set(),
  };
  if (opts.profile) {
    // Outside the repository: profiles are large and only bench/results/*.json is git-ignored.
    b.profileDir = join(tmpdir(), `mutt-bench-profiles-${startedAt.replace(/[:.]/g, '-')}`);
    mkdirSync(b.profileDir, { recursive: true });
  }
  const cleanup = async () => {
    await Promise.all([...b.live].map((p) => p.stop(3000)));
    await moog.close();
    await nc.close().catch(() => undefined);
    await nats.stop();
  };
  const onSignal = () => void cleanup().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    await provision(nc, loadEnv(env));
    // No rate limit at the fake or in MUTT; meta-alerts off so the alert count is known in advance.
    await setConfig(nc, {
      moog_rate_limit: 1_000_000,
      moog_rate_period: 1,
      moog_concurrency: opts.moogConcurrency,
      unhandled_threshold: 1_000_000,
    });
    const kvm = new Kvm(nc);
    await loadWorkload(w, await kvm.open(Bucket.rules), await kvm.open(Bucket.hosts));
    progress(
      `nats-server ${natsServer.version} (${natsServer.binary}) ${nats.url} (pid ${natsPid ?? '?'}, store ${nats.storeDir}); fake Moogsoft ${moog.url}; rules and hosts loaded`,
    );

    if (opts.soakSeconds) {
      const mode = opts.mode === 'up' ? 'up' : 'split';
      const soak = await runSoak(b, mode);
      console.log('\n' + formatSoak(soak));

      const result = {
        kind: 'mutt-soak',
        version: 1,
        startedAt,
        seconds: Math.round((performance.now() - started) / 1000),
        machine: { ...facts, natsServer: natsServer.version, natsServerBinary: natsServer.binary, loadAverageEnd: loadAverage() },
        options: { ...opts, outDir: undefined },
        soak,
      };
      const file = writeResult(outDir, result as unknown as BenchResult);
      console.log(`\nresult: ${file}`);
      // Exit 1 when an alert was lost: a script running the soak sees it without reading the table.
      return { code: soak.delivery.lost > 0 || soak.drainProblem !== null ? 1 : 0 };
    }

    const limitPayloads = b.w.events(opts.limitMessages, `${b.runId}-limit`).map((it) => encodeForNats(it, Date.now()));
    const limit = await measureJetStreamLimit(nc, limitPayloads, {
      window: opts.publishWindow,
      serverPids: natsPid === null ? [] : [natsPid],
    });
    progress(
      `JetStream limit, ${limit.payloadBytes} B payloads: async publish ${fmt(limit.publishPerSec)} msg/s, pull consume + ack ${fmt(limit.consumeAckPerSec)} msg/s; nats-server ${limit.serverCpuPer1k} CPU s per 1k messages`,
    );
    const natsCli = await natsCliBench(b.nats.url, { messages: opts.limitMessages, size: limit.payloadBytes });
    progress(
      'publishPerSec' in natsCli
        ? `nats bench (${natsCli.cliVersion}) on the same server, ${natsCli.size} B: js pub ${fmt(natsCli.publishPerSec)} msg/s, js consume with explicit acks ${fmt(natsCli.consumeAckPerSec)} msg/s`
        : `nats bench not run: ${natsCli.skipped}`,
    );
    const cluster3 = await measureClusterLimit(limitPayloads.slice(0, Math.max(1000, Math.round(opts.limitMessages / 2))), {
      window: opts.publishWindow,
    });
    progress(
      `JetStream 3-node cluster (loopback), 3 replicas: async publish ${fmt(cluster3.publishPerSec)} msg/s, pull consume + ack ${fmt(cluster3.consumeAckPerSec)} msg/s; the 3 nodes ${cluster3.serverCpuPer1k} CPU s per 1k messages`,
    );

    const modes: ModeResult[] = [];
    let scaling: ScalingPoint[] = [];
    for (const mode of opts.mode === 'both' ? (['up', 'split'] as const) : [opts.mode]) {
      const r = await runLayout(b, mode);
      modes.push(r.result);
      if (r.scaling.length) scaling = r.scaling;
    }

    const result: BenchResult = {
      kind: 'mutt-benchmark',
      version: 1,
      startedAt,
      seconds: Math.round((performance.now() - started) / 1000),
      machine: { ...facts, natsServer: natsServer.version, natsServerBinary: natsServer.binary, loadAverageEnd: loadAverage() },
      options: (({ outDir: _o, ...rest }) => rest)(opts),
      profiled: opts.profile,
      workload: { rules: w.rules.length, ruleMix: w.ruleMix, devHosts: w.devHosts.length, teams: w.teams.length, mix },
      limit,
      cluster3,
      natsCli,
      ruleEngine,
      modes,
      scaling,
      targets: [],
    };
    result.targets = checkTargets(result);
    if (b.profileDir && existsSync(b.profileDir)) {
      result.profiles = collectProfiles(b.profileDir);
      console.log(`\nCPU profiles (open in Chrome DevTools or summarise with bench/cpuprofile-summary.ts): ${b.profileDir}`);
    }
    console.log('\n' + formatTable(result));
    const file = writeResult(outDir, result, ctx.several ? `nats-${natsServer.version}` : undefined);
    console.log(`\nresult: ${file}  (${result.seconds} s)`);
    return { code: 0, result };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}
