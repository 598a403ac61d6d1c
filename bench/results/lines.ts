import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
const [dir, proc, fn] = process.argv.slice(2);
const files = readdirSync(join(dir, proc)).map((f) => join(dir, proc, f));
const f = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
const p = JSON.parse(readFileSync(f, 'utf8'));
for (const n of p.nodes) if (n.callFrame.functionName === fn) console.log(n.callFrame.url, n.hitCount, JSON.stringify(n.positionTicks), (n.children||[]).length);
