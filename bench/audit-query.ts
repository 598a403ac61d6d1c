// How fast the event audit and dead-letter pages answer over a large trail: fills a fresh nats-server (file
// storage) with --records audit records written by a real alerter and --dlq dead letters (bench/audit-fill.ts),
// starts `mutt gateway` as it ships, then times every query shape (bench/audit-shapes.ts) over HTTP — the
// management API and the web UI's page — and prints p50 / p95 / max per shape as a table, then as JSON (also
// written to bench/results/audit-query-<time>.json). docs/PERFORMANCE.md, "Audit and DLQ queries", has figures.
//   npx tsx bench/audit-query.ts                                   # 100,000 records, the nats-server on PATH
//   npx tsx bench/audit-query.ts --records 20000 --server /work/tools/bin/nats-server-2.15.3 --runs 20

import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { provision } from '../actors/runtime/provision.ts';
import { loadEnv } from '../protocol/env.ts';
import { startNats } from '../tests/helpers/nats-server.ts';
import { fillAudit, type Filled } from './audit-fill.ts';
import { auditShapes, type Shape } from './audit-shapes.ts';
import { spawnMutt } from './mutt-processes.ts';
import { machineFacts } from './proc-stats.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_P95_MS = 300;

export const USAGE = `usage: tsx bench/audit-query.ts [options]
  --records N    event audit records to fill (default 100000)
  --dlq N        dead letters to fill (default 20000)
  --rules N      rules of the workload (default 1000)
  --runs N       timed requests per query shape, after 3 untimed (default 30)
  --server PATH  the nats-server binary to run (default: nats-server on PATH)
  --out DIR      where audit-query-<time>.json goes (default bench/results)`;

export interface AuditBenchOptions {
  records: number;
  dlq: number;
  rules: number;
  runs: number;
  server: string | null;
  outDir: string;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: string[]): AuditBenchOptions {
  const o: AuditBenchOptions = { records: 100_000, dlq: 20_000, rules: 1000, runs: 30, server: null, outDir: 'bench/results' };
  const int = (flag: string, v: string | undefined, min: number) => {
    if (v === undefined || !/^\d+$/.test(v) || Number(v) < min)
      throw new UsageError(`${flag}: expected an integer ≥ ${min}, got '${v ?? ''}'`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--records') o.records = int(a, v, 1);
    else if (a === '--dlq') o.dlq = int(a, v, 0);
    else if (a === '--rules') o.rules = int(a, v, 1);
    else if (a === '--runs') o.runs = int(a, v, 1);
    else if (a === '--server') {
      if (!v) throw new UsageError('--server: expected the path of a nats-server binary');
      o.server = resolve(v);
    } else if (a === '--out') {
      if (!v) throw new UsageError('--out: expected a directory');
      o.outDir = v;
    } else throw new UsageError(`unknown option ${a}\n${USAGE}`);
    i++;
  }
  return o;
}

export interface ShapeFigure {
  group: Shape['group'];
  shape: string;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Rows of the last answer, and records the gateway read for it (the API's `scanned`). */
  rows: number;
  scanned: number | null;
}

const quantile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
const round = (ms: number) => Math.round(ms * 10) / 10;

async function timeShape(base: string, headers: Record<string, string>, s: Shape, runs: number): Promise<ShapeFigure> {
  const ms: number[] = [];
  let rows = 0;
  let scanned: number | null = null;
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    const r = await fetch(base + s.path(i), { headers, redirect: 'manual' });
    const text = await r.text();
    const took = performance.now() - t0;
    if (r.status !== 200) throw new Error(`${s.name}: ${s.path(i)} answered ${r.status}: ${text.slice(0, 300)}`);
    if (i >= 3) ms.push(took);
    if (s.group === 'ui') {
      rows = (text.match(/<tr data-seq=/g) ?? []).length;
    } else {
      const body = JSON.parse(text) as { items: unknown[]; scanned?: number };
      rows = body.items.length;
      scanned = body.scanned ?? null;
    }
  }
  ms.sort((a, b) => a - b);
  return {
    group: s.group,
    shape: s.name,
    p50Ms: round(quantile(ms, 0.5)),
    p95Ms: round(quantile(ms, 0.95)),
    maxMs: round(ms[ms.length - 1]),
    rows,
    scanned,
  };
}

/** Signs in to the web UI with the form, as a browser does: the session cookie for the UI pages. */
async function uiCookie(base: string, key: string): Promise<string> {
  const form = await fetch(`${base}/ui/login`);
  const loginCookie = (form.headers.get('set-cookie') ?? '').split(';')[0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!loginCookie || !csrf) throw new Error('the sign-in form carried no CSRF token');
  const r = await fetch(`${base}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie, origin: base },
    body: new URLSearchParams({ key, _csrf: csrf, next: '/ui/audit/events' }).toString(),
  });
  const session = (r.headers.get('set-cookie') ?? '').split(';')[0];
  if (r.status !== 303 || !session) throw new Error(`sign-in answered ${r.status}: ${(await r.text()).slice(0, 300)}`);
  return session;
}

function formatTable(figures: ShapeFigure[]): string {
  const head = ['group', 'query (50-row page)', 'p50 ms', 'p95 ms', 'max ms', 'rows', 'scanned', `p95 ≤ ${TARGET_P95_MS}`];
  const rows = figures.map((f) => [
    f.group,
    f.shape,
    String(f.p50Ms),
    String(f.p95Ms),
    String(f.maxMs),
    String(f.rows),
    f.scanned === null ? '' : String(f.scanned),
    f.p95Ms <= TARGET_P95_MS ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 2 && i <= 6 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let o: AuditBenchOptions;
  try {
    o = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const log = (line: string) => console.error(line);
  // --server: a directory holding only a `nats-server` link to it, first on PATH, for this process and its children.
  const binDir = o.server ? mkdtempSync(join(tmpdir(), 'mutt-audit-bench-bin-')) : null;
  if (binDir && o.server) {
    symlinkSync(o.server, join(binDir, 'nats-server'));
    process.env.PATH = `${binDir}:${process.env.PATH ?? ''}`;
  }
  process.env.PATH = `${process.env.PATH ?? ''}:/usr/sbin:/usr/local/sbin`;
  delete process.env.NATS_URL;
  const facts = machineFacts(ROOT);
  const nats = await startNats();
  const nc = await connect({ servers: nats.url });
  const key = randomBytes(18).toString('base64url');
  const env = {
    NATS_URL: nats.url,
    MUTT_STORAGE: 'file',
    MUTT_API_KEYS: `bench:read+admin:${key}`,
    MUTT_HTTP_HOST: '127.0.0.1',
    MUTT_HTTP_PORT: '0',
    LOG_LEVEL: 'info',
  };
  let gateway: Awaited<ReturnType<typeof spawnMutt>> | null = null;
  try {
    log(
      `audit query benchmark: nats-server ${facts.natsServer}, ${facts.cores} cores, load ${facts.loadAverageStart}, commit ${facts.commit}`,
    );
    await provision(nc, loadEnv(env));
    const jsm = await jetstreamManager(nc);
    log(`filling ${o.records} audit records (real alerter, ${o.rules} rules) and ${o.dlq} dead letters …`);
    const filled: Filled = await fillAudit(nc, jsm, { root: ROOT, env, records: o.records, deadLetters: o.dlq, rules: o.rules, log });
    log(
      `filled: ${filled.records} records in ${filled.fillSeconds.toFixed(1)} s, ${filled.deadLetters} dead letters; decisions ${[...filled.decisions].map(([d, n]) => `${d} ${n}`).join(', ')}`,
    );
    gateway = await spawnMutt('gateway', 'audit-bench-gateway', ROOT, env);
    const base = `http://127.0.0.1:${gateway.httpPort}`;
    const shapes = auditShapes(filled, {
      cursors: { eventsMid: Math.floor(filled.records / 2), dlqMid: Math.floor((filled.dlq.firstSeq + filled.dlq.lastSeq) / 2) },
    });
    const apiHeaders = { 'x-api-key': key };
    const uiHeaders = { cookie: await uiCookie(base, key) };
    const figures: ShapeFigure[] = [];
    for (const s of shapes) {
      const fig = await timeShape(base, s.group === 'ui' ? uiHeaders : apiHeaders, s, o.runs);
      log(`  ${s.group} ${s.name}: p50 ${fig.p50Ms} ms, p95 ${fig.p95Ms} ms, max ${fig.maxMs} ms (${fig.rows} rows)`);
      figures.push(fig);
    }
    const result = {
      kind: 'mutt-audit-query',
      version: 1,
      startedAt: new Date().toISOString(),
      machine: facts,
      options: { records: o.records, dlq: o.dlq, rules: o.rules, runs: o.runs, server: o.server },
      filled: {
        records: filled.records,
        deadLetters: filled.deadLetters,
        fillSeconds: Math.round(filled.fillSeconds),
        decisions: Object.fromEntries(filled.decisions),
        hosts: filled.hosts.size,
        rules: filled.rules.size,
      },
      targetP95Ms: TARGET_P95_MS,
      figures,
    };
    console.log(formatTable(figures));
    console.log(JSON.stringify(result, null, 2));
    const dir = resolve(ROOT, o.outDir);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `audit-query-${result.startedAt.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    log(`result: ${file}`);
    return figures.every((f) => f.p95Ms <= TARGET_P95_MS) ? 0 : 1;
  } finally {
    await gateway?.stop(5000);
    await nc.close().catch(() => undefined);
    await nats.stop();
    if (binDir) rmSync(binDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
