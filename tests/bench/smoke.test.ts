// The benchmark cannot rot: `bench/run.ts --quick` (tiny sizes, both process layouts, scaling 1 and 2) runs as a
// child process, completes, prints its table and writes a JSON result in which every figure is a positive
// number. No timing is asserted: speed is measured in bench/, never tested.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const t = suite('bench smoke');
let outDir = '';

t.before(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'mutt-bench-'));
});

t.after(async () => {
  await rm(outDir, { recursive: true, force: true });
});

function runBench(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    // The benchmark asserts nothing: its run must not count as coverage of the code it drives.
    delete env.NODE_V8_COVERAGE;
    delete env.NATS_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function at(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, k) => (v === null || typeof v !== 'object' ? undefined : (v as Record<string, unknown>)[k]), obj);
}

function positive(result: unknown, path: string): void {
  const v = at(result, path);
  assert.ok(typeof v === 'number' && Number.isFinite(v) && v > 0, `${path} should be a positive number, got ${JSON.stringify(v)}`);
}

t('--quick completes, prints the table and writes a result with every figure positive', async () => {
  const { code, output } = await runBench(['--quick', '--hops', '--out', outDir], 240_000);
  assert.is(code, 0, `benchmark exited ${code}:\n${output.slice(-4000)}`);
  for (const line of [
    /JetStream async publish \(the limit\)/,
    /up: end-to-end, NATS producers/,
    /split: end-to-end, NATS producers/,
    /split: 2 alerter \+ 2 forwarder, end-to-end/,
    /split: forwarder alone, Moogsoft request p50 \/ p99/,
    /up: syslog UDP ingest/,
    /split: syslog TCP ingest/,
    /latency at [\d,]+ ev\/s, p50 \/ p99 \/ max/,
    /split: alerter-1/,
    /latency at [\d,]+ ev\/s by hop \(\d+ events\)/,
    /result: /,
  ]) {
    assert.match(output, line);
  }

  const files = (await readdir(outDir)).filter((f) => f.endsWith('.json'));
  assert.is(files.length, 1, `one result file expected in ${outDir}, found ${files.join(', ')}`);
  const result = JSON.parse(await readFile(join(outDir, files[0]), 'utf8')) as Record<string, unknown>;
  assert.is(result.kind, 'mutt-benchmark');
  // With a nats CLI (CI installs one) the official tool's figures are in the same run, not skipped.
  if (process.env.MUTT_NATS_CLI) {
    positive(result, 'natsCli.publishPerSec');
    positive(result, 'natsCli.consumeAckPerSec');
  }

  for (const p of [
    'seconds',
    'machine.cores',
    'workload.rules',
    'workload.mix.events',
    'workload.mix.forwarded',
    'workload.mix.ignored',
    'workload.mix.unmatched',
    'workload.mix.trap',
    'workload.mix.avgMsgpackBytes',
    'limit.messages',
    'limit.payloadBytes',
    'limit.publishPerSec',
    'limit.consumeAckPerSec',
    'limit.serverCpuPer1k',
    'cluster3.publishPerSec',
    'cluster3.consumeAckPerSec',
    'cluster3.serverCpuPer1k',
  ])
    positive(result, p);

  const ruleEngine = result.ruleEngine as unknown[];
  assert.ok(ruleEngine.length >= 2, 'rule engine measured at several sizes');
  ruleEngine.forEach((_, i) => {
    positive(result, `ruleEngine.${i}.rules`);
    positive(result, `ruleEngine.${i}.eventsPerSec`);
  });

  const modes = result.modes as { mode: string; processes: { name: string }[]; latency: unknown[] }[];
  assert.equal(
    modes.map((m) => m.mode),
    ['up', 'split'],
  );
  modes.forEach((m, i) => {
    for (const phase of ['nats', 'httpBatch', 'httpSingle']) {
      for (const f of ['events', 'alerts', 'seconds', 'ingestSeconds', 'eventsPerSec', 'ingestPerSec'])
        positive(result, `modes.${i}.${phase}.${f}`);
    }
    const workers = m.mode === 'up' ? ['up'] : ['alerter-1', 'forwarder-1'];
    for (const w of [...workers, 'nats-server']) positive(result, `modes.${i}.nats.cpuPer1kEvents.${w}`);
    positive(result, `modes.${i}.httpBatch.cpuPer1kEvents.${m.mode === 'up' ? 'up' : 'gateway'}`);
    assert.ok(m.latency.length >= 2, `${m.mode}: a latency figure per --rate`);
    m.latency.forEach((_, j) => {
      for (const f of ['rate', 'sent', 'alerts', 'p50Ms', 'p99Ms', 'maxMs', 'hops.events', 'hops.hops.3.p50Ms'])
        positive(result, `modes.${i}.latency.${j}.${f}`);
    });
    assert.ok(
      m.processes.some((p) => p.name === 'nats-server'),
      `${m.mode}: nats-server is measured`,
    );
    m.processes.forEach((_, j) => positive(result, `modes.${i}.processes.${j}.peakRssMb`));
  });
  for (const f of ['events', 'ingestPerSec', 'alerterEventsPerSec', 'alerts', 'forwarderAlertsPerSec', 'deliveryP50Ms', 'deliveryP99Ms'])
    positive(result, `modes.1.ingestOnly.${f}`);
  // Syslog by the native listener in both layouts; UDP may lose datagrams, but not all of them.
  modes.forEach((_, i) => {
    for (const f of ['udp.sent', 'udp.stored', 'udp.linesPerSec', 'tcp.sent', 'tcp.stored', 'tcp.linesPerSec', 'tcp.connections'])
      positive(result, `modes.${i}.syslog.${f}`);
  });

  const scaling = result.scaling as unknown[];
  assert.equal(
    (scaling as { replicas: number }[]).map((s) => s.replicas),
    [1, 2],
  );
  scaling.forEach((_, i) => positive(result, `scaling.${i}.eventsPerSec`));

  const targets = result.targets as { name: string; value: unknown; met: unknown }[];
  assert.ok(targets.length > 0, 'targets are checked');
  for (const x of targets)
    assert.ok(typeof x.value === 'number' && typeof x.met === 'boolean', `target ${x.name} has a value and a verdict`);
});

t.run();
