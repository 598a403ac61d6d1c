// Rule regexes: Python `re` dialect in (v2.5 rules), JavaScript out, and the two guards against a regex that
// stalls the alerter. At write time checkRegexSafety() refuses invalid syntax and catastrophic backtracking
// (recheck, pure-JS backend). At match time every rule regex runs without flags on the lower-cased message
// (see regex-emit.ts), which lets V8 switch to its linear-time engine after 50,000 backtracks; importing this
// module turns that V8 option on for the process. rules.ts adds a per-event time budget on top.
//   translatePythonRegex('(?P<port>Gi\\d+/\\d+) down\\Z')   // '(?<port>Gi\\d+\\/\\d+) down$'
//   checkRegexSafety('(a+)+$')   // { ok: false, reason: 'catastrophic backtracking: exponential time …' }
//   compileRuleRegex('LINK-(UP|DOWN)').re.test('%link-3-updown: link-down')   // true (lower-cased input)

import v8 from 'node:v8';
import { createRequire } from 'node:module';
import type { Diagnostics } from 'recheck';
import { emitJs, isCaseFree } from './regex-emit.ts';
import { requiredLiterals } from './regex-literals.ts';
import { parsePythonRegex, PythonRegexError, type ParsedRegex } from './regex-syntax.ts';

export { PythonRegexError } from './regex-syntax.ts';

// recheck is a large Scala.js build and only rule writes need it: it is loaded at the first check, not by every
// alerter and gateway at start (docs/PERFORMANCE.md, H).
type Recheck = typeof import('recheck');
let recheckModule: Recheck | undefined;
const recheck = (): Recheck => (recheckModule ??= createRequire(import.meta.url)('recheck') as Recheck);

// Process-wide, and it changes no result: only patterns that already backtracked 50,000 times are re-run on
// the breadth-first engine (which cannot take the `i` flag, backreferences or lookaround).
v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

export interface CompiledRegex {
  /** Readable JS translation, case-insensitive semantics (use with the `i` flag). */
  source: string;
  /** What runs: lower-cased, no flags, applied to the lower-cased message. */
  folded: string;
  re: RegExp;
  /** Lower-case strings every match contains: each group must occur, in any of its forms; null when none is certain. */
  literals: string[][] | null;
  /** False when backreferences or lookaround keep V8 from falling back to its linear-time engine. */
  linearFallback: boolean;
  /** No letters and no back-references: `re` may run on the message as it is, without lower-casing it. */
  caseFree: boolean;
}

/** Python pattern → JS pattern with the same meaning under the `i` flag. Throws PythonRegexError. */
export function translatePythonRegex(src: string): string {
  const parsed = parsePythonRegex(src);
  const out = emitJs(parsed, false);
  jsCompile(out, 'i');
  return out;
}

/** Everything the rule engine needs for one regex rule. Throws PythonRegexError. */
export function compileRuleRegex(src: string): CompiledRegex {
  const parsed = parsePythonRegex(src);
  const source = emitJs(parsed, false);
  jsCompile(source, 'i');
  const searched = withoutOuterWildcards(parsed);
  const folded = emitJs(searched, true);
  return {
    source,
    folded,
    re: jsCompile(folded, ''),
    literals: requiredLiterals(searched),
    linearFallback: !parsed.needsBacktracking,
    caseFree: isCaseFree(searched),
  };
}

function jsCompile(source: string, flags: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new PythonRegexError(
      `not valid as a JavaScript regex: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`,
      0,
    );
  }
}

/** For a yes/no search a leading or trailing `.*` changes nothing but adds a degree of backtracking. */
function withoutOuterWildcards(parsed: ParsedRegex): ParsedRegex {
  if (parsed.body.branches.length !== 1) return parsed;
  const seq = [...parsed.body.branches[0]];
  const wild = (i: number) => {
    const n = seq[i];
    return n?.type === 'repeat' && n.min === 0 && n.max === Infinity && n.body.type === 'any';
  };
  while (seq.length > 1 && wild(0)) seq.shift();
  while (seq.length > 1 && wild(seq.length - 1)) seq.pop();
  return { ...parsed, body: { type: 'alt', branches: [seq] } };
}

export type RegexSafety = { ok: true; compiled: string; warning?: string } | { ok: false; reason: string };

export interface SafetyOptions {
  /** Total analysis time; the result is 'not proven' (see judge) when it runs out. Default 5000 ms. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;

/**
 * For rule writes: refuses what cannot compile and what backtracks catastrophically. Blocks the caller for up
 * to `timeoutMs` (recheck's pure-JS analyser in this thread); servers should prefer checkRegexSafetyAsync.
 */
export function checkRegexSafety(src: string, opts: SafetyOptions = {}): RegexSafety {
  const c = tryCompile(src);
  if ('reason' in c) return c;
  const total = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = Date.now();
  const run = (checker: 'auto' | 'fuzz', timeout: number) =>
    withEnv('RECHECK_SYNC_BACKEND', 'pure', () => recheck().checkSync(c.folded, '', { checker, timeout, randomSeed: 1 }));
  let d = run('auto', firstPhase(total));
  if (isTimeout(d)) d = run('fuzz', Math.max(1, total - (Date.now() - started)));
  return judge(d, c, total);
}

/** Same verdict as checkRegexSafety, analysed in recheck's worker thread so the event loop keeps running. */
export async function checkRegexSafetyAsync(src: string, opts: SafetyOptions & { signal?: AbortSignal } = {}): Promise<RegexSafety> {
  const c = tryCompile(src);
  if ('reason' in c) return c;
  await workerStarted();
  const total = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = Date.now();
  const run = (checker: 'auto' | 'fuzz', timeout: number) =>
    checkInWorker(c.folded, { checker, timeout, randomSeed: 1, signal: opts.signal });
  let d = await run('auto', firstPhase(total));
  if (isTimeout(d)) d = await run('fuzz', Math.max(1, total - (Date.now() - started)));
  return judge(d, c, total);
}

// recheck starts its worker thread and loads its analyser into it at the first check: seconds on a busy host.
// That is not the pattern's analysis, so it happens once, outside any pattern's budget — otherwise the first
// rule written after a restart could time out and be accepted as "not proven" however simple it is.
let workerReady: Promise<void> | undefined;
const workerStarted = () =>
  (workerReady ??= checkInWorker('a', { timeout: 60_000 }).then(
    () => undefined,
    () => undefined,
  ));

// recheck reads RECHECK_BACKEND synchronously when check() is called.
const checkInWorker = (pattern: string, params: Parameters<Recheck['check']>[2]) =>
  withEnv('RECHECK_BACKEND', 'worker', () => recheck().check(pattern, '', params));

// The automaton checker is exact but slow on long literal-rich patterns; fuzzing finishes those.
const firstPhase = (total: number) => Math.max(1, Math.min(1000, Math.floor(total / 4)));
const isTimeout = (d: Diagnostics) => d.status === 'unknown' && d.error.kind === 'timeout';

function tryCompile(src: string): CompiledRegex | { ok: false; reason: string } {
  try {
    return compileRuleRegex(src);
  } catch (err) {
    if (err instanceof PythonRegexError) return { ok: false, reason: `invalid regex: ${err.message}` };
    throw err;
  }
}

/**
 * The write-time policy (docs/RULES.md, "Regex safety"):
 * - exponential backtracking: refused;
 * - polynomial: refused at degree ≥ 3 when the pattern uses backreferences or lookaround (nothing bounds it at
 *   run time); otherwise accepted with a warning, because V8's linear-time fallback bounds it;
 * - analysis inconclusive: accepted with a warning when the fallback applies, refused when it does not.
 */
export function judge(
  d: Diagnostics,
  c: Pick<CompiledRegex, 'source' | 'folded' | 'linearFallback'>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): RegexSafety {
  const ok = (warning?: string): RegexSafety => (warning ? { ok: true, compiled: c.source, warning } : { ok: true, compiled: c.source });
  const noFallback = 'it uses backreferences or lookaround, so the linear-time fallback cannot bound it at run time';
  if (d.status === 'safe') return ok();
  if (d.status === 'vulnerable') {
    const where = d.hotspot.length ? ` near '${d.hotspot.map((h) => c.folded.slice(h.start, h.end)).join("', '")}'` : '';
    const attack = d.attack.pattern.length > 120 ? d.attack.pattern.slice(0, 117) + '...' : d.attack.pattern;
    if (d.complexity.type === 'exponential') {
      return {
        ok: false,
        reason: `catastrophic backtracking: exponential time${where} on input like ${attack}; remove the nested or overlapping repetition`,
      };
    }
    const text = `${d.complexity.summary} backtracking${where} on input like ${attack}`;
    if (!c.linearFallback && d.complexity.degree >= 3)
      return { ok: false, reason: `catastrophic backtracking: ${text}, and ${noFallback}` };
    return ok(
      `${text}; accepted: ${c.linearFallback ? 'bounded at run time by the linear-time fallback and the subject cap' : 'bounded at run time by the subject cap and the time budget'}`,
    );
  }
  const why =
    d.error.kind === 'timeout'
      ? `did not finish within ${timeoutMs} ms`
      : `was not possible (${d.error.kind}${'message' in d.error ? ': ' + d.error.message : ''})`;
  if (!c.linearFallback) return { ok: false, reason: `safety analysis ${why}, and ${noFallback}; simplify the pattern` };
  return ok(`safety analysis ${why}; accepted: bounded at run time by the linear-time fallback and the subject cap`);
}

function withEnv<T>(name: string, value: string, fn: () => T): T {
  const prev = process.env[name];
  process.env[name] = value;
  try {
    return fn();
  } finally {
    if (prev === undefined) delete process.env[name];
    else process.env[name] = prev;
  }
}
