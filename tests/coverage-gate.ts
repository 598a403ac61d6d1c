// Per-folder coverage gates read from codecov.yml's component_management (the same file Codecov reads), so the
// thresholds CI enforces here and the ones Codecov shows are one set of numbers.

import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

export interface GateResult {
  name: string;
  ok: boolean;
  detail: string;
  lines: number;
  branches: number;
}

interface Component {
  id: string;
  path: string;
  lines: number;
  branches: number;
}

/** Reads `- component_id: x` / `paths: [dir/**]` / `# gate: lines=80 branches=70` triples from codecov.yml. */
export function readComponents(yaml: string): Component[] {
  const out: Component[] = [];
  const blocks = yaml.split(/\n\s*- component_id:\s*/).slice(1);
  for (const b of blocks) {
    const id = b.split('\n')[0].trim();
    const path = /paths:\s*\[\s*"?([^"\]*]+)/.exec(b)?.[1]?.replace(/\/$/, '') ?? id;
    const lines = Number(/lines=(\d+)/.exec(b)?.[1] ?? 80);
    const branches = Number(/branches=(\d+)/.exec(b)?.[1] ?? 70);
    out.push({ id, path, lines, branches });
  }
  return out;
}

export function checkCoverage(summaryPath: string, codecovPath: string) {
  const results: GateResult[] = [];
  const lines: string[] = [];
  if (!existsSync(summaryPath)) {
    return {
      results: [{ name: 'coverage summary', ok: false, detail: `${summaryPath} missing`, lines: 0, branches: 0 }],
      failures: 1,
      lines: [`coverage: ${summaryPath} missing`],
    };
  }
  const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as Record<
    string,
    { lines: { total: number; covered: number }; branches: { total: number; covered: number } }
  >;
  for (const c of readComponents(readFileSync(codecovPath, 'utf8'))) {
    let lt = 0,
      lc = 0,
      bt = 0,
      bc = 0;
    for (const [file, s] of Object.entries(summary)) {
      if (file === 'total') continue;
      const rel = relative(process.cwd(), file);
      if (!rel.startsWith(c.path + '/')) continue;
      lt += s.lines.total;
      lc += s.lines.covered;
      bt += s.branches.total;
      bc += s.branches.covered;
    }
    if (lt === 0) continue; // folder not built yet
    const lp = (100 * lc) / lt;
    const bp = bt === 0 ? 100 : (100 * bc) / bt;
    const ok = lp >= c.lines && bp >= c.branches;
    const detail = `${c.id}: lines ${lp.toFixed(1)}% (≥${c.lines}), branches ${bp.toFixed(1)}% (≥${c.branches})`;
    results.push({ name: `coverage ${c.id}`, ok, detail, lines: lp, branches: bp });
    lines.push(`${ok ? '✓' : '✘'} ${detail}`);
  }
  return { results, failures: results.filter((r) => !r.ok).length, lines };
}
