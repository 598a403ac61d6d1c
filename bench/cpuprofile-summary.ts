// Summarises a V8 .cpuprofile (node --cpu-prof) into the functions that used the most CPU themselves (self
// time), grouped by function and source location, so a bottleneck can be named without a GUI.
//   npx tsx bench/cpuprofile-summary.ts CPU.*.cpuprofile [--top 25]
//   summariseProfile(JSON.parse(text), 20) -> [{ fn: 'match', where: 'actors/alerter/rules.ts:212', selfMs, share }]

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface HotFunction {
  fn: string;
  where: string;
  selfMs: number;
  /** Share of all sampled time, idle included. */
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time the thread had nothing to run ('(idle)'), and garbage collection. */
  idleMs: number;
  gcMs: number;
  top: HotFunction[];
}

function location(cf: CallFrame): string {
  if (!cf.url) return '(native)';
  const url = cf.url.replace(/^file:\/\//, '');
  const repo = url.indexOf('/node_modules/');
  const short = repo >= 0 ? url.slice(repo + 1) : url.replace(/^.*?\/(protocol|actors|gateway|bin|bench|tests)\//, '$1/');
  // tsx emits each module on one line: a line number would say nothing there.
  return cf.lineNumber > 0 ? `${short}:${cf.lineNumber + 1}` : short;
}

export function summariseProfile(p: CpuProfile, top = 20): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  if (p.samples && p.timeDeltas && p.samples.length === p.timeDeltas.length) {
    // timeDeltas[i] is the time before sample i; attribute the gap after each sample to it.
    for (let i = 0; i < p.samples.length; i++) {
      const dt = p.timeDeltas[i + 1] ?? 0;
      self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + Math.max(0, dt));
    }
  } else {
    const total = p.endTime - p.startTime;
    const hits = p.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0) || 1;
    for (const n of p.nodes) self.set(n.id, ((n.hitCount ?? 0) / hits) * total);
  }
  const grouped = new Map<string, HotFunction>();
  let totalUs = 0;
  let idleUs = 0;
  let gcUs = 0;
  for (const [id, us] of self) {
    totalUs += us;
    const n = byId.get(id);
    if (!n) continue;
    const fn = n.callFrame.functionName || '(anonymous)';
    if (fn === '(idle)') {
      idleUs += us;
      continue;
    }
    if (fn === '(garbage collector)') gcUs += us;
    const where = fn.startsWith('(') ? '' : location(n.callFrame);
    const key = `${fn}@${where}`;
    const g = grouped.get(key) ?? { fn, where, selfMs: 0, share: 0 };
    g.selfMs += us / 1000;
    grouped.set(key, g);
  }
  const list = [...grouped.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  for (const g of list) {
    g.share = totalUs > 0 ? (g.selfMs * 1000) / totalUs : 0;
    g.selfMs = Math.round(g.selfMs * 10) / 10;
  }
  return { totalMs: Math.round(totalUs / 1000), idleMs: Math.round(idleUs / 1000), gcMs: Math.round(gcUs / 1000), top: list };
}

export function formatSummary(name: string, s: ProfileSummary): string {
  const busy = Math.max(1, s.totalMs - s.idleMs);
  const lines = [
    `${name}: ${s.totalMs} ms sampled, ${s.totalMs - s.idleMs} ms busy (${Math.round((100 * (s.totalMs - s.idleMs)) / Math.max(1, s.totalMs))} %), GC ${s.gcMs} ms`,
  ];
  for (const f of s.top) {
    lines.push(
      `  ${(((f.selfMs / busy) * 100).toFixed(1) + '%').padStart(6)} of busy  ${String(f.selfMs).padStart(9)} ms  ${f.fn}  ${f.where}`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const t = args.indexOf('--top');
  const top = t >= 0 ? Number(args[t + 1]) : 25;
  const files = args.filter((a, i) => !a.startsWith('--') && !(t >= 0 && i === t + 1));
  if (files.length === 0) {
    console.error('usage: tsx bench/cpuprofile-summary.ts FILE.cpuprofile... [--top N]');
    process.exit(2);
  }
  for (const f of files) console.log(formatSummary(f, summariseProfile(JSON.parse(readFileSync(f, 'utf8')) as CpuProfile, top)) + '\n');
}
