// The rule engine at 1,000 rules with V8's RegExp (as shipped), V8's linear-time engine (the `l` flag) and re2js
// (pure-JS RE2, linear time), on generated events and on MUTT v2.5's own syslog messages (/work/shared/v25-data). Same
// rules, same Aho–Corasick prefilter and budget: only the object each regex rule's test() calls differs (the
// engine's private per-rule RegExp is replaced after compileRules; bench only). Also lists which patterns each
// linear engine refuses: v2.5's one regex (its conftest) and the Python constructs of tests/alerter/regex.test.ts.
// re2js is not a dependency (ADR 0009); install it outside the tree:
//   mkdir -p /tmp/re2-libs && npm --prefix /tmp/re2-libs i re2js@2.10.0
//   node --import tsx bench/regex-engines.ts --libs /tmp/re2-libs [--events 50000] [--passes 3] [--v25 /work/shared/v25-data]

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { compileRuleRegex } from '../actors/alerter/regex.ts';
import { compileRules, type CompiledRuleSet, type MatchInput } from '../actors/alerter/rules.ts';
import { RuleInput, type Rule } from '../protocol/rules.ts';
import { normaliseSeverity } from '../protocol/severity.ts';
import { generateEvents, generateRules, prng } from './rules-engine.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const count = Number(arg('events', '50000'));
const passes = Number(arg('passes', '3'));
const v25 = arg('v25', '/work/shared/v25-data');
const { RE2JS } = createRequire(join(arg('libs', '.'), 'node_modules', 'x.js'))('re2js') as {
  RE2JS: { compile(src: string): { test(s: string): boolean } };
};

const rules = generateRules(4400, 42)
  .filter((r) => r.match_type === 'regex')
  .slice(0, 1000);
const generated: MatchInput[] = generateEvents(count, rules, 43);
const legacyMessages: MatchInput[] = ['v25_demo_syslog_events.json', 'v25_test_data_syslog_events.json'].flatMap((f) =>
  (JSON.parse(readFileSync(join(v25, f), 'utf8')) as { message: string; syslog_severity?: unknown }[]).map((e) => ({
    message: e.message,
    severity: normaliseSeverity(e.syslog_severity),
  })),
);
const legacy = Array.from({ length: Math.ceil(count / legacyMessages.length) }, () => legacyMessages)
  .flat()
  .slice(0, count);

/** 1,000 regex rules of which three per distinct v2.5 message are written for it (two match, one only shares its
 *  first word), the rest generated; priorities mixed. v2.5's seed rules have no regex, so these stand in. */
function v25Rules(): Rule[] {
  const rnd = prng(7);
  const esc = (w: string) => w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const out: Rule[] = [];
  for (const message of new Set(legacyMessages.map((e) => e.message))) {
    const words = message.split(' ');
    const head = esc(words[0]);
    for (const pattern of [
      `^${head} ${esc(words[1] ?? '')}.*\\d+`,
      `${head}.*\\b(down|up|failed|error|full|high|deny|denied)\\b`,
      `${head}.*\\bno-such-word\\b`,
    ]) {
      out.push(
        RuleInput.parse({
          id: `v${String(out.length).padStart(4, '0')}`,
          match_type: 'regex',
          match_string: pattern,
          priority: 1 + Math.floor(rnd() * 500),
          prod_handling: 'ticket_only',
          dev_handling: 'ignore',
          team_assignment: 'NETO',
        }),
      );
    }
  }
  return [...out, ...rules.slice(0, 1000 - out.length)];
}

// Lets `new RegExp(src, 'l')` use V8's linear-time engine (it refuses what needs backtracking).
v8.setFlagsFromString('--enable-experimental-regexp-engine');
// (ESLint's no-invalid-regexp does not know the `l` flag, so it is passed as a variable.)
const LINEAR = 'l';
const linearV8 = (src: string) => new RegExp(src, LINEAR);

/** The same compiled set with every regex rule's test() on another engine over the same folded pattern. */
function withEngine(
  set: CompiledRuleSet,
  compile: (src: string) => { test(s: string): boolean },
): { set: CompiledRuleSet; refused: string[] } {
  const regex = (set as unknown as { regex: ({ test(s: string): boolean } | null)[] }).regex;
  const refused: string[] = [];
  set.rules.forEach((rule, r) => {
    if (regex[r] === null) return;
    try {
      regex[r] = compile(compileRuleRegex(rule.match_string!).folded);
    } catch (err) {
      refused.push(`${rule.match_string}: ${(err as Error).message}`);
    }
  });
  return { set, refused };
}

function run(set: CompiledRuleSet, events: MatchInput[]): { rate: number; matched: number; winners: (string | null)[] } {
  const winners = events.map((e) => set.match(e)?.rule.id ?? null); // warm-up, and the answers to compare
  const SLICE = 5_000;
  const best = new Array<number>(Math.ceil(events.length / SLICE)).fill(Infinity);
  for (let p = 0; p < passes; p++) {
    for (let k = 0; k < best.length; k++) {
      const end = Math.min(events.length, (k + 1) * SLICE);
      const t0 = process.hrtime.bigint();
      for (let i = k * SLICE; i < end; i++) set.match(events[i]);
      best[k] = Math.min(best[k], Number(process.hrtime.bigint() - t0));
    }
  }
  const ns = best.reduce((a, b) => a + b, 0);
  return { rate: Math.round((events.length / ns) * 1e9), matched: winners.filter((w) => w !== null).length / events.length, winners };
}

console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; node ${process.version}; best slice of ${passes} passes`,
);
const mixed = generateRules(1000, 42);
const sets: [string, Rule[], MatchInput[]][] = [
  [`bench/rules-engine.ts's mixed 1,000 rules (26 % regex), its events (${count})`, mixed, generateEvents(count, mixed, 43)],
  [`1,000 generated regex rules, generated events aimed at them (${count})`, rules, generated],
  [
    `198 regex rules written for v2.5's messages + 802 generated, v2.5 syslog messages (${legacyMessages.length}, repeated to ${count})`,
    v25Rules(),
    legacy,
  ],
];
for (const [label, ruleSet, events] of sets) {
  const base = run(compileRules(ruleSet), events);
  console.log(label);
  console.log(
    `  V8 RegExp (as shipped)   ${base.rate.toLocaleString('en-US').padStart(9)} events/s  matched ${(base.matched * 100).toFixed(1)}%`,
  );
  for (const [name, compile] of [
    ['V8 linear engine (l flag)', linearV8],
    ['re2js 2.10.0', (src: string) => RE2JS.compile(src)],
  ] as const) {
    const { set, refused } = withEngine(compileRules(ruleSet), compile);
    const other = run(set, events);
    const differ = base.winners.filter((w, i) => w !== other.winners[i]).length;
    console.log(
      `  ${name.padEnd(24)} ${other.rate.toLocaleString('en-US').padStart(9)} events/s  matched ${(other.matched * 100).toFixed(1)}%  (${refused.length} refused, ${differ} winners differ)`,
    );
  }
}

// Which constructs RE2 refuses, on the patterns as the engine runs them (translated, lower-cased).
const corpus: string[] = ['LINK-(UP|DOWN)']; // v2.5's only regex rule (tests/conftest.py); v25_rules.csv has none
// Every Python construct the translator accepts: the Python side of 'Python syntax translates to JavaScript'.
const testSource = readFileSync(new URL('../tests/alerter/regex.test.ts', import.meta.url), 'utf8');
const block = testSource.slice(testSource.indexOf("test('Python syntax translates"), testSource.indexOf('for (const [py, js] of cases)'));
for (const m of block.matchAll(/^\s*\['((?:[^'\\]|\\.)*)', '(?:[^'\\]|\\.)*'\],$/gm)) corpus.push(m[1].replace(/\\(.)/g, '$1'));
const refusedBy = new Map<string, string[]>();
let accepted = 0;
for (const src of new Set(corpus)) {
  let folded: string;
  try {
    folded = compileRuleRegex(src).folded;
  } catch {
    continue; // refused by the Python parser already
  }
  for (const [engine, compile] of [
    ['re2js', (s: string) => RE2JS.compile(s)],
    ['V8 l flag', linearV8],
  ] as const) {
    try {
      compile(folded);
      if (engine === 're2js') accepted++;
    } catch (err) {
      const why = `${engine}: ${(err as Error).message.replace(/`.*`|\/.*\/l: /, '').trim()}`;
      refusedBy.set(why, [...(refusedBy.get(why) ?? []), src]);
    }
  }
}
console.log(`${new Set(corpus).size} patterns (v2.5's and the translator's test cases): re2js accepts ${accepted}`);
for (const [why, srcs] of refusedBy) console.log(`  refused (${why}): ${srcs.map((s) => JSON.stringify(s)).join(' ')}`);
