// The test command: typecheck, then every uvu group under c8 (unit+integration, e2e, chaos, browser, in that
// order), per-folder coverage gates from codecov.yml, JUnit XML in reports/, and a last line `N passed, N failed`.
// With MUTT_NATS_COMPAT_SERVER=<path of an older nats-server> (.ci/run sets Debian's 2.9.10), e2e and chaos run a
// second time on that server after the main run (group `compat`), counted in the same last line.
//   npm test                  # everything
//   npm test -- --only unit   # one group (unit | e2e | chaos | browser | compat)

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { checkCoverage } from './coverage-gate.ts';

interface Group {
  name: string;
  dir: string;
  ignore: string[];
  only?: string;
  env?: NodeJS.ProcessEnv;
}
const GROUPS: Group[] = [
  { name: 'unit', dir: 'tests', ignore: ['e2e', 'chaos', 'browser', 'helpers'] },
  { name: 'e2e', dir: 'tests/e2e', ignore: [] },
  { name: 'chaos', dir: 'tests/chaos', ignore: [] },
  { name: 'browser', dir: 'tests/browser', ignore: [] },
];

const compatServer = process.env.MUTT_NATS_COMPAT_SERVER;
if (compatServer) {
  // The older server is named (MUTT_NATS_SERVER, honoured by the test helpers and `mutt up`) and first on PATH
  // (through a directory holding only a `nats-server` link to it) for anything that looks it up by name.
  const binDir = mkdtempSync(join(tmpdir(), 'mutt-compat-nats-'));
  process.on('exit', () => rmSync(binDir, { recursive: true, force: true }));
  symlinkSync(compatServer, join(binDir, 'nats-server'));
  const env = { MUTT_NATS_SERVER: compatServer, PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}` };
  const version =
    spawnSync(compatServer, ['--version'], { encoding: 'utf8' })
      .stdout.trim()
      .replace(/^nats-server:\s*/, '') || compatServer;
  GROUPS.push({ name: `e2e on nats-server ${version}`, dir: 'tests/e2e', ignore: [], only: 'compat', env });
  GROUPS.push({ name: `chaos on nats-server ${version}`, dir: 'tests/chaos', ignore: [], only: 'compat', env });
}

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
let passed = 0;
let failed = 0;
const junit: string[] = [];

function run(cmd: string, args: string[], echo = true, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    // Plain output for the parsers below. FORCE_COLOR (uvu sets it unless --no-color; some CI runners too) would
    // make every child Node warn that it overrides NO_COLOR.
    const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (echo) process.stdout.write(d);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

const xml = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

rmSync('coverage/tmp', { recursive: true, force: true });
mkdirSync('reports', { recursive: true });

if (!only) {
  console.log('▶ typecheck (tsc --noEmit)');
  const tsc = await run('npx', ['--no-install', 'tsc', '--noEmit']);
  if (tsc.code === 0) passed++;
  else failed++;
  junit.push(
    `<testsuite name="typecheck" tests="1" failures="${tsc.code === 0 ? 0 : 1}"><testcase name="tsc --noEmit">${tsc.code === 0 ? '' : `<failure>${xml(tsc.out.slice(0, 4000))}</failure>`}</testcase></testsuite>`,
  );
}

for (const g of GROUPS) {
  if (only && only !== (g.only ?? g.name)) continue;
  if (!existsSync(g.dir)) continue;
  console.log(`\n▶ ${g.name} tests (${g.dir})`);
  const ignores = g.ignore.flatMap((i) => ['-i', i]);
  const started = Date.now();
  const r = await run(
    'npx',
    [
      '--no-install',
      'c8',
      '--clean=false',
      '--reporter=none',
      'node',
      '--import',
      'tsx',
      'node_modules/uvu/bin.js',
      '--no-color',
      g.dir,
      '\\.test\\.ts$',
      ...ignores,
    ],
    true,
    g.env,
  );
  const total = Number(/Total:\s+(\d+)/.exec(r.out)?.[1] ?? 0);
  const ok = Number(/Passed:\s+(\d+)/.exec(r.out)?.[1] ?? 0);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(r.out)?.[1] ?? 0);
  let bad = total - ok - skipped;
  // A crash before uvu's summary (or a non-zero exit with all passed) is a failure, never silence.
  if (r.code !== 0 && bad === 0) bad = 1;
  passed += ok;
  failed += bad;
  const failures = [...r.out.matchAll(/✘ (.+?)\n([\s\S]*?)(?=\n\s*(?:✘|FAIL|Total:)|$)/g)].slice(0, 50);
  junit.push(
    `<testsuite name="${g.name}" tests="${total}" failures="${bad}" skipped="${skipped}" time="${(Date.now() - started) / 1000}">` +
      failures
        .map((f) => `<testcase name="${xml(f[1].slice(0, 200))}"><failure>${xml(f[2].slice(0, 4000))}</failure></testcase>`)
        .join('') +
      '</testsuite>',
  );
}

if (!only || only === 'unit') {
  console.log('\n▶ coverage');
  await run('npx', ['--no-install', 'c8', 'report', '--reporter=text-summary', '--reporter=json-summary', '--reporter=lcov']);
  const gate = checkCoverage('coverage/coverage-summary.json', 'codecov.yml');
  for (const line of gate.lines) console.log(line);
  junit.push(
    `<testsuite name="coverage" tests="${gate.results.length}" failures="${gate.failures}">` +
      gate.results.map((r) => `<testcase name="${xml(r.name)}">${r.ok ? '' : `<failure>${xml(r.detail)}</failure>`}</testcase>`).join('') +
      '</testsuite>',
  );
  passed += gate.results.length - gate.failures;
  failed += gate.failures;
}

writeFileSync('reports/junit.xml', `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>${junit.join('')}</testsuites>\n`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
