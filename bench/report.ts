// The benchmark's result: one JSON document (bench/results/<timestamp>.json) and one printed table in which
// every figure stands next to its ratio to the JetStream limit of the same run and, where the performance issue
// sets one, its target and whether it was met.
//   const table = formatTable(result); writeResult(dir, result)

import type { HopStats } from './hops.ts';
import type { DeliveryFigures, GaugeFigures, RssFigures } from './soak-figures.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchOptions } from './options.ts';
import type { JetStreamLimit } from './jetstream-limit.ts';
import type { NatsCliBench } from './nats-cli-bench.ts';
import type { LatencyStats } from './open-loop.ts';
import type { MachineFacts } from './proc-stats.ts';
import type { WorkloadMix } from './workload.ts';
import type { HotFunction } from './cpuprofile-summary.ts';
import type { SyslogIngest } from './syslog-sender.ts';

export interface ThroughputFigure {
  events: number;
  alerts: number;
  /** First send to: last ingest answer (or PubAck), and to drained (every alert at the fake, streams empty). */
  ingestSeconds: number;
  seconds: number;
  ingestPerSec: number;
  eventsPerSec: number;
  retries: number;
  duplicatesAtMoog: number;
  /** CPU seconds per 1,000 events, by process (nats-server and the benchmark driver included). */
  cpuPer1kEvents: Record<string, number>;
}

export interface LatencyFigure extends LatencyStats {
  rate: number;
  via: 'nats';
  sent: number;
  maxSendLagMs: number;
  /** With --hops: the same latency split into generator, alerter and forwarder hops. */
  hops?: HopStats;
}

export interface ProcessFigure {
  name: string;
  peakRssMb: number;
}

export interface ModeResult {
  mode: 'up' | 'split';
  nats: ThroughputFigure;
  httpBatch: ThroughputFigure;
  httpSingle: ThroughputFigure;
  /** Split mode: gateway alone with alerter and forwarder paused, then the alerter alone, then the forwarder alone. */
  ingestOnly?: IngestOnly;
  /** Syslog lines to the native listener by UDP, then by TCP (split: its own process, alerter and forwarder paused). */
  syslog?: { consumersPaused: boolean; udp: SyslogIngest; tcp: SyslogIngest };
  latency: LatencyFigure[];
  processes: ProcessFigure[];
}

export interface IngestOnly {
  events: number;
  /** The gateway alone: events / (first POST → last 202). */
  ingestPerSec: number;
  /** The alerter alone (forwarder still paused): events / (resumed → MUTT_EVENTS empty, its alerts in MUTT_ALERTS). */
  alerterEventsPerSec: number;
  alerts: number;
  /** The forwarder alone: alerts / (resumed → the fake holds every alert and MUTT_ALERTS is empty). */
  forwarderAlertsPerSec: number;
  /** Moogsoft request time of those deliveries: the forwarder's histogram (outcome delivered), interpolated in its buckets. */
  deliveryP50Ms: number;
  deliveryP99Ms: number;
}

export interface ScalingPoint {
  replicas: number;
  eventsPerSec: number;
  cpuPer1kEvents: Record<string, number>;
}

export interface TargetCheck {
  name: string;
  value: number;
  target: string;
  met: boolean;
}

export interface SoakResult {
  mode: 'up' | 'split';
  seconds: number;
  rate: number;
  events: number;
  alerts: number;
  latency: LatencyStats;
  /** RSS (MB) of each process every 10 s. */
  samples: { t: number; rssMb: Record<string, number> }[];
  growth: { name: string; firstMinuteMb: number; lastMinuteMb: number; growthMb: number; growthPct: number; peakRssMb: number }[];
  /** Alerter and forwarder processes of each kind (split mode; 1 for mutt up). */
  replicas: number;
  /** Share of event POSTs the fake Moogsoft answered with a 503. */
  moogFailRate: number;
  warmupSeconds: number;
  rss: RssFigures[];
  gauges: GaugeFigures[];
  delivery: DeliveryFigures;
  /** Why the drain ended short (alerts that never came), or null. */
  drainProblem: string | null;
}

export interface BenchResult {
  kind: 'mutt-benchmark';
  version: 1;
  startedAt: string;
  seconds: number;
  /** natsServer: the version of the server this result was measured on (its INFO), natsServerBinary: its path. */
  machine: MachineFacts & { loadAverageEnd: string; natsServerBinary?: string };
  options: Omit<BenchOptions, 'outDir'>;
  profiled: boolean;
  workload: { rules: number; ruleMix: Record<string, number>; devHosts: number; teams: number; mix: WorkloadMix };
  limit: JetStreamLimit;
  /** The same on a 3-node cluster on this machine, streams with 3 replicas. */
  cluster3: JetStreamLimit;
  /** The same server's limit by the official tool (`nats bench js pub / consume`), or why it was not run. */
  natsCli?: NatsCliBench | { skipped: string };
  ruleEngine: { rules: number; eventsPerSec: number; medianEventsPerSec: number }[];
  modes: ModeResult[];
  scaling: ScalingPoint[];
  targets: TargetCheck[];
  profiles?: Record<string, { busyMs: number; top: HotFunction[] }>;
  soak?: SoakResult;
}

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';

/** The targets of the performance issue, checked against a result. */
export function checkTargets(r: Pick<BenchResult, 'limit' | 'ruleEngine' | 'modes' | 'soak'>): TargetCheck[] {
  const out: TargetCheck[] = [];
  const pub = r.limit.publishPerSec;
  for (const m of r.modes) {
    out.push({
      name: `${m.mode}: end-to-end (NATS producers) ≥ 0.25 × raw publish`,
      value: m.nats.eventsPerSec / pub,
      target: '≥ 0.25',
      met: m.nats.eventsPerSec >= 0.25 * pub,
    });
    out.push({
      name: `${m.mode}: HTTP 100-event batch ingest ≥ 0.6 × raw publish`,
      value: m.httpBatch.ingestPerSec / pub,
      target: '≥ 0.60',
      met: m.httpBatch.ingestPerSec >= 0.6 * pub,
    });
    for (const l of m.latency) {
      const limit = l.rate <= 1000 ? 25 : l.rate <= 5000 ? 100 : null;
      if (limit !== null)
        out.push({
          name: `${m.mode}: p99 latency at ${fmt(l.rate)} ev/s ≤ ${limit} ms`,
          value: l.p99Ms,
          target: `≤ ${limit} ms`,
          met: l.p99Ms <= limit && l.missing === 0,
        });
    }
    for (const p of m.processes.filter((x) => x.name !== 'nats-server'))
      out.push({ name: `${m.mode}: peak RSS ${p.name} ≤ 200 MB`, value: p.peakRssMb, target: '≤ 200 MB', met: p.peakRssMb <= 200 });
  }
  const big = r.ruleEngine.find((e) => e.rules === 1000);
  if (big)
    out.push({
      name: 'rule engine, 1,000 rules ≥ 250k ev/s on one core',
      value: big.eventsPerSec,
      target: '≥ 250,000',
      met: big.eventsPerSec >= 250_000,
    });
  return out;
}

interface Row {
  figure: string;
  value: string;
  ratio: string;
  target: string;
}

export function formatTable(r: BenchResult): string {
  const pub = r.limit.publishPerSec;
  const ratio = (v: number) => (pub > 0 ? (v / pub).toFixed(2) : '');
  const rows: Row[] = [];
  const targetFor = (name: string) => {
    const t = r.targets.find((x) => x.name.startsWith(name));
    return t ? `${t.target} ${t.met ? 'ok' : 'MISSED'}` : '';
  };
  const rate = (figure: string, v: number, target = '') => rows.push({ figure, value: `${fmt(v)} /s`, ratio: ratio(v), target });
  rows.push({ figure: 'JetStream async publish (the limit)', value: `${fmt(pub)} msg/s`, ratio: '1.00', target: '' });
  rows.push({
    figure: 'JetStream pull consume + ack',
    value: `${fmt(r.limit.consumeAckPerSec)} msg/s`,
    ratio: ratio(r.limit.consumeAckPerSec),
    target: '',
  });
  rows.push({
    figure: 'JetStream 3 nodes R3 (1 machine): publish',
    value: `${fmt(r.cluster3.publishPerSec)} msg/s`,
    ratio: ratio(r.cluster3.publishPerSec),
    target: '',
  });
  rows.push({
    figure: 'JetStream 3 nodes R3 (1 machine): consume + ack',
    value: `${fmt(r.cluster3.consumeAckPerSec)} msg/s`,
    ratio: ratio(r.cluster3.consumeAckPerSec),
    target: '',
  });
  if (r.natsCli && 'publishPerSec' in r.natsCli) {
    const nb = r.natsCli;
    rows.push({
      figure: `nats bench js pub (${nb.cliVersion}, ${nb.size} B)`,
      value: `${fmt(nb.publishPerSec)} msg/s`,
      ratio: ratio(nb.publishPerSec),
      target: '',
    });
    rows.push({
      figure: 'nats bench js consume (explicit acks)',
      value: `${fmt(nb.consumeAckPerSec)} msg/s`,
      ratio: ratio(nb.consumeAckPerSec),
      target: '',
    });
  } else if (r.natsCli) rows.push({ figure: 'nats bench', value: `not run: ${r.natsCli.skipped}`, ratio: '', target: '' });
  rows.push({
    figure: 'nats-server CPU s per 1k msgs: 1 node / 3 nodes R3',
    value: `${r.limit.serverCpuPer1k.toFixed(3)} / ${r.cluster3.serverCpuPer1k.toFixed(3)}`,
    ratio: '',
    target: '',
  });
  for (const e of r.ruleEngine) {
    rows.push({
      figure: `rule engine alone, ${fmt(e.rules)} rules (1 core)`,
      value: `${fmt(e.eventsPerSec)} ev/s`,
      ratio: ratio(e.eventsPerSec),
      target: e.rules === 1000 ? targetFor('rule engine, 1,000') : '',
    });
  }
  for (const m of r.modes) {
    const p = m.mode;
    rows.push({ figure: '', value: '', ratio: '', target: '' });
    rate(`${p}: end-to-end, NATS producers`, m.nats.eventsPerSec, targetFor(`${p}: end-to-end`));
    rate(`${p}: HTTP 100-event batches, ingest`, m.httpBatch.ingestPerSec, targetFor(`${p}: HTTP 100-event`));
    rate(`${p}: HTTP 100-event batches, end-to-end`, m.httpBatch.eventsPerSec);
    rate(`${p}: HTTP single events, ingest`, m.httpSingle.ingestPerSec);
    rate(`${p}: HTTP single events, end-to-end`, m.httpSingle.eventsPerSec);
    if (m.ingestOnly) {
      const io = m.ingestOnly;
      rate(`${p}: gateway ingest, consumers paused`, io.ingestPerSec);
      rate(`${p}: alerter alone (forwarder paused), events`, io.alerterEventsPerSec);
      rate(`${p}: forwarder alone, alerts`, io.forwarderAlertsPerSec);
      rows.push({
        figure: `${p}: forwarder alone, Moogsoft request p50 / p99`,
        value: `${fmt(io.deliveryP50Ms, 1)} / ${fmt(io.deliveryP99Ms, 1)} ms`,
        ratio: '',
        target: '',
      });
    }
    if (m.syslog) {
      const how = m.syslog.consumersPaused ? 'consumers paused' : 'pipeline running';
      rate(`${p}: syslog UDP ingest, ${how}`, m.syslog.udp.linesPerSec);
      rows.push({
        figure: `${p}: syslog UDP lines stored / sent`,
        value: `${fmt(m.syslog.udp.stored)} / ${fmt(m.syslog.udp.sent)}`,
        ratio: '',
        target: '',
      });
      rate(`${p}: syslog TCP ingest (${m.syslog.tcp.connections} connections), ${how}`, m.syslog.tcp.linesPerSec);
    }
    for (const l of m.latency) {
      rows.push({
        figure: `${p}: latency at ${fmt(l.rate)} ev/s, p50 / p99 / max`,
        value: `${fmt(l.p50Ms, 1)} / ${fmt(l.p99Ms, 1)} / ${fmt(l.maxMs, 1)} ms`,
        ratio: '',
        target: targetFor(`${p}: p99 latency at ${fmt(l.rate)} `),
      });
    }
  }
  if (r.scaling.length) {
    rows.push({ figure: '', value: '', ratio: '', target: '' });
    const one = r.scaling[0].eventsPerSec;
    for (const s of r.scaling)
      rate(
        `split: ${s.replicas} alerter + ${s.replicas} forwarder, end-to-end`,
        s.eventsPerSec,
        `× ${(s.eventsPerSec / one).toFixed(2)} of 1 replica`,
      );
  }
  const w = { figure: Math.max(6, ...rows.map((x) => x.figure.length)), value: Math.max(5, ...rows.map((x) => x.value.length)), ratio: 8 };
  const line = (x: Row) =>
    `${x.figure.padEnd(w.figure)}  ${x.value.padStart(w.value)}  ${x.ratio.padStart(w.ratio)}  ${x.target}`.trimEnd();
  const head = [
    `MUTT benchmark ${r.startedAt} — commit ${r.machine.commit}, ${r.machine.cores} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, Node ${r.machine.node}, nats-server ${r.machine.natsServer}`,
    `load average ${r.machine.loadAverageStart} at start, ${r.machine.loadAverageEnd} at end; ${r.workload.rules} rules (${Object.entries(
      r.workload.ruleMix,
    )
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}); ` +
      `events ${pct(r.workload.mix.forwarded, r.workload.mix.events)} forwarded / ${pct(r.workload.mix.ignored, r.workload.mix.events)} ignore / ${pct(r.workload.mix.unmatched, r.workload.mix.events)} unmatched, ` +
      `${pct(r.workload.mix.trap, r.workload.mix.events)} traps, messages ${r.workload.mix.avgMessageChars} chars, ${r.workload.mix.avgMsgpackBytes} B msgpack${r.profiled ? '; PROFILED (figures lowered by --cpu-prof)' : ''}`,
    '',
    line({ figure: 'figure', value: 'value', ratio: 'vs limit', target: 'target' }),
    line({ figure: '-'.repeat(w.figure), value: '-'.repeat(w.value), ratio: '-'.repeat(w.ratio), target: '------' }),
  ];
  return [...head, ...rows.map(line), '', ...processTable(r)].join('\n');
}

/** CPU seconds per 1,000 events (NATS-producer and HTTP-batch phases) and peak RSS of every process, per layout. */
function processTable(r: BenchResult): string[] {
  const out = [
    `${'process'.padEnd(18)} ${'CPU s/1k ev, NATS'.padStart(17)} ${'CPU s/1k ev, HTTP'.padStart(17)} ${'peak RSS'.padStart(9)}  target`,
  ];
  const cpu = (v: number | undefined) => (v === undefined ? '' : v.toFixed(3)).padStart(17);
  for (const m of r.modes) {
    const names = [...new Set([...Object.keys(m.nats.cpuPer1kEvents), ...m.processes.map((p) => p.name)])];
    let total = 0;
    for (const name of names) {
      const rss = m.processes.find((p) => p.name === name)?.peakRssMb;
      const t =
        rss === undefined || name === 'nats-server' ? undefined : r.targets.find((x) => x.name === `${m.mode}: peak RSS ${name} ≤ 200 MB`);
      if (name !== 'driver') total += m.nats.cpuPer1kEvents[name] ?? 0;
      out.push(
        `${`${m.mode}: ${name}`.padEnd(18)} ${cpu(m.nats.cpuPer1kEvents[name])} ${cpu(m.httpBatch.cpuPer1kEvents[name])} ${(rss === undefined ? '' : `${fmt(rss)} MB`).padStart(9)}  ${t ? `${t.target} ${t.met ? 'ok' : 'MISSED'}` : ''}`.trimEnd(),
      );
    }
    out.push(`${`${m.mode}: MUTT + NATS`.padEnd(18)} ${cpu(total)}`);
  }
  return out;
}

const pct = (a: number, b: number) => `${Math.round((100 * a) / Math.max(1, b))} %`;

export function formatSoak(s: SoakResult): string {
  const d = s.delivery;
  const lines = [
    `soak (${s.mode}, ${s.replicas} alerter + ${s.replicas} forwarder, fake Moogsoft failing ${fmt(s.moogFailRate * 100, 1)} %): ${s.seconds} s at ${fmt(s.rate)} ev/s, ${fmt(s.events)} events; ` +
      `latency p50 ${s.latency.p50Ms} / p99 ${s.latency.p99Ms} / max ${s.latency.maxMs} ms`,
    `alerts: ${fmt(d.sent)} sent, ${fmt(d.distinctAtMoog)} distinct at the fake Moogsoft, ${fmt(d.lost)} lost, ${fmt(d.duplicatesAtMoog)} duplicates; ` +
      `${fmt(d.failedRequests)} requests answered 5xx (retried), ${fmt(d.deadLetters)} dead letters — ${d.lost === 0 && d.distinctAtMoog >= d.sent ? 'every alert delivered' : 'ALERTS LOST'}`,
    ...(s.drainProblem ? [`drain: ${s.drainProblem}`] : []),
    '',
    `RSS MB, sampled every 10 s (warm-up ${s.warmupSeconds} s; slope by least squares over the samples after it):`,
    `${'process'.padEnd(14)} ${'first'.padStart(8)} ${'warm'.padStart(8)} ${'last'.padStart(8)} ${'max'.padStart(8)} ${'MB/h'.padStart(8)}`,
  ];
  for (const r of s.rss) {
    lines.push(
      `${r.name.padEnd(14)} ${fmt(r.firstMb, 1).padStart(8)} ${fmt(r.afterWarmupMb, 1).padStart(8)} ${fmt(r.lastMb, 1).padStart(8)} ${fmt(r.maxMb, 1).padStart(8)} ${fmt(r.slopeMbPerHour, 1).padStart(8)}`,
    );
  }
  lines.push('', "bounded maps (gauges on each process's /metrics, first sample, last sample after the drain, max):");
  lines.push(`${'process'.padEnd(14)} ${'gauge'.padEnd(40)} ${'first'.padStart(7)} ${'last'.padStart(7)} ${'max'.padStart(7)}`);
  for (const g of s.gauges)
    lines.push(
      `${g.process.padEnd(14)} ${g.gauge.padEnd(40)} ${fmt(g.first).padStart(7)} ${fmt(g.last).padStart(7)} ${fmt(g.max).padStart(7)}`,
    );
  if (s.gauges.length === 0) lines.push('(no process exposed them)');
  return lines.join('\n');
}

/**
 * One run on several servers (--servers): the server-side figures side by side, one column per nats-server
 * version, each beside its ratio to that server's own publish limit.
 */
export function formatServersTable(results: BenchResult[]): string {
  const rows: { figure: string; cells: string[] }[] = [];
  const add = (figure: string, pick: (r: BenchResult) => number | undefined, unit = '/s') =>
    rows.push({
      figure,
      cells: results.map((r) => {
        const v = pick(r);
        if (v === undefined) return 'n/a';
        const pub = r.limit.publishPerSec;
        return unit === '/s' ? `${fmt(v)} /s (${pub > 0 ? (v / pub).toFixed(2) : '-'})` : `${v.toFixed(3)}`;
      }),
    });
  const cli = (r: BenchResult) => (r.natsCli && 'publishPerSec' in r.natsCli ? r.natsCli : undefined);
  add('JetStream async publish (the limit)', (r) => r.limit.publishPerSec);
  add('JetStream pull consume + ack', (r) => r.limit.consumeAckPerSec);
  add('nats-server CPU s per 1k msgs (limit)', (r) => r.limit.serverCpuPer1k, 's');
  add('nats bench js pub', (r) => cli(r)?.publishPerSec);
  add('nats bench js consume (explicit acks)', (r) => cli(r)?.consumeAckPerSec);
  add('JetStream 3 nodes R3: publish', (r) => r.cluster3.publishPerSec);
  add('JetStream 3 nodes R3: consume + ack', (r) => r.cluster3.consumeAckPerSec);
  const layouts = [...new Set(results.flatMap((r) => r.modes.map((m) => m.mode)))];
  for (const p of layouts) {
    const m = (r: BenchResult) => r.modes.find((x) => x.mode === p);
    add(`${p}: end-to-end, NATS producers`, (r) => m(r)?.nats.eventsPerSec);
    add(`${p}: HTTP 100-event batches, ingest`, (r) => m(r)?.httpBatch.ingestPerSec);
    add(`${p}: HTTP 100-event batches, end-to-end`, (r) => m(r)?.httpBatch.eventsPerSec);
    add(`${p}: HTTP single events, ingest`, (r) => m(r)?.httpSingle.ingestPerSec);
    add(`${p}: HTTP single events, end-to-end`, (r) => m(r)?.httpSingle.eventsPerSec);
    add(`${p}: gateway ingest, consumers paused`, (r) => m(r)?.ingestOnly?.ingestPerSec);
    add(`${p}: alerter alone, events`, (r) => m(r)?.ingestOnly?.alerterEventsPerSec);
    add(`${p}: forwarder alone, alerts`, (r) => m(r)?.ingestOnly?.forwarderAlertsPerSec);
    add(`${p}: nats-server CPU s per 1k events (NATS producers)`, (r) => m(r)?.nats.cpuPer1kEvents['nats-server'], 's');
    add(
      `${p}: MUTT + NATS CPU s per 1k events (NATS producers)`,
      (r) => {
        const c = m(r)?.nats.cpuPer1kEvents;
        return c ? Object.entries(c).reduce((a, [k, v]) => (k === 'driver' ? a : a + v), 0) : undefined;
      },
      's',
    );
    for (const rate of [...new Set(results.flatMap((r) => (m(r)?.latency ?? []).map((l) => l.rate)))]) {
      rows.push({
        figure: `${p}: latency at ${fmt(rate)} ev/s, p50 / p99 ms`,
        cells: results.map((r) => {
          const l = m(r)?.latency.find((x) => x.rate === rate);
          return l ? `${fmt(l.p50Ms, 1)} / ${fmt(l.p99Ms, 1)}` : 'n/a';
        }),
      });
    }
  }
  const heads = results.map((r) => `nats-server ${r.machine.natsServer}`);
  const wf = Math.max(6, ...rows.map((r) => r.figure.length));
  const wc = heads.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i].length)));
  const line = (figure: string, cells: string[]) => `${figure.padEnd(wf)}  ${cells.map((c, i) => c.padStart(wc[i])).join('  ')}`.trimEnd();
  return [
    `Both servers, one run (${results[0].startedAt}, load average ${results[0].machine.loadAverageStart} at start, ${results[results.length - 1].machine.loadAverageEnd} at end); ratio to that server's publish limit in brackets`,
    '',
    line('figure', heads),
    line(
      '-'.repeat(wf),
      wc.map((w) => '-'.repeat(w)),
    ),
    ...rows.map((r) => line(r.figure, r.cells)),
  ].join('\n');
}

/** Writes <startedAt>[-suffix].json into dir; the suffix tells apart the results of one run on several servers. */
export function writeResult(dir: string, r: BenchResult, suffix?: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${r.startedAt.replace(/[:.]/g, '-')}${suffix ? `-${suffix}` : ''}.json`);
  writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
  return file;
}
