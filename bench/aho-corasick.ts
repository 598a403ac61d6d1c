// The rule engine's throughput with its multi-string matcher swapped: the hand-written automaton
// (actors/alerter/aho-corasick.ts) against npm Aho–Corasick libraries and a plain includes() loop, on the same
// seeded rules and events as bench/rules-engine.ts. Each candidate is an adapter with the automaton's scan()
// contract, put in place of AhoCorasick.build while compileRules runs; the engine around it is unchanged. Every
// candidate's winners are checked against the hand-written one's (a differing winner is printed as a mismatch).
// The libraries are not dependencies (ADR 0006); install them outside the tree and point --libs at it:
//   mkdir -p /tmp/ac-libs && npm --prefix /tmp/ac-libs i modern-ahocorasick@3.3.0 ahocorasick@1.0.2 @monyone/aho-corasick@1.1.11
//   node --import tsx bench/aho-corasick.ts --libs /tmp/ac-libs [--rules 1000] [--events 100000] [--passes 3] [--only <name part>]

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { AhoCorasick, type HitVisitor, type PatternEntry, type ScanResult } from '../actors/alerter/aho-corasick.ts';
import { compileRules, type CompiledRuleSet } from '../actors/alerter/rules.ts';
import { MAX_GROUPS } from '../actors/alerter/regex-literals.ts';
import { generateEvents, generateRules, type BenchEvent } from './rules-engine.ts';

interface Scanner {
  scan(text: string, visit: HitVisitor, lowered?: boolean): ScanResult;
}

/** Distinct patterns with their values ascending, in order of their smallest value (best rank first). */
function grouped(entries: readonly PatternEntry[]): { patterns: string[]; values: Int32Array[] } {
  const by = new Map<string, number[]>();
  for (const e of entries) (by.get(e.pattern) ?? by.set(e.pattern, []).get(e.pattern)!).push(e.value);
  const rows = [...by].map(([p, vs]) => [p, Int32Array.from(vs.sort((a, b) => a - b))] as const).sort((a, b) => a[1][0] - b[1][0]);
  return { patterns: rows.map((r) => r[0]), values: rows.map((r) => r[1]) };
}

type Build = (entries: readonly PatternEntry[]) => Scanner;

/** Every pattern tested with includes() on the lower-cased message. */
const naive: Build = (entries) => {
  const { patterns, values } = grouped(entries);
  return {
    scan(text, visit, lowered = false) {
      const lower = lowered ? text : text.toLowerCase();
      for (let i = 0; i < patterns.length; i++) if (lower.includes(patterns[i]) && !visit(values[i], 0, values[i].length)) return 'stopped';
      return 'done';
    },
  };
};

/** includes() in rank order, stopping once no later pattern can beat the winner so far (reads the engine's best). */
let current: { best: number } | null = null;
const naiveRankOrder: Build = (entries) => {
  const { patterns, values } = grouped(entries);
  return {
    scan(text, visit, lowered = false) {
      const lower = lowered ? text : text.toLowerCase();
      const owner = current!;
      for (let i = 0; i < patterns.length; i++) {
        if (values[i][0] >= owner.best * MAX_GROUPS) return 'stopped';
        if (lower.includes(patterns[i]) && !visit(values[i], 0, values[i].length)) return 'stopped';
      }
      return 'done';
    },
  };
};

/** A library that reports matched pattern indexes for a lower-cased text. */
function library(hits: (patterns: string[]) => (lower: string, each: (index: number) => boolean) => void): Build {
  return (entries) => {
    const { patterns, values } = grouped(entries);
    const find = hits(patterns);
    return {
      scan(text, visit, lowered = false) {
        let stopped = false;
        find(lowered ? text : text.toLowerCase(), (i) => !(stopped = !visit(values[i], 0, values[i].length)));
        return stopped ? 'stopped' : 'done';
      },
    };
  };
}

function libraries(dir: string): Record<string, Build> {
  const req = createRequire(join(dir, 'node_modules', 'x.js'));
  const out: Record<string, Build> = {};
  const load = <M>(name: string, make: (mod: M) => Build) => {
    try {
      const pkg = name
        .split('/')
        .slice(0, name.startsWith('@') ? 2 : 1)
        .join('/');
      const { version } = JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8'));
      out[`${name} ${version}`] = make(req(name) as M);
    } catch (err) {
      console.log(`(${name} not loaded: ${(err as Error).message.split('\n')[0]})`);
    }
  };
  load<new (p: { pattern: string; data: number }[]) => { iterate(text: string): Iterable<{ data: number }> }>(
    'modern-ahocorasick',
    (Modern) =>
      library((patterns) => {
        const ac = new Modern(patterns.map((pattern, i) => ({ pattern, data: i })));
        return (lower, each) => {
          for (const m of ac.iterate(lower)) if (!each(m.data)) return;
        };
      }),
  );
  load<new (p: string[]) => { search(text: string): [number, string[]][] }>('ahocorasick', (Bruno) =>
    library((patterns) => {
      const ac = new Bruno(patterns);
      const index = new Map(patterns.map((p, i) => [p, i]));
      return (lower, each) => {
        for (const [, words] of ac.search(lower)) for (const w of words) if (!each(index.get(w)!)) return;
      };
    }),
  );
  for (const variant of ['', '/fast']) {
    load<{ AhoCorasick: new (p: string[]) => { matchInText(text: string): { keyword: string }[] } }>(
      `@monyone/aho-corasick${variant}`,
      ({ AhoCorasick: Monyone }) =>
        library((patterns) => {
          const ac = new Monyone(patterns);
          const index = new Map(patterns.map((p, i) => [p, i]));
          return (lower, each) => {
            for (const m of ac.matchInText(lower)) if (!each(index.get(m.keyword)!)) return;
          };
        }),
    );
  }
  return out;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const size = Number(arg('rules', '1000'));
const count = Number(arg('events', '100000'));
const passes = Number(arg('passes', '3'));
const rules = generateRules(size, 42);
const events: BenchEvent[] = generateEvents(count, rules, 43);
const original = AhoCorasick.build;
const handWritten: Build = (entries) => original.call(AhoCorasick, entries);
const candidates: Record<string, Build> = {
  'hand-written (actors/alerter/aho-corasick.ts)': handWritten,
  'includes() over every pattern': naive,
  'includes() in rank order, early exit': naiveRankOrder,
  ...libraries(arg('libs', '.')),
};

function compile(build: Build): { set: CompiledRuleSet; ms: number } {
  (AhoCorasick as unknown as { build: Build }).build = build;
  const t0 = performance.now();
  try {
    const set = compileRules(rules);
    return { set, ms: performance.now() - t0 };
  } finally {
    (AhoCorasick as unknown as { build: typeof original }).build = original;
  }
}

const reference = compileRules(rules);
const expected = events.map((e) => reference.match(e)?.rule.id ?? null);
const entries = rules.filter((r) => r.match_type === 'contains').length;
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; node ${process.version}`,
);
console.log(`${size} rules (${entries} contains, plus the regex rules' literals), ${count} events, best slice of ${passes} passes`);
const only = arg('only', '');
for (const [name, build] of Object.entries(candidates)) {
  if (only && !name.includes(only)) continue;
  const { set, ms } = compile(build);
  current = set as unknown as { best: number };
  let mismatches = 0;
  for (let i = 0; i < events.length; i++) if ((set.match(events[i])?.rule.id ?? null) !== expected[i]) mismatches++;
  const SLICE = 10_000;
  const best = new Array<number>(Math.ceil(events.length / SLICE)).fill(Infinity);
  for (let p = 0; p < passes; p++) {
    await new Promise((r) => setImmediate(r));
    for (let k = 0; k < best.length; k++) {
      const end = Math.min(events.length, (k + 1) * SLICE);
      const t0 = process.hrtime.bigint();
      for (let i = k * SLICE; i < end; i++) set.match(events[i]);
      const ns = Number(process.hrtime.bigint() - t0);
      if (ns < best[k]) best[k] = ns;
    }
  }
  const total = best.reduce((a, b) => a + b, 0);
  const rate = Math.round((events.length / total) * 1e9);
  console.log(
    `${name.padEnd(48)} ${rate.toLocaleString('en-US').padStart(9)} events/s ${String(Math.round(total / events.length)).padStart(7)} ns/event  compile ${ms.toFixed(0).padStart(5)} ms  mismatches ${mismatches}`,
  );
}
