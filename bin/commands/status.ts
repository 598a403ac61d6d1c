// `mutt status`: the whole deployment in one look — every MUTT process heard on `mutt.health.>` (each answers
// a ping on `mutt.ping.health` at once, besides its heartbeat every 5 s), stream depths, each stage's consumer lag, the DLQ by
// stage and reason, the shared circuit breaker and the SLOs, all read through the management services (the
// metrics, health-table and SLO services, composed without KV watches: status must work while a NATS node is
// down, when creating a watch's consumer can time out).
// Exit 0 when at least one process answered and every process is ready; 1 otherwise (problems are listed).
//   mutt status [--json] [--watch] [--wait 1s] [--url http://gateway:8080 --key-file K]

import { CliError, parseFlags } from '../cli-error.ts';
import { parseDuration } from '../cli/durations.ts';
import { formatAge, formatBytes, formatDuration, isoTime, printJson } from '../cli/format.ts';
import { answerError, GATEWAY_FLAGS, gatewayFrom, type GatewayClient } from '../cli/gateway-client.ts';
import { describe, guard, openNats } from '../cli/session.ts';
import type { ActorHealthTable } from '../../gateway/services/health-table.ts';
import type { MetricsService } from '../../gateway/services/metrics.ts';
import type { SloService } from '../../gateway/services/slo.ts';
import { renderTable } from '../cli/table.ts';
import { subjects } from '../../protocol/subjects.ts';
import { FLOW_PREFIX, flowView, type FlowView } from '../../protocol/flow.ts';
import { readMinute } from '../../actors/runtime/minute-tally.ts';
import { countRules, type RuleCount } from '../../gateway/services/rule-count.ts';
import type { Command } from './command.ts';

interface ProcessRow {
  process: string;
  instance: string;
  actors: string[];
  ready: boolean;
  stale: boolean;
  uptime_seconds: number | null;
  last_seen_seconds: number;
  version: string | null;
  pid: number | null;
  not_ready: { component: string; detail: string | null }[];
}

interface SloSummary {
  source: string;
  slos: { name: string; status: string; actual: number | null; target: number; burn_rate: number | null; message: string }[];
  error?: string;
}

export interface StatusReport {
  at: string;
  nats: string;
  ready: boolean;
  problems: string[];
  warnings: string[];
  processes: ProcessRow[];
  streams: unknown[] | null;
  consumers: unknown[] | null;
  dlq: unknown | null;
  breaker: unknown | null;
  ingest: unknown | null;
  rules: RuleCount | null;
  flow: FlowReport | null;
  slo: SloSummary | null;
}

async function attempt<T>(what: string, problems: string[], fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    problems.push(`${what}: ${describe(err)}`);
    return null;
  }
}

/** The services status reads. */
export interface StatusSources {
  url: string;
  /** Asks every MUTT process for its heartbeat now (core NATS `mutt.ping.health`). */
  ping(): void;
  metrics: MetricsService;
  health: ActorHealthTable;
  slo: SloService;
  rules(): Promise<RuleCount>;
  /** Counts of one UTC minute (epoch minute) as the alerter tallied them. */
  flow(minute: number): Promise<FlowView>;
}

export interface FlowReport extends FlowView {
  /** Start of the minute counted (the last complete one). */
  minute: string;
}

async function sloSummary(s: StatusSources, gw: GatewayClient | null, listenedMs: number): Promise<SloSummary> {
  type Row = SloSummary['slos'][number];
  const pick = (r: Row) => ({
    name: r.name,
    status: r.status,
    actual: r.actual,
    target: r.target,
    burn_rate: r.burn_rate,
    message: r.message,
  });
  if (gw) {
    const a = await gw.request('GET', '/api/v2/slo');
    if (a.status === 200 && Array.isArray(a.body?.slos)) return { source: `${gw.url}/api/v2/slo`, slos: (a.body.slos as Row[]).map(pick) };
    return { source: `${gw.url}/api/v2/slo`, slos: [], error: answerError(a) };
  }
  const report = await s.slo.report();
  return {
    source: `sampled by this command over ${formatDuration(listenedMs)} (give --url for the gateway's full windows)`,
    slos: report.slos.map(pick),
  };
}

export async function buildStatus(s: StatusSources, gw: GatewayClient | null, listenedMs: number): Promise<StatusReport> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const now = Date.now();
  const lastMinute = Math.floor(now / 60_000) - 1;
  const [rules, flow, streams, consumers, dlq, breaker, ingest, slo] = await Promise.all([
    attempt('rules', warnings, () => s.rules()),
    attempt('flow counts', warnings, async (): Promise<FlowReport> => ({
      minute: new Date(lastMinute * 60_000).toISOString(),
      ...(await s.flow(lastMinute)),
    })),
    attempt('streams', problems, () => s.metrics.streams()),
    attempt('consumers', problems, () => s.metrics.consumers()),
    attempt('dead letters', problems, () => s.metrics.dlq()),
    attempt('breaker', warnings, () => s.metrics.breaker()),
    attempt('ingest counters', warnings, () => s.metrics.ingest()),
    attempt('SLO', warnings, () => sloSummary(s, gw, listenedMs)),
  ]);
  const processes: ProcessRow[] = s.health.processes().map((p) => {
    const h = p.heartbeat;
    return {
      process: h.process,
      instance: h.instance,
      actors: h.actors,
      ready: h.ready && !p.stale,
      stale: p.stale,
      uptime_seconds: h.startedAt ? Math.round((now - h.startedAt) / 1000) : null,
      last_seen_seconds: Math.round((now - p.lastSeen) / 100) / 10,
      version: h.version ?? null,
      pid: h.pid ?? null,
      not_ready: Object.entries(h.components)
        .filter(([, c]) => !c.ready)
        .map(([component, c]) => ({ component, detail: c.detail ?? null })),
    };
  });
  // The gateway has listened for much longer than this command: it also knows processes that went silent.
  if (gw) {
    const a = await gw.request('GET', '/api/v2/actors').catch(() => null);
    if (a?.status === 200 && Array.isArray(a.body?.processes)) {
      for (const p of a.body.processes as {
        process: string;
        instance: string;
        actors: string[];
        ready: boolean;
        stale: boolean;
        age_seconds: number;
        started_at: string | null;
        version: string | null;
        pid: number | null;
        components: Record<string, { ready: boolean; detail?: string }>;
      }[]) {
        if (processes.some((x) => x.process === p.process && x.instance === p.instance)) continue;
        processes.push({
          process: p.process,
          instance: p.instance,
          actors: p.actors,
          ready: p.ready && !p.stale,
          stale: p.stale,
          uptime_seconds: p.started_at ? Math.round((now - Date.parse(p.started_at)) / 1000) : null,
          last_seen_seconds: p.age_seconds,
          version: p.version,
          pid: p.pid,
          not_ready: Object.entries(p.components)
            .filter(([, c]) => !c.ready)
            .map(([component, c]) => ({ component, detail: c.detail ?? null })),
        });
      }
    } else if (a) warnings.push(`process table of ${gw.url}: ${answerError(a)}`);
  }
  if (processes.length === 0)
    problems.push(`no MUTT process heard on mutt.health.> within ${formatDuration(listenedMs)} (is anything running against ${s.url}?)`);
  for (const p of processes) {
    if (p.stale) problems.push(`${p.process}/${p.instance}: no heartbeat for ${p.last_seen_seconds} s (stale)`);
    else if (!p.ready)
      problems.push(
        `${p.process}/${p.instance}: not ready${p.not_ready.length ? ` (${p.not_ready.map((c) => `${c.component}${c.detail ? `: ${c.detail}` : ''}`).join(', ')})` : ''}`,
      );
  }
  for (const c of consumers ?? [])
    if (!c.exists) warnings.push(`no ${c.durable} consumer on ${c.stream}: the ${c.stage} actor has never run against this NATS`);
  for (const st of streams ?? [])
    if (st.fill_ratio !== null && st.fill_ratio >= 0.8)
      warnings.push(
        `${st.stream} is ${Math.round(st.fill_ratio * 100)}% full (${st.messages}/${st.max_msgs}): ingest answers 503 when it is full`,
      );
  if (rules && rules.active === 0)
    warnings.unshift(`0 active rules (${rules.total} stored): no event will alert — mutt rules add, or mutt rules import FILE`);
  if (rules && rules.invalid > 0) warnings.push(`${rules.invalid} stored rule(s) fail validation and are ignored: mutt rules ls`);
  if (breaker && breaker.status !== 'closed')
    warnings.push(
      `Moogsoft circuit breaker is ${breaker.status}${breaker.since ? ` since ${isoTime(breaker.since)}` : ''}: the forwarder is not delivering`,
    );
  if (dlq && dlq.total > 0) warnings.push(`${dlq.total} dead letter(s): mutt dlq ls`);
  for (const x of slo?.slos ?? [])
    if (x.status === 'critical' || x.status === 'warning') warnings.push(`SLO ${x.name} ${x.status}: ${x.message}`);
  if (slo?.error) warnings.push(`SLO from ${slo.source}: ${slo.error}`);
  return {
    at: new Date(now).toISOString(),
    nats: s.url,
    ready: problems.length === 0,
    problems,
    warnings,
    processes,
    streams,
    consumers,
    dlq,
    breaker,
    ingest,
    rules,
    flow,
    slo,
  };
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(x > 0.999 && x < 1 ? 3 : 1)}%`);

export function renderStatus(r: StatusReport): string {
  const out: string[] = [`MUTT status at ${r.at}  (NATS ${r.nats})`, ''];
  // Said first, not only in the list at the end: with no active rule the pipeline runs and nothing alerts.
  if (r.rules && r.rules.active === 0) out.push(`WARNING: ${r.warnings[0]}`, '');
  out.push('PROCESSES (heartbeats on mutt.health.>)');
  out.push(
    renderTable(
      ['PROCESS', 'INSTANCE', 'ACTORS', 'READY', 'UPTIME', 'LAST SEEN', 'VERSION'],
      r.processes.map((p) => [
        p.process,
        p.instance,
        p.actors.join(',') || '-',
        p.stale ? 'STALE' : p.ready ? 'yes' : 'NO',
        p.uptime_seconds === null ? '-' : formatDuration(p.uptime_seconds * 1000),
        `${p.last_seen_seconds}s ago`,
        p.version,
      ]),
      { indent: '  ', empty: '(none heard)' },
    ),
  );
  const streams = r.streams as
    | {
        stream: string;
        messages: number;
        bytes: number;
        max_msgs: number;
        fill_ratio: number | null;
        first_seq: number;
        last_seq: number;
      }[]
    | null;
  if (streams) {
    out.push('', 'STREAMS');
    out.push(
      renderTable(
        ['STREAM', 'MESSAGES', 'BYTES', 'CAP', 'FILL', 'LAST SEQ'],
        streams.map((s) => [
          s.stream,
          s.messages,
          formatBytes(s.bytes),
          s.max_msgs > 0 ? s.max_msgs : 'none',
          s.fill_ratio === null ? '-' : pct(s.fill_ratio),
          s.last_seq,
        ]),
        { indent: '  ' },
      ),
    );
  }
  const consumers = r.consumers as
    | {
        stage: string;
        stream: string;
        durable: string;
        exists: boolean;
        num_pending: number;
        num_ack_pending: number;
        num_redelivered: number;
        num_waiting: number;
      }[]
    | null;
  if (consumers) {
    out.push('', 'CONSUMER LAG (per stage)');
    out.push(
      renderTable(
        ['STAGE', 'STREAM', 'PENDING', 'ACK PENDING', 'REDELIVERED', 'WAITING PULLS'],
        consumers.map((c) =>
          c.exists
            ? [c.stage, c.stream, c.num_pending, c.num_ack_pending, c.num_redelivered, c.num_waiting]
            : [c.stage, c.stream, 'no consumer', null, null, null],
        ),
        { indent: '  ' },
      ),
    );
  }
  const dlq = r.dlq as { total: number; entries: { stage: string; reason: string; count: number }[] } | null;
  if (dlq) {
    out.push('', `DEAD LETTERS (MUTT_DLQ): ${dlq.total}`);
    if (dlq.entries.length)
      out.push(
        renderTable(
          ['STAGE', 'REASON', 'COUNT'],
          dlq.entries.map((e) => [e.stage, e.reason, e.count]),
          { indent: '  ' },
        ),
      );
  }
  const b = r.breaker as {
    status: string;
    known: boolean;
    since: number | null;
    requests: number;
    failures: number;
    failureRatio: number;
  } | null;
  if (b) {
    out.push(
      '',
      `MOOGSOFT BREAKER: ${b.status}${b.known ? '' : ' (no forwarder has reported yet)'}${b.since ? `, since ${isoTime(b.since)} (${formatAge(b.since)})` : ''}; ${b.failures}/${b.requests} failed in the window`,
    );
  }
  const ingest = r.ingest as {
    summary: { current_rate_1m: number; this_minute: number; avg_rate_15m: number; avg_rate_1h: number };
  } | null;
  if (r.rules)
    out.push('', `RULES: ${r.rules.active} active of ${r.rules.total} stored${r.rules.invalid ? ` (${r.rules.invalid} invalid)` : ''}`);
  if (r.flow) {
    const f = r.flow;
    const list = (o: Record<string, number>) =>
      Object.entries(o)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
    out.push('', `FLOW in the minute from ${f.minute.slice(11, 16)} UTC (counted by the alerters)`);
    out.push(`  ingest by input: ${list(f.ingest)}`);
    out.push(`  decisions:       ${list(f.decisions)}`);
  }
  if (ingest)
    out.push(
      '',
      `HTTP INGEST (events/min): last minute ${ingest.summary.current_rate_1m}, this minute ${ingest.summary.this_minute}, 15 min avg ${ingest.summary.avg_rate_15m}, 1 h avg ${ingest.summary.avg_rate_1h}`,
    );
  if (r.slo) {
    out.push('', `SLO (${r.slo.source})`);
    out.push(
      renderTable(
        ['SLO', 'STATUS', 'ACTUAL', 'TARGET', 'BURN'],
        r.slo.slos.map((x) => [x.name, x.status, pct(x.actual), pct(x.target), x.burn_rate === null ? '-' : x.burn_rate.toFixed(2)]),
        { indent: '  ', empty: r.slo.error ?? '(none)' },
      ),
    );
  }
  out.push('');
  for (const w of r.warnings) out.push(`WARNING: ${w}`);
  for (const p of r.problems) out.push(`PROBLEM: ${p}`);
  out.push(r.ready ? `READY: ${r.processes.length} process(es), all ready` : `NOT READY: ${r.problems.length} problem(s)`);
  return out.join('\n');
}

/** Without --wait: listen until no new process has answered the ping for QUIET_MS, at most DEFAULT_WAIT_MS. */
const QUIET_MS = 250;
const DEFAULT_WAIT_MS = 1000;

/** Waits for ping answers: returns once nothing new was heard for `quietMs`, or after `maxMs`. */
async function listen(s: StatusSources, o: { quietMs: number; maxMs: number }): Promise<void> {
  const start = Date.now();
  let heard = 0;
  let lastNew = start;
  while (Date.now() - start < o.maxMs) {
    await new Promise((r) => setTimeout(r, 25));
    const n = s.health.processes().length;
    if (n > heard) {
      heard = n;
      lastNew = Date.now();
    } else if (heard > 0 && Date.now() - lastNew >= o.quietMs) return;
  }
}

/** Opens the status services over one connection (no KV watch: direct reads only), runs `fn`, closes. */
async function withStatusSources<T>(fn: (s: StatusSources) => Promise<T>): Promise<T> {
  const session = await openNats('status');
  try {
    const [
      { jetstream, jetstreamManager },
      { Kvm },
      { Registry },
      { ActorHealthTable },
      { DlqService },
      { MetricsService },
      { SloService },
      { openIngestCounters },
      { configDefaults, parseConfigValue },
      { Bucket },
    ] = await Promise.all([
      import('@nats-io/jetstream'),
      import('@nats-io/kv'),
      import('prom-client'),
      import('../../gateway/services/health-table.ts'),
      import('../../gateway/services/dlq.ts'),
      import('../../gateway/services/metrics.ts'),
      import('../../gateway/services/slo.ts'),
      import('../../gateway/ingest/counters.ts'),
      import('../../protocol/config-keys.ts'),
      import('../../protocol/streams.ts'),
    ]);
    const { nc, log } = session;
    const jsm = await jetstreamManager(nc);
    const kvm = new Kvm(nc);
    // mutt_state by direct get (key in the subject): the operator user may read the breaker, never a UI session.
    const [state, configKv, counters, rulesKv, countersKv] = await Promise.all([
      kvm.open(Bucket.state, { allow_direct: true }),
      kvm.open(Bucket.config),
      openIngestCounters(nc, { log }),
      kvm.open(Bucket.rules),
      kvm.open(Bucket.counters),
    ]);
    // The two config values the reports use, read once (a status is a snapshot).
    const cfg = configDefaults();
    for (const key of ['breaker_window_seconds', 'slo_window_hours'] as const) {
      const e = await configKv.get(key).catch(() => null);
      if (!e || e.operation !== 'PUT') continue;
      try {
        const v = parseConfigValue(key, JSON.parse(Buffer.from(e.value).toString('utf8')));
        if (v.ok) (cfg as Record<string, unknown>)[key] = v.value;
      } catch {
        /* an unreadable stored value: the default applies, as in every actor */
      }
    }
    const health = ActorHealthTable.start(nc);
    const dlq = new DlqService(jetstream(nc), jsm, log);
    const metrics = new MetricsService({ jsm, state, counters, health, dlq, config: () => cfg });
    const slo = new SloService(new Registry(), health, () => cfg, { instance: `cli-${process.pid}` }).start();
    try {
      return await fn({
        url: session.url,
        ping: () => nc.publish(subjects.healthPing),
        metrics,
        health,
        slo,
        rules: () => countRules(rulesKv, log),
        flow: async (minute) => flowView(await readMinute(countersKv, FLOW_PREFIX, minute)),
      });
    } finally {
      slo.stop();
      health.stop();
      await counters.close();
    }
  } finally {
    await session.close();
  }
}

export const status: Command = {
  name: 'status',
  usage: `usage: mutt status [--json] [--watch] [--interval 5s] [--wait 1s] [--url URL --key-file FILE]

Pings every MUTT process (mutt.ping.health) and listens on mutt.health.> until the answers stop (at most 1 s;
with --wait, for exactly that long: a process without ping support is heard only by its heartbeat every 5 s), then reports:
  processes   every MUTT process heard: name, instance, actors, ready, uptime (a stale one: no heartbeat for 15 s)
  streams     MUTT_EVENTS, MUTT_ALERTS, MUTT_DLQ, MUTT_AUDIT_EVENTS, MUTT_AUDIT_CONFIG: messages, bytes, fill
  lag         per stage (alerter, forwarder, remediation): num_pending, num_ack_pending, redelivered
  dlq         dead letters by stage and reason
  breaker     the forwarders' shared Moogsoft circuit breaker
  slo         from the gateway's /api/v2/slo with --url (or MUTT_URL) and a read key; else sampled locally
With --url the gateway's process table (GET /api/v2/actors) is merged in: it remembers processes that went silent
(stale after 15 s), which a one-shot listen cannot hear. --watch keeps listening and marks silence itself.
Exit code: 0 when at least one process answered and every one is ready, 1 otherwise (each problem is printed).
Warnings (open breaker, dead letters, a stream 80 % full, SLO burn) are printed but do not change the exit code.
--watch redraws every --interval until Ctrl-C. Connection: NATS_URL etc. (the read-only operator NATS user is enough).

examples:
  mutt status
  mutt status --json | jq '.consumers[] | {stage, num_pending}'
  mutt status --watch --url http://gateway:8080 --key-file ~/.mutt/read.key`,
  run(argv) {
    return guard('status', async () => {
      const { flags, positionals } = parseFlags(argv, {
        json: 'boolean',
        watch: 'boolean',
        interval: 'string',
        wait: 'string',
        ...GATEWAY_FLAGS,
      });
      if (positionals.length) throw new CliError(`unexpected argument '${positionals[0]}'`);
      const waitMs = flags.wait === undefined ? DEFAULT_WAIT_MS : parseDuration('wait', flags.wait);
      const intervalMs = flags.interval === undefined ? 5000 : parseDuration('interval', flags.interval);
      const gw = gatewayFrom(flags);
      return withStatusSources(async (s) => {
        const started = Date.now();
        s.ping();
        await listen(s, flags.wait === undefined ? { quietMs: QUIET_MS, maxMs: DEFAULT_WAIT_MS } : { quietMs: Infinity, maxMs: waitMs });
        const once = async () => {
          const report = await buildStatus(s, gw, Date.now() - started);
          if (flags.json === true) printJson(report);
          else console.log(renderStatus(report));
          return report.ready ? 0 : 1;
        };
        if (flags.watch !== true) return once();
        let code = 0;
        let stop = false;
        process.once('SIGINT', () => (stop = true));
        while (!stop) {
          if (process.stdout.isTTY && flags.json !== true) process.stdout.write('\x1b[2J\x1b[H');
          code = await once();
          const until = Date.now() + intervalMs;
          while (!stop && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
          s.ping();
          await listen(s, { quietMs: QUIET_MS, maxMs: Math.min(DEFAULT_WAIT_MS, intervalMs) });
        }
        return code;
      });
    });
  },
};
