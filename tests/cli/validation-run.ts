// Runs the operator validation of docs/OPERATOR_VALIDATION.md against a real local deployment and prints what it
// observed, as Markdown to paste into that document: a 3-node nats-server cluster (R3 streams), `mutt fake-moog`,
// `mutt up` (box1) plus a second alerter and forwarder (box2), every step driven with the `mutt` CLI exactly as
// an operator types it. Each expectation is checked; the run exits 1 if one fails.
//   node --import tsx tests/cli/validation-run.ts > /tmp/validation.md      (about 3-4 minutes)

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startCluster, type Cluster } from '../helpers/nats-cluster.ts';
import { freeTcpPort as freePort } from '../helpers/ports.ts';
import { spawnNode, type Spawned } from '../helpers/processes.ts';
import { waitFor } from '../helpers/wait.ts';
import { ROOT } from './run-cli.ts';

const OPS_KEY = 'validation-ops-key-0123456789abcdef';
const MOOG_KEY = 'validation-moog-credential';
const work = mkdtempSync(join(tmpdir(), 'mutt-validation-'));
const failures: string[] = [];
const checks: string[] = [];

const print = (s = '') => process.stdout.write(s + '\n');

function check(ok: boolean, what: string): void {
  checks.push(`${ok ? '✔' : '✘'} ${what}`);
  print(`- ${ok ? '✔' : '✘ FAILED:'} ${what}`);
  if (!ok) failures.push(what);
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  text: string;
}

let cliEnv: Record<string, string> = {};

/** Runs `mutt <args>` like an operator (cwd = the work directory) and returns its output, without printing. */
function run(args: string[], opts: { input?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/mutt.js'), ...args], {
      cwd: work,
      env: { ...process.env, LOG_LEVEL: 'warn', ...cliEnv },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let text = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      text += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      text += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, text }));
    child.stdin.end(opts.input ?? '');
  });
}

function trim(text: string, head = 40, tail = 12): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  if (lines.length <= head + tail + 1) return lines.join('\n');
  return [...lines.slice(0, head), `… (${lines.length - head - tail} lines trimmed)`, ...lines.slice(-tail)].join('\n');
}

/** Runs and prints the command with its observed output and exit code, as a fenced block. */
async function shell(args: string[], opts: { input?: string; head?: number; tail?: number; shown?: string } = {}): Promise<Run> {
  const r = await run(args, opts);
  const shown = opts.shown ?? `mutt ${args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')}`;
  print('```');
  print(`$ ${shown}`);
  print(trim(r.text, opts.head, opts.tail));
  print(`[exit ${r.code}]`);
  print('```');
  return r;
}

function showCommand(shown: string, output: string): void {
  print('```');
  print(`$ ${shown}`);
  if (output) print(output);
  print('```');
}

let moogUrl = '';
async function moog(path: string, body?: unknown): Promise<unknown> {
  const r = await fetch(
    `${moogUrl}${path}`,
    body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  return r.json();
}
async function moogControl(body: Record<string, unknown>): Promise<void> {
  const answer = await moog('/control', body);
  showCommand(`curl -s -X POST ${moogUrl}/control -d '${JSON.stringify(body)}'`, JSON.stringify(answer));
}
async function moogCount(needle: string): Promise<number> {
  let n = 0;
  let since = 0;
  for (;;) {
    const page = (await moog(`/events?since=${since}&limit=10000`)) as { events: { seq: number; event: unknown }[] };
    for (const e of page.events) if (JSON.stringify(e.event).includes(needle)) n++;
    if (page.events.length < 10000) return n;
    since = page.events[page.events.length - 1].seq;
  }
}
/** Seconds between the first and the last arrival of the matching events at the fake Moogsoft. */
async function moogSpread(needle: string): Promise<number> {
  const page = (await moog('/events?since=0&limit=10000')) as { events: { receivedAt: number; event: unknown }[] };
  const times = page.events.filter((e) => JSON.stringify(e.event).includes(needle)).map((e) => e.receivedAt);
  return (Math.max(...times) - Math.min(...times)) / 1000;
}
const ackedOf = (r: Run) => Number(/acked (\d+)/.exec(r.stdout)?.[1] ?? -1);
const runOf = (r: Run) => /\(run ([0-9a-f]{8})\)/.exec(r.stdout)?.[1] ?? '';

const started = Date.now();
let cluster: Cluster | undefined;
const procs: Spawned[] = [];

async function main(): Promise<void> {
  // ---------------------------------------------------------------------------------------------------------
  print('### 0. The deployment under test');
  print();
  cluster = await startCluster(3);
  const moogPort = await freePort();
  const gwPort = await freePort();
  moogUrl = `http://127.0.0.1:${moogPort}`;
  const fake = spawnNode('bin/mutt.js', ['fake-moog', '--port', String(moogPort), '--api-key', MOOG_KEY], {});
  procs.push(fake);
  await fake.waitForOutput(/fake Moogsoft listening/);
  const base: Record<string, string> = {
    NATS_URL: cluster.url,
    MUTT_REPLICAS: '3',
    MUTT_EVENTS_MAX_MSGS: '2000',
    MUTT_ACK_WAIT_MS: '5000',
    MUTT_SHUTDOWN_GRACE_MS: '5000',
    MUTT_API_KEYS: `ops:ingest+read+admin:${OPS_KEY}`,
    MOOG_WEBHOOK_URL: `${moogUrl}/events`,
    MOOG_API_KEY: MOOG_KEY,
    MUTT_HTTP_HOST: '127.0.0.1',
    MUTT_SYSLOG_PORT: '0',
    MUTT_TRAP_PORT: '0',
    LOG_LEVEL: 'info',
  };
  const up = spawnNode('bin/mutt.js', ['up'], { ...base, MUTT_HTTP_PORT: String(gwPort), MUTT_INSTANCE: 'box1' });
  procs.push(up);
  await up.waitForOutput(/HTTP listening/, 60_000);
  const startReplica = async (actor: string) => {
    const p = spawnNode('bin/mutt.js', ['run', actor], { ...base, MUTT_HTTP_PORT: '0', MUTT_INSTANCE: `box2-${actor}` });
    procs.push(p);
    await p.waitForOutput(/HTTP listening/, 60_000);
    return p;
  };
  await startReplica('alerter');
  const forwarder2 = await startReplica('forwarder');
  const gw = `http://127.0.0.1:${gwPort}`;
  cliEnv = { NATS_URL: cluster.url, MUTT_URL: gw, MUTT_API_KEY: OPS_KEY };
  print('Started by tests/cli/validation-run.ts on one machine (Debian 12, nats-server 2.9.10, Node 20):');
  print();
  print('```');
  print(`nats-server ×3 (cluster "mutt", JetStream)   ${cluster.urls.join(' ')}`);
  print(`mutt fake-moog --port ${moogPort} --api-key …`);
  print(`box1: mutt up                  MUTT_INSTANCE=box1 MUTT_HTTP_PORT=${gwPort}`);
  print('box2: mutt run alerter         MUTT_INSTANCE=box2-alerter');
  print('box2: mutt run forwarder       MUTT_INSTANCE=box2-forwarder');
  print('common: NATS_URL=<the three servers> MUTT_REPLICAS=3 MUTT_EVENTS_MAX_MSGS=2000 MUTT_ACK_WAIT_MS=5000');
  print(`        MUTT_API_KEYS=ops:ingest+read+admin:… MOOG_WEBHOOK_URL=${moogUrl}/events MOOG_API_KEY=…`);
  print('operator shell: export NATS_URL=<the three servers> MUTT_URL=' + gw + ' MUTT_API_KEY=<the ops key>');
  print('```');
  print();
  print('MUTT_EVENTS is capped at 2,000 messages and the ack wait shortened to 5 s so that backpressure and failover');
  print('show within minutes; everything else is the default. The fake Moogsoft takes any rate, so the delivery rate');
  print('limit and the retry ceiling are raised for the run (first commands below).');
  print();
  await shell(['config', 'set', 'moog_rate_limit', '1000', '--reason', 'validation: the fake Moogsoft takes any rate']);
  await shell(['config', 'set', 'moog_backoff_max_ms', '2000', '--reason', 'validation: retry quickly after the outage']);
  await shell(['config', 'set', 'breaker_open_seconds', '5', '--reason', 'validation: probe Moogsoft every 5 s']);
  const status0 = await shell(['status'], { head: 40 });
  check(status0.code === 0, '`mutt status` exits 0: every process ready');
  check(
    /^ {2}up +box1 /m.test(status0.stdout) && /box2-alerter/.test(status0.stdout) && /box2-forwarder/.test(status0.stdout),
    'it lists box1 (up), box2-alerter and box2-forwarder',
  );
  const upPid = up.child.pid;

  // ---------------------------------------------------------------------------------------------------------
  print();
  print('### 1. Rules and hosts from MUTT v2.5, then a smoke test');
  print();
  writeFileSync(
    join(work, 'alert_rules.csv'),
    'id,match_string,trap_oid,syslog_severity,match_type,priority,prod_handling,dev_handling,team_assignment,is_active\n' +
      '1,CRITICAL,,,contains,10,Page_and_ticket,Ticket_only,NETO,t\n2,ERROR,,,contains,20,Ticket_only,Ignore,NETO,t\n3,LINK-DOWN,,,contains,5,Page_and_ticket,Ticket_only,NetOps,t\n' +
      '4,DOT1X-FIRMWARE-RUNNING,,,contains,50,Ticket_only,Ignore,Security,t\n5,,.1.3.6.1.4.1.9.9.41.2,,oid_prefix,15,Page_and_ticket,Ignore,NetOps,t\n',
  );
  writeFileSync(join(work, 'development_hosts.csv'), 'hostname\ndev-router1\ntest-switch1\nqa-firewall1\n');
  writeFileSync(
    join(work, 'device_teams.csv'),
    'hostname,team_assignment\nrouter1.prod.example.com,NetOps\nswitch1.prod.example.com,NetOps\nfirewall1.prod.example.com,Security\nserver1.prod.example.com,SysAdmin\n',
  );
  print(
    "The files are `psql \\copy (select * from <table>) to '<table>.csv' csv header` exports of v2.5's seed data (MUTT_V25_FACTS §2.3).",
  );
  print();
  const dry = await shell(['rules', 'import', 'alert_rules.csv', '--dry-run']);
  check(
    dry.code === 0 && /5 to create/.test(dry.stdout) && /dry run: nothing was written/.test(dry.stdout),
    'the dry run plans 5 creates and writes nothing',
  );
  const imp = await shell(['rules', 'import', 'alert_rules.csv', '--reason', 'v2.5 migration']);
  check(imp.code === 0 && /written: 5 created/.test(imp.stdout), 'the import creates the 5 rules');
  const hostsImp = await shell(['hosts', 'import', 'development_hosts.csv']);
  const teamsImp = await shell(['hosts', 'import', 'device_teams.csv']);
  check(hostsImp.code === 0 && teamsImp.code === 0, 'development hosts and device teams imported');
  await shell(['rules', 'ls']);
  const smoke = await shell(['smoke', '--timeout', '30s']);
  check(smoke.code === 0 && /OK: the canary reached Moogsoft/.test(smoke.stdout), '`mutt smoke` follows a canary to Moogsoft and exits 0');

  // ---------------------------------------------------------------------------------------------------------
  print();
  print('### 2. Dynamic configuration reloads without a restart');
  print();
  print('#### 2a. Gateway: a per-key ingest rate limit, on and off');
  print();
  await shell(['config', 'set', 'ingest_rate_limit', '20', '--reason', 'validation: per-key limit']);
  const limited = await shell(['send', '--count', '50', '--batch', '10', '--message', 'ERROR rate-limit check {n}', '--quiet']);
  check(
    limited.code === 1 && ackedOf(limited) === 20 && /HTTP 429 x30/.test(limited.stdout),
    'with ingest_rate_limit 20 the gateway takes 20 of 50 events and answers 429 to the rest',
  );
  await shell(['config', 'reset', 'ingest_rate_limit', '--reason', 'validation done']);
  const unlimited = await shell(['send', '--count', '50', '--batch', '10', '--message', 'ERROR rate-limit check {n}', '--quiet']);
  check(unlimited.code === 0 && ackedOf(unlimited) === 50, 'after the reset all 50 are accepted (no restart)');
  print();
  print('#### 2b. Alerter: a rule added while running applies to the next event');
  print();
  const bgp = '%BGP-5-ADJCHANGE: neighbor 10.0.0.1 Down (validation)';
  const before = await shell(['smoke', '--message', bgp, '--host', 'core-router-01.dc1.example.com']);
  check(
    before.code === 1 && /not forwarded: decision unhandled/.test(before.stdout),
    'before the rule exists the event is unhandled (smoke exits 1 at "alerted")',
  );
  writeFileSync(
    join(work, 'bgp_rule.csv'),
    'id,match_string,trap_oid,syslog_severity,match_type,priority,prod_handling,dev_handling,team_assignment,is_active\n100,%BGP-5-ADJCHANGE,,,contains,8,Page_only,Ignore,NetOps,t\n',
  );
  await shell(['rules', 'import', 'bgp_rule.csv', '--reason', 'validation: new BGP rule']);
  const after = await shell(['smoke', '--message', bgp, '--host', 'core-router-01.dc1.example.com']);
  check(after.code === 0 && /rule 100, decision page_only/.test(after.stdout), 'the next event is handled by rule 100 and delivered');
  print();
  print('#### 2c. Forwarder: the Moogsoft rate limit, lowered and raised');
  print();
  await shell(['config', 'set', 'moog_rate_limit', '5', '--reason', 'validation: slow delivery']);
  const slow = await shell(['send', '--count', '30', '--message', 'CRITICAL slow-check {run} #{n}', '--quiet']);
  await waitFor(async () => (await moogCount(`slow-check ${runOf(slow)}`)) === 30, 60_000, '30 slow deliveries');
  const slowSecs = await moogSpread(`slow-check ${runOf(slow)}`);
  await shell(['config', 'set', 'moog_rate_limit', '1000', '--reason', 'validation: back to fast']);
  const fast = await shell(['send', '--count', '30', '--message', 'CRITICAL fast-check {run} #{n}', '--quiet']);
  await waitFor(async () => (await moogCount(`fast-check ${runOf(fast)}`)) === 30, 60_000, '30 fast deliveries');
  const fastSecs = await moogSpread(`fast-check ${runOf(fast)}`);
  print(
    `Observed at the fake Moogsoft: the 30 alerts arrived over ${slowSecs.toFixed(1)} s at moog_rate_limit 5 (about 5 a second), and over ${fastSecs.toFixed(2)} s at 1000.`,
  );
  print();
  check(slowSecs >= 4 && fastSecs < 1, 'delivery follows moog_rate_limit, changed twice while running');
  print(`The \`mutt up\` process kept pid ${upPid} through all of section 2: nothing was restarted.`);
  check(up.child.exitCode === null && up.child.pid === upPid, 'no process restarted');

  // ---------------------------------------------------------------------------------------------------------
  print();
  print('### 3. Dead letters and replay');
  print();
  print('Moogsoft refuses the next three alerts with HTTP 400: a permanent answer, so the forwarder dead-letters them');
  print('(reason `rejected`) and remediation moves them to the `quarantine` stage for an operator.');
  print();
  await moogControl({ failNext: 3, failStatus: 400 });
  const dlqSend = await shell([
    'send',
    '--count',
    '3',
    '--host',
    'switch1.prod.example.com',
    '--message',
    'LINK-DOWN dlq-check {run} #{n}',
    '--quiet',
  ]);
  const dlqRun = runOf(dlqSend);
  const js = await connect({ servers: cluster.urls });
  const jsm = await jetstreamManager(js);
  await waitFor(async () => (await jsm.streams.info('MUTT_DLQ')).state.messages >= 3, 30_000, '3 dead letters');
  await waitFor(
    async () => (await run(['dlq', 'ls', '--stage', 'quarantine', '--json'])).stdout.split('"seq"').length - 1 >= 3,
    30_000,
    'quarantined',
  );
  const ls = await shell(['dlq', 'ls']);
  check(
    /3 shown of 3 matching/.test(ls.stdout) && (ls.stdout.match(/quarantine +rejected /g) ?? []).length === 3,
    '`mutt dlq ls` shows the 3 rejected alerts',
  );
  const firstSeq = /^\s*(\d+)\s/m.exec(ls.stdout.split('\n').slice(1).join('\n'))?.[1] ?? '1';
  const show = await shell(['dlq', 'show', firstSeq], { head: 30, tail: 4 });
  check(
    /HTTP status +400/.test(show.stdout) && /payload \(\d+ bytes, decoded\)/.test(show.stdout),
    "`mutt dlq show` gives the HTTP status, Moogsoft's answer and the decoded alert",
  );
  const noYes = await shell(['dlq', 'replay', '--stage', 'quarantine']);
  check(noYes.code === 2, 'a bulk replay without --yes is refused (exit 2), nothing changes');
  const replay = await shell([
    'dlq',
    'replay',
    '--stage',
    'quarantine',
    '--reason',
    'rejected',
    '--yes',
    '--comment',
    'validation: Moogsoft accepts again',
  ]);
  check(replay.code === 0 && /replayed 3 dead letter/.test(replay.stdout), 'the replay republishes all 3');
  await waitFor(async () => (await moogCount(`dlq-check ${dlqRun}`)) === 3, 30_000, 'replayed alerts delivered');
  check((await moogCount(`dlq-check ${dlqRun}`)) === 3, 'Moogsoft received the 3 alerts exactly once');
  const empty = await shell(['dlq', 'ls']);
  check(/\(no dead letters\)/.test(empty.stdout), 'the DLQ is empty again');

  // ---------------------------------------------------------------------------------------------------------
  print();
  print('### 4. Backpressure: a Moogsoft outage backs up to the senders as 503, and nothing is lost');
  print();
  print('The alerter stops pulling while MUTT_ALERTS holds more than `alerter_backpressure_depth` alerts; it is');
  print('lowered to 100 so a short outage fills MUTT_EVENTS (2,000) and the gateway answers 503 + Retry-After.');
  print();
  await shell(['config', 'set', 'alerter_backpressure_depth', '100', '--reason', 'validation: backpressure']);
  await moogControl({ status: 503 });
  const flood = await shell([
    'send',
    '--rate',
    '1000',
    '--count',
    '3000',
    '--host',
    'router1.prod.example.com',
    '--message',
    'LINK-DOWN outage {run} #{n}',
    '--quiet',
  ]);
  const floodRun = runOf(flood);
  const floodAcked = ackedOf(flood);
  check(
    flood.code === 1 && /HTTP 503 stream_full/.test(flood.stdout) && floodAcked >= 2000 && floodAcked < 3000,
    'the gateway stores what fits and answers 503 (stream_full) to the rest; mutt send counts them as failed',
  );
  const outage = await shell(['status'], { head: 45 });
  check(
    /MOOGSOFT BREAKER: (open|half_open)/.test(outage.stdout) && /WARNING: MUTT_EVENTS is 100% full/.test(outage.stdout),
    '`mutt status` shows the open breaker and the full MUTT_EVENTS',
  );
  check(outage.code === 0, 'and still exits 0: every process is up and ready; the warnings say why nothing moves');
  await moogControl({ status: 200 });
  print('Moogsoft is back. The breaker probes within 5 s and closes; the backlog drains. Meanwhile a sender that honours');
  print('Retry-After (`--retry`) gets everything in:');
  print();
  const retry = await shell([
    'send',
    '--rate',
    '200',
    '--count',
    '1000',
    '--host',
    'router1.prod.example.com',
    '--message',
    'LINK-DOWN outage-retry {run} #{n}',
    '--retry',
    '60',
    '--quiet',
  ]);
  check(retry.code === 0 && ackedOf(retry) === 1000, 'with --retry all 1000 events are accepted once there is room');
  await waitFor(
    async () => {
      const [e, a] = await Promise.all([jsm.streams.info('MUTT_EVENTS'), jsm.streams.info('MUTT_ALERTS')]);
      return e.state.messages === 0 && a.state.messages === 0;
    },
    180_000,
    'backlogs drained',
  );
  const drained = await shell(['status'], { head: 40 });
  check(
    drained.code === 0 &&
      /MUTT_EVENTS +0 /.test(drained.stdout) &&
      /MUTT_ALERTS +0 /.test(drained.stdout) &&
      /MOOGSOFT BREAKER: closed/.test(drained.stdout),
    'after the outage: READY, both backlogs empty, breaker closed',
  );
  const gotFlood = await moogCount(`outage ${floodRun}`);
  const gotRetry = await moogCount(`outage-retry ${runOf(retry)}`);
  print(
    `Observed at the fake Moogsoft: ${gotFlood} alerts of the ${floodAcked} accepted during the outage, ${gotRetry} of the 1000 sent with --retry.`,
  );
  print();
  check(
    gotFlood === floodAcked && gotRetry === 1000,
    'every accepted event became exactly one alert in Moogsoft: nothing lost, nothing doubled',
  );
  await shell(['config', 'reset', 'alerter_backpressure_depth', '--reason', 'validation done']);

  // ---------------------------------------------------------------------------------------------------------
  print();
  print('### 5. Failover');
  print();
  print('#### 5a. A forwarder process dies (kill -9) under load');
  print();
  const sendA = run([
    'send',
    '--rate',
    '100',
    '--duration',
    '10s',
    '--host',
    'switch1.prod.example.com',
    '--message',
    'LINK-DOWN failover-proc {run} #{n}',
    '--quiet',
  ]);
  await new Promise((r) => setTimeout(r, 3000));
  const killedPid = forwarder2.child.pid;
  await forwarder2.kill('SIGKILL');
  showCommand(`kill -9 ${killedPid}        # box2-forwarder, 3 s into the send below`, '');
  const a = await sendA;
  showCommand(
    "mutt send --rate 100 --duration 10s --host switch1.prod.example.com --message 'LINK-DOWN failover-proc {run} #{n}' --quiet",
    a.text.trim() + `\n[exit ${a.code}]`,
  );
  await waitFor(async () => (await moogCount(`failover-proc ${runOf(a)}`)) >= ackedOf(a), 60_000, 'failover-proc delivered');
  const gotA = await moogCount(`failover-proc ${runOf(a)}`);
  const dups = ((await moog('/stats')) as { duplicates: number }).duplicates;
  print(
    `Observed at the fake Moogsoft: ${gotA} of ${ackedOf(a)} accepted arrived. Alerts the killed process held unacknowledged went to box1's forwarder after the 5 s ack wait; any it had already delivered arrived twice and were recognised by their external_id (the fake Moogsoft counts ${dups} such duplicate(s) over the whole run).`,
  );
  print();
  check(a.code === 0 && gotA === ackedOf(a), 'the surviving forwarder delivered every alert, including those the killed one held');
  await startReplica('forwarder');
  showCommand('mutt run forwarder          # box2: started again', '');
  const back = await shell(['status'], { head: 12, tail: 2 });
  check(back.code === 0 && /box2-forwarder/.test(back.stdout), 'the restarted forwarder rejoins (READY)');
  print();
  print('#### 5b. The NATS node leading MUTT_EVENTS dies (kill -9) under load');
  print();
  const leader = (await jsm.streams.info('MUTT_EVENTS')).cluster?.leader ?? 'n1';
  const sendB = run([
    'send',
    '--rate',
    '100',
    '--duration',
    '20s',
    '--host',
    'firewall1.prod.example.com',
    '--message',
    'LINK-DOWN failover-nats {run} #{n}',
    '--retry',
    '30',
    '--quiet',
  ]);
  await new Promise((r) => setTimeout(r, 3000));
  await cluster.kill(leader);
  showCommand(`kill -9 <pid of nats-server ${leader}>   # the MUTT_EVENTS stream leader, 3 s into the send below`, '');
  const b = await sendB;
  showCommand(
    "mutt send --rate 100 --duration 20s --host firewall1.prod.example.com --message 'LINK-DOWN failover-nats {run} #{n}' --retry 30 --quiet",
    b.text.trim() + `\n[exit ${b.code}]`,
  );
  await waitFor(async () => (await moogCount(`failover-nats ${runOf(b)}`)) >= ackedOf(b), 90_000, 'failover-nats delivered');
  const gotB = await moogCount(`failover-nats ${runOf(b)}`);
  const newLeader = (await jsm.streams.info('MUTT_EVENTS')).cluster?.leader;
  print(`Observed: MUTT_EVENTS leader moved from ${leader} to ${newLeader}; the fake Moogsoft received ${gotB} of ${ackedOf(b)} accepted.`);
  print();
  check(
    b.code === 0 && ackedOf(b) === Number(/sent (\d+)/.exec(b.stdout)?.[1]) && gotB === ackedOf(b),
    'every event sent during the leader loss was accepted (after retries) and delivered once',
  );
  const twoNodes = await shell(['status'], { head: 12, tail: 2 });
  check(twoNodes.code === 0, '`mutt status` is READY on two of three NATS nodes');
  await cluster.restart(leader);
  showCommand(`nats-server … -n ${leader} …   # the node started again; it catches up from the others`, '');
  await js.close();
}

function summary(): void {
  print();
  print('### Result');
  print();
  for (const c of checks) print(`- ${c}`);
  print();
  print(
    `${checks.length - failures.length} of ${checks.length} checks passed in ${Math.round((Date.now() - started) / 1000)} s` +
      ` (${new Date().toISOString().slice(0, 10)}, node ${process.version}).`,
  );
}

try {
  await main();
} catch (err) {
  failures.push(`run aborted: ${(err as Error).stack ?? err}`);
  print(`\n**Run aborted:** ${(err as Error).message}`);
} finally {
  summary();
  for (const p of procs.reverse()) await p.kill('SIGTERM').catch(() => undefined);
  await cluster?.stop();
}
process.exit(failures.length ? 1 : 0);
