import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
const [dir, proc, fn] = process.argv.slice(2);
const files = readdirSync(join(dir, proc)).map((f) => join(dir, proc, f));
const f = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
const p = JSON.parse(readFileSync(f, 'utf8'));
const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const desc = (id: number): number => { const n = byId.get(id); return n.hitCount + (n.children ?? []).reduce((s: number, c: number) => s + desc(c), 0); };
for (const n of p.nodes) if (n.callFrame.functionName === fn) {
  const chain: string[] = []; let up: number | undefined = n.id;
  while (up) { const c = byId.get(up).callFrame; chain.push(`${c.functionName}@${(c.url||'').split('/').slice(-1)[0]}:${c.lineNumber}`); up = parent.get(up); }
  console.log(desc(n.id), chain.join(' < '));
}
