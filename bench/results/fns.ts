import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
const [dir, proc, pat] = process.argv.slice(2);
const files = readdirSync(join(dir, proc)).map((f) => join(dir, proc, f));
const f = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
const p = JSON.parse(readFileSync(f, 'utf8'));
const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
const agg = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id); if (!(n.callFrame.url || '').includes(pat)) continue;
  // walk up to first frame outside pat
  let up = parent.get(id); while (up && (byId.get(up).callFrame.url || '').includes(pat)) up = parent.get(up);
  const caller = up ? `${byId.get(up).callFrame.functionName}@${(byId.get(up).callFrame.url||'').split('/').slice(-2).join('/')}:${byId.get(up).callFrame.lineNumber}` : '?';
  const k = `${n.callFrame.functionName}:${n.callFrame.lineNumber}  <- ${caller}`;
  agg.set(k, (agg.get(k) ?? 0) + t);
}
for (const [k, t] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(t/1000).toFixed(0).padStart(6)} ms  ${k}`);
