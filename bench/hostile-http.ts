// Hostile HTTP and syslog TCP probes against the shipped process (`mutt up` with npm start's heap cap, through
// tests/helpers/shipped.ts), printed as figures for docs/RELIABILITY.md:
//   - the cost of the bounded parse (scan + JSON.parse) against JSON.parse alone, on a normal 100-event body;
//   - each hostile body at the byte limit: status, what it named, response time, process RSS and peak RSS after;
//   - silent sockets: 300 to HTTP and 300 to syslog TCP with the default timeouts, how long until each was closed;
//   - after each group, whether a canary event still reached the fake Moogsoft.
//   node --import tsx bench/hostile-http.ts [--quick]      (--quick: short timeouts for the socket probes)

import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { scanJson } from '../gateway/bounded-json.ts';
import { INGEST_BODY_LIMITS } from '../gateway/body-limits.ts';
import { startShipped, type Shipped } from '../tests/helpers/shipped.ts';
import { waitFor } from '../tests/helpers/wait.ts';
import { deep, flood, wide } from '../tests/helpers/hostile-bodies.ts';
import { peakRssMb, rssMb } from './proc-stats.ts';
import { buildWorkload, toHttpItem } from './workload.ts';

const quick = process.argv.includes('--quick');
const LIMIT = 5 * 1024 * 1024;
const READ_KEY = 'reader-Key-0123456789ABCDEFabcdef';

function parseCost(): void {
  const items = buildWorkload(50)
    .events(100, 'bench')
    .map((it) => toHttpItem(it, Date.now()));
  const text = JSON.stringify(items);
  const bytes = Buffer.from(text);
  const rounds = 5_000;
  const time = (f: () => unknown) => {
    for (let i = 0; i < 500; i++) f();
    const t = performance.now();
    for (let i = 0; i < rounds; i++) f();
    return ((performance.now() - t) * 1000) / rounds;
  };
  const results: number[][] = [];
  for (let run = 0; run < 3; run++) {
    const parse = time(() => JSON.parse(bytes.toString('utf8')));
    const bounded = time(() => {
      scanJson(bytes, INGEST_BODY_LIMITS);
      return JSON.parse(bytes.toString('utf8'));
    });
    const scan = time(() => scanJson(bytes, INGEST_BODY_LIMITS));
    results.push([parse, bounded, scan]);
  }
  const best = [0, 1, 2].map((k) => Math.min(...results.map((r) => r[k])));
  console.log(`parse cost, 100-event body (${bytes.length} B), best of 3 x ${rounds}:`);
  console.log(
    `  JSON.parse ${best[0].toFixed(1)} µs, scan + JSON.parse ${best[1].toFixed(1)} µs (+${(((best[1] - best[0]) / best[0]) * 100).toFixed(0)} %), scan alone ${best[2].toFixed(1)} µs`,
  );
}

function atLimit(): string {
  const n = 5000;
  const events = Array.from({ length: n }, (_, i) => ({ host: `edge-${i}.example.com`, message: `at-limit ${i} `, severity: 'info' }));
  const pad = LIMIT - JSON.stringify(events).length;
  events.forEach((e, i) => (e.message += 'x'.repeat(Math.floor(pad / n) + (i < pad % n ? 1 : 0))));
  return JSON.stringify(events);
}

async function bodies(m: Shipped): Promise<void> {
  const pid = m.proc.child.pid!;
  const cases: [string, string, string, string?][] = [
    ['events: 1.7 M {}', '/api/v2/events', flood(LIMIT)],
    ['events: 2.6 M deep', '/api/v2/events', deep(LIMIT)],
    ['events: 600 k members', '/api/v2/events', `{"host":"h","message":"m","fields":${wide(LIMIT - 100)}}`],
    ['events: NDJSON 1.7 M lines', '/api/v2/events', '{}\n'.repeat(Math.floor(LIMIT / 3)), 'application/x-ndjson'],
    ['ingest (legacy): 1.7 M {}', '/ingest', flood(LIMIT)],
    ['events: 5,000 events at the limit', '/api/v2/events', atLimit()],
    ['rules/test (read key): 1.7 M rules', '/api/v2/rules/test', `{"host":"h","message":"m","rules":${flood(LIMIT - 100)}}`],
    ['rules/test (read key): 2.6 M deep', '/api/v2/rules/test', deep(LIMIT)],
    ['teams/import: 1.7 M {}', '/api/v2/teams/import', flood(LIMIT)],
  ];
  console.log(`\nhostile bodies (≤ ${LIMIT} B each), process RSS before: ${rssMb(pid).toFixed(0)} MB`);
  for (const [name, path, body, type] of cases) {
    const key = path === '/api/v2/rules/test' ? READ_KEY : m.adminKey;
    const t = performance.now();
    const res = await fetch(`${m.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': type ?? 'application/json', 'x-api-key': key },
      body,
    });
    const answer = (await res.json().catch(() => ({}))) as { exceeded?: string; limit?: number; accepted?: number };
    const ms = performance.now() - t;
    const what = answer.exceeded
      ? `${answer.exceeded} ${answer.limit}`
      : answer.accepted !== undefined
        ? `accepted ${answer.accepted}`
        : '';
    console.log(
      `  ${name.padEnd(36)} ${res.status} ${what.padEnd(14)} ${ms.toFixed(0).padStart(5)} ms  RSS ${rssMb(pid).toFixed(0)} MB (peak ${peakRssMb(pid).toFixed(0)} MB)`,
    );
  }
  await m.canary(30_000);
  console.log('  canary delivered after the bodies: yes');
}

async function silent(port: number, n: number, what: string): Promise<void> {
  const t0 = performance.now();
  const closedAt: number[] = [];
  const sockets: net.Socket[] = [];
  for (let i = 0; i < n; i++) {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('error', () => undefined);
    s.on('close', () => closedAt.push(performance.now() - t0));
    sockets.push(s);
    await new Promise<void>((r) => {
      s.once('connect', () => r());
      s.once('close', () => r());
    });
  }
  const opened = performance.now() - t0;
  await waitFor(() => closedAt.length === n, 180_000, `${n} ${what} sockets closed`);
  closedAt.sort((a, b) => a - b);
  const q = (p: number) => (closedAt[Math.min(n - 1, Math.floor(p * n))] / 1000).toFixed(2);
  console.log(
    `  ${what}: ${n} silent sockets opened in ${(opened / 1000).toFixed(2)} s; closed after min ${q(0)} s, median ${q(0.5)} s, max ${q(1)} s`,
  );
}

async function sockets(): Promise<void> {
  const env: Record<string, string> = { MUTT_API_KEYS: `ops:ingest+read+admin:shipped-admin-Key-0123456789abcdef,reader:read:${READ_KEY}` };
  if (quick) Object.assign(env, { MUTT_HTTP_IDLE_TIMEOUT_MS: '1000', MUTT_SYSLOG_TCP_FIRST_BYTE_TIMEOUT_MS: '2000' });
  const m = await startShipped({ env });
  try {
    await bodies(m);
    console.log(
      `\nsilent sockets (${quick ? 'short timeouts: HTTP idle 1 s, syslog first byte 2 s' : 'default timeouts: HTTP idle 5 s, syslog first byte 30 s'}):`,
    );
    await silent(m.httpPort, 300, 'HTTP');
    await silent(m.syslogPort!, 300, 'syslog TCP');
    const metrics = await (await fetch(`${m.url}/metrics`)).text();
    for (const line of metrics.split('\n'))
      if (/^mutt_(http|syslog_tcp)_connections_total\{/.test(line)) console.log(`  ${line.replace(/,?instance="[^"]*"/, '')}`);
    await m.canary(30_000);
    console.log('  canary delivered after the sockets: yes');
  } finally {
    await m.stop();
  }
}

parseCost();
await sockets();
