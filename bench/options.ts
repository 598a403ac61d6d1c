// The benchmark's command line: sizes, rates, which process layout, soak, profiling. Defaults take under five
// minutes on two cores; --quick shrinks everything for the smoke test (< 60 s).
//   parseBenchArgs(['--events', '20000', '--mode', 'split']) -> { events: 20000, mode: 'split', ... }

export const BENCH_USAGE = `usage: tsx bench/run.ts [options]
  --events N          events per throughput phase (default 10000; HTTP single-event phases use N/4)
  --syslog-lines N    lines sent to the syslog listener by UDP, and again by TCP (default: --events)
  --rules N           rules in mutt_rules (default 1000); the rule engine is also measured at 10 and 100
  --rate N[,N]        offered loads of the open-loop latency phases, events/s (default 1000,5000)
  --latency-seconds S length of each latency phase (default 5), at most --latency-events events (default 10000)
  --mode up|split|both  one 'mutt up' process, one process per actor, or both (default both)
  --scale N[,N]       alerter+forwarder replicas of the split-mode scaling runs (default 1,2,4)
  --soak SECONDS      instead of the benchmark: steady load for that long, RSS of every process each 10 s
  --soak-rate N       offered load of the soak, events/s (default 1000)
  --replicas N        soak, split mode: N alerter and N forwarder processes (default 1)
  --moog-fail-rate F  soak: the fake Moogsoft answers that share (0-1, e.g. 0.1) of event POSTs with a 503,
                      which the forwarder retries (default 0). The soak then reports RSS per process
                      (first, after warm-up, last, max, slope MB/h after warm-up), alerts sent vs distinct at
                      the fake Moogsoft, and the bounded-map gauges of every process (first, last, max)
  --hops              split each latency phase into hops (generator, alerter, forwarder), seen by a tracer process
  --profile           V8 CPU profiles of every MUTT process (in the temp dir), with their top functions printed
  --servers P[,P]     nats-server binaries to run the limit, nats bench and MUTT phases on, one after the other
                      in this run, each figure labelled with its server's version (default: the one nats-server
                      the tests use: MUTT_NATS_SERVER, else PATH, else /usr/sbin)
  --out DIR           where <timestamp>.json goes (default bench/results)
  --quick             tiny sizes for the smoke test (< 60 s)
environment: BENCH_NODE_OPTIONS="--max-semi-space-size=4 ..." passes node flags to the MUTT processes only`;

export const Mode = { up: 'up', split: 'split', both: 'both' } as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

export interface BenchOptions {
  events: number;
  /** Events of the HTTP single-event phases (one request each). */
  singleEvents: number;
  /** Lines of the syslog-listener phase, per transport (UDP, then TCP). */
  syslogLines: number;
  rules: number;
  rates: number[];
  latencySeconds: number;
  /** Cap on the events of one latency phase: a rate above capacity builds a backlog that takes long to drain. */
  latencyEvents: number;
  mode: Mode;
  scale: number[];
  soakSeconds: number | null;
  soakRate: number;
  /** Soak in split mode: alerter and forwarder processes of each kind. */
  replicas: number;
  /** Soak: share of event POSTs the fake Moogsoft answers with a 503 (0 = none). */
  moogFailRate: number;
  profile: boolean;
  /** Latency by hop: a tracer process watches events and alerts go by (adds its own load to the box). */
  hops: boolean;
  outDir: string;
  quick: boolean;
  /** Messages of the raw JetStream publish / consume measurement. */
  limitMessages: number;
  /** Events per rule-engine size and timed passes. */
  ruleEngineEvents: number;
  ruleEnginePasses: number;
  /** In-flight HTTP requests: 100-event batches, and single events. */
  batchConcurrency: number;
  singleConcurrency: number;
  /** Unacknowledged JetStream publishes a producer keeps in flight. */
  publishWindow: number;
  /** moog_concurrency written to mutt_config. */
  moogConcurrency: number;
  /** nats-server binaries, measured one after the other; empty: the default one. */
  servers: string[];
}

export class BenchUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

function positiveInt(flag: string, v: string | undefined): number {
  if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1)
    throw new BenchUsageError(`${flag}: expected a positive integer, got '${v ?? ''}'`);
  return Number(v);
}

function intList(flag: string, v: string | undefined): number[] {
  if (v === undefined) throw new BenchUsageError(`${flag}: missing value`);
  return v.split(',').map((s) => positiveInt(flag, s.trim()));
}

function ratio(flag: string, v: string | undefined): number {
  // Below 1: a Moogsoft that fails every request never takes an alert, and the soak would wait forever.
  if (v === undefined || !/^(0(\.\d+)?|\.\d+)$/.test(v))
    throw new BenchUsageError(`${flag}: expected a number from 0 to below 1 (e.g. 0.1), got '${v ?? ''}'`);
  return Number(v);
}

export function parseBenchArgs(argv: string[]): BenchOptions & { help: boolean } {
  const quick = argv.includes('--quick');
  const o: BenchOptions & { help: boolean } = {
    help: false,
    quick,
    events: quick ? 2000 : 10_000,
    singleEvents: 0,
    syslogLines: 0,
    rules: quick ? 100 : 1000,
    rates: quick ? [200, 1000] : [1000, 5000],
    latencySeconds: quick ? 2 : 5,
    latencyEvents: quick ? 2000 : 10_000,
    mode: 'both',
    scale: quick ? [1, 2] : [1, 2, 4],
    soakSeconds: null,
    soakRate: 1000,
    replicas: 1,
    moogFailRate: 0,
    profile: false,
    hops: false,
    outDir: 'bench/results',
    limitMessages: quick ? 5000 : 50_000,
    ruleEngineEvents: quick ? 5000 : 30_000,
    ruleEnginePasses: quick ? 2 : 5,
    batchConcurrency: 8,
    singleConcurrency: 64,
    publishWindow: 1024,
    moogConcurrency: 64,
    servers: [],
  };
  let singleGiven = false;
  let syslogGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i];
    switch (flag) {
      case '--quick':
        break;
      case '--help':
      case '-h':
        o.help = true;
        break;
      case '--events':
        o.events = positiveInt(flag, value());
        break;
      case '--single-events':
        o.singleEvents = positiveInt(flag, value());
        singleGiven = true;
        break;
      case '--syslog-lines':
        o.syslogLines = positiveInt(flag, value());
        syslogGiven = true;
        break;
      case '--rules':
        o.rules = positiveInt(flag, value());
        break;
      case '--rate':
        o.rates = intList(flag, value());
        break;
      case '--latency-seconds':
        o.latencySeconds = positiveInt(flag, value());
        break;
      case '--latency-events':
        o.latencyEvents = positiveInt(flag, value());
        break;
      case '--scale':
        o.scale = intList(flag, value());
        break;
      case '--soak':
        o.soakSeconds = positiveInt(flag, value());
        break;
      case '--soak-rate':
        o.soakRate = positiveInt(flag, value());
        break;
      case '--replicas':
        o.replicas = positiveInt(flag, value());
        break;
      case '--moog-fail-rate':
        o.moogFailRate = ratio(flag, value());
        break;
      case '--profile':
        o.profile = true;
        break;
      case '--hops':
        o.hops = true;
        break;
      case '--out': {
        const v = value();
        if (!v) throw new BenchUsageError('--out: missing directory');
        o.outDir = v;
        break;
      }
      case '--servers': {
        const v = value();
        const paths = (v ?? '').split(',').map((x) => x.trim());
        if (!v || paths.some((x) => x === ''))
          throw new BenchUsageError(`--servers: expected nats-server paths separated by commas, got '${v ?? ''}'`);
        o.servers = paths;
        break;
      }
      case '--mode': {
        const v = value();
        if (v !== 'up' && v !== 'split' && v !== 'both') throw new BenchUsageError(`--mode: expected up, split or both, got '${v ?? ''}'`);
        o.mode = v;
        break;
      }
      default:
        throw new BenchUsageError(`unknown flag '${flag}'\n${BENCH_USAGE}`);
    }
  }
  if (o.soakSeconds === null && argv.includes('--replicas'))
    throw new BenchUsageError("--replicas: only with --soak (the benchmark's scaling runs take --scale)");
  if (o.soakSeconds === null && argv.includes('--moog-fail-rate'))
    throw new BenchUsageError("--moog-fail-rate: only with --soak (the benchmark's figures need a Moogsoft that takes every request)");
  if (o.replicas > 1 && o.mode === 'up')
    throw new BenchUsageError('--replicas: needs split mode (--mode split or both); one mutt up process has no replicas');
  if (o.soakSeconds !== null && o.servers.length > 1) throw new BenchUsageError('--servers: a soak runs on one server; name one');
  if (!singleGiven) o.singleEvents = Math.max(200, Math.round(o.events / 4));
  if (!syslogGiven) o.syslogLines = o.events;
  if (!o.scale.includes(1)) o.scale = [1, ...o.scale];
  o.scale = [...new Set(o.scale)].sort((a, b) => a - b);
  return o;
}
