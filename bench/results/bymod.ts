import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
const dir = process.argv[2];
for (const proc of readdirSync(dir)) {
  const files = readdirSync(join(dir, proc)).map((f) => join(dir, proc, f));
  const f = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
  const p = JSON.parse(readFileSync(f, 'utf8'));
  const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
  const agg = new Map<string, number>(); let busy = 0;
  for (const [id, t] of self) {
    const n = byId.get(id); const url: string = n.callFrame.url || n.callFrame.functionName;
    if (n.callFrame.functionName === '(idle)') continue;
    busy += t;
    let key = url.replace(/^file:\/\/\/work\/main\//, '').replace(/^.*node_modules\//, 'nm:').replace(/\/lib\/.*|\/dist\/.*/, '');
    if (key.startsWith('nm:')) key = key.split('/').slice(0, key.startsWith('nm:@') ? 2 : 1).join('/');
    agg.set(key, (agg.get(key) ?? 0) + t);
  }
  console.log(`\n${proc} busy ${(busy / 1000).toFixed(0)} ms`);
  for (const [k, t] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 22)) console.log(`${((100 * t) / busy).toFixed(1).padStart(5)}%  ${k}`);
}
