// `npm run coverage:report`: rewrites the coverage table of docs/QUALITY.md from the last `npm test` run
// (coverage/coverage-summary.json) with the per-folder gates of codecov.yml.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { checkCoverage } from './coverage-gate.ts';

if (!existsSync('coverage/coverage-summary.json')) {
  console.error('no coverage/coverage-summary.json: run `npm test` first');
  process.exit(2);
}
const gate = checkCoverage('coverage/coverage-summary.json', 'codecov.yml');
const rows = gate.results.map(
  (r) => `| \`${r.name.replace('coverage ', '')}\` | ${r.lines.toFixed(1)} % | ${r.branches.toFixed(1)} % | ${r.ok ? 'pass' : 'FAIL'} |`,
);
const table = [
  '<!-- coverage:start -->',
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm test\` (all suites), reported by \`npm run coverage:report\`. Gate: lines ≥ 80 %, branches ≥ 70 % per folder.`,
  '',
  '| folder | lines | branches | gate |',
  '|---|---|---|---|',
  ...rows,
  '<!-- coverage:end -->',
].join('\n');
const doc = readFileSync('docs/QUALITY.md', 'utf8');
writeFileSync('docs/QUALITY.md', doc.replace(/<!-- coverage:start -->[\s\S]*<!-- coverage:end -->/, table));
console.log(table);
