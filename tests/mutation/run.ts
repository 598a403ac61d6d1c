// `npm run mutation`: Stryker (command runner) over MUTT's pure logic, one module at a time with only the unit
// tests that cover it, so each mutant costs a fraction of a second. Prints a score per module and rewrites the
// mutation table in docs/QUALITY.md.
//   npm run mutation                       # every module below
//   npm run mutation -- actors/forwarder/classify.ts

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/** Module → the uvu tests that exercise it (a regex over tests/). */
export const MODULES: Record<string, string> = {
  'actors/alerter/rules.ts': 'alerter/rules\\.test\\.ts$',
  'actors/alerter/fingerprint.ts': 'alerter/fingerprint\\.test\\.ts$',
  'actors/alerter/unhandled.ts': 'alerter/unhandled\\.test\\.ts$',
  'actors/alerter/environment.ts': 'alerter/environment\\.test\\.ts$',
  'protocol/severity.ts': 'protocol/(subjects|severity-oid)\\.test\\.ts$',
  'protocol/oid.ts': 'protocol/(subjects|severity-oid)\\.test\\.ts$',
  'actors/syslog/parse.ts': 'syslog/parse(-edges)?\\.test\\.ts$',
  'actors/syslog/framing.ts': 'syslog/framing\\.test\\.ts$',
  'actors/forwarder/backoff.ts': 'forwarder/backoff\\.test\\.ts$',
  'actors/forwarder/rate-limit.ts': 'forwarder/rate-limit\\.test\\.ts$',
  'actors/forwarder/breaker.ts': 'forwarder/breaker\\.test\\.ts$',
  'actors/forwarder/classify.ts': 'forwarder/classify\\.test\\.ts$',
  'actors/remediation/policy.ts': 'remediation/policy\\.test\\.ts$',
};

const only = process.argv.slice(2);
const modules = only.length ? only : Object.keys(MODULES);
const results: {
  module: string;
  score: number | null;
  killed: number;
  survived: number;
  timeout: number;
  noCoverage: number;
  total: number;
}[] = [];

for (const module of modules) {
  const tests = MODULES[module];
  if (!tests) {
    console.error(`no tests mapped for ${module}`);
    process.exitCode = 2;
    continue;
  }
  const dir = `.stryker-tmp/${module.replace(/[/.]/g, '_')}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const config = {
    testRunner: 'command',
    commandRunner: { command: `node --import tsx node_modules/uvu/bin.js tests '${tests}'` },
    mutate: [module],
    reporters: ['json', 'clear-text'],
    jsonReporter: { fileName: `${dir}/report.json` },
    tempDirName: `${dir}/sandbox`,
    inPlace: false,
    concurrency: 2,
    timeoutMS: 20_000,
    cleanTempDir: true,
  };
  writeFileSync(`${dir}/stryker.config.json`, JSON.stringify(config, null, 2));
  console.log(`▶ mutating ${module} (tests: ${tests})`);
  const r = spawnSync('npx', ['--no-install', 'stryker', 'run', `${dir}/stryker.config.json`], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0 || !existsSync(`${dir}/report.json`)) {
    results.push({ module, score: null, killed: 0, survived: 0, timeout: 0, noCoverage: 0, total: 0 });
    continue;
  }
  const report = JSON.parse(readFileSync(`${dir}/report.json`, 'utf8')) as { files: Record<string, { mutants: { status: string }[] }> };
  const counts: Record<string, number> = {};
  for (const f of Object.values(report.files)) for (const m of f.mutants) counts[m.status] = (counts[m.status] ?? 0) + 1;
  const killed = counts.Killed ?? 0,
    timeout = counts.Timeout ?? 0,
    survived = counts.Survived ?? 0,
    noCoverage = counts.NoCoverage ?? 0;
  const valid = killed + timeout + survived + noCoverage;
  results.push({ module, score: valid ? (100 * (killed + timeout)) / valid : null, killed, survived, timeout, noCoverage, total: valid });
}

const row = (r: (typeof results)[number]) =>
  `| \`${r.module}\` | ${r.score === null ? 'failed' : r.score.toFixed(1) + ' %'} | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} |`;
const HEAD = ['| module | score | killed | timeout | survived | no coverage |', '|---|---|---|---|---|---|'];
console.log([...HEAD, ...results.map(row)].join('\n'));
// The table in docs/QUALITY.md keeps one row per module: a run over some modules replaces just their rows, so a
// long run can be done in parts (`npm run mutation -- actors/syslog/parse.ts`) without losing the others.
if (existsSync('docs/QUALITY.md')) {
  const doc = readFileSync('docs/QUALITY.md', 'utf8');
  const block = /<!-- mutation:start -->[\s\S]*<!-- mutation:end -->/.exec(doc)?.[0] ?? '';
  const kept = new Map<string, string>();
  for (const line of block.split('\n')) {
    const m = /^\| `([^`]+)` \|/.exec(line);
    if (m) kept.set(m[1], line);
  }
  for (const r of results) kept.set(r.module, row(r));
  const ordered = [...Object.keys(MODULES), ...[...kept.keys()].filter((k) => !(k in MODULES))]
    .filter((k) => kept.has(k))
    .map((k) => kept.get(k)!);
  const table = [
    '<!-- mutation:start -->',
    `Last updated ${new Date().toISOString().slice(0, 10)} by \`npm run mutation\` (modules not listed have not been run).`,
    '',
    ...HEAD,
    ...ordered,
    '<!-- mutation:end -->',
  ].join('\n');
  writeFileSync('docs/QUALITY.md', doc.replace(/<!-- mutation:start -->[\s\S]*<!-- mutation:end -->/, table));
}
