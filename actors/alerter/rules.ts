// The alerter's rule engine: which rule, if any, handles an event. Semantics (docs/RULES.md):
// - only active rules; the winner is the lowest (priority, id) among the rules that match — ids compare as
//   strings, so ties are decided the same way on every replica;
// - contains: case-insensitive substring of the message; regex: case-insensitive search (Python dialect,
//   regex.ts); oid_prefix: the event's trap OID lies under trap_oid by whole components;
// - every condition a rule sets must hold: trap_oid on a contains/regex rule also requires the event's OID
//   under it, and syslog_severity requires the event's normalised severity to equal it.
// Compiled for speed: every contains string and every regex's required literals go into one case-insensitive
// Aho–Corasick automaton (one pass over the message); OID rules into a component trie; a regex runs only when
// its literals occurred (or it has none) and it could still beat the best match found so far, on the message
// lower-cased at most once.
//   const set = compileRules(rules);
//   set.match({ message: '%LINK-3-UPDOWN: Interface Gi0/1, changed state to down', severity: 3 })
//     // → { rule: <the UPDOWN rule>, why: "contains 'UPDOWN' (case-insensitive) and severity 3 = 3" }

import { createHash } from 'node:crypto';
import { normaliseOid, oidHasPrefix } from '../../protocol/oid.ts';
import type { Rule } from '../../protocol/rules.ts';
import { AhoCorasick, type PatternEntry } from './aho-corasick.ts';
import { OidTrie } from './oid-trie.ts';
import { compileRuleRegex, PythonRegexError } from './regex.ts';
import { MAX_GROUPS } from './regex-literals.ts';

/** What matching reads from an event (IngestEvent has these fields). */
export interface MatchInput {
  message: string;
  /** Normalised 0–7 (protocol/severity.ts), null when the sender gave none. */
  severity: number | null;
  /** Normalised '.1.3.6…'; a form without the leading dot is accepted too. */
  trapOid?: string;
}

export interface RuleMatch {
  rule: Rule;
  /** Why it matched, for operators and the rule tester. */
  why: string;
}

export interface InvalidRule {
  ruleId: string;
  reason: string;
}

/** A condition of a rule that an event fails although the rule's text (or, for oid_prefix, its OID) matched. */
export type FailedCondition = 'severity' | 'trap_oid';

/** A rule whose text matched an event, and the conditions it failed there (none: the rule matches). */
export interface TextHit {
  rule: Rule;
  failed: FailedCondition[];
  /** What matched and, if it failed, why not; as operators read it in the rule tester. */
  why: string;
}

/** Bounds for evaluate(): rules are evaluated in order until either runs out; the rest count as skipped. */
export interface EvaluationBudget {
  /** Total regex time, ms. Default: none. */
  maxRegexMs?: number;
  /** Rules evaluated (each rule counts, also when it shares its pattern with another). Default: none. */
  maxEvaluations?: number;
}

export interface Evaluation {
  /** Rules whose text matched, in evaluation order. */
  hits: TextHit[];
  evaluated: number;
  /** Rules not evaluated because the budget ran out. */
  skipped: number;
  regexMs: number;
  /** Which bound stopped the evaluation early, or null when every rule was evaluated. */
  stoppedBy: 'regex_time' | 'evaluations' | null;
}

export interface CompileOptions {
  /** Regex time per event; beyond it the remaining regex rules are skipped for that event. Default 50 ms. */
  regexBudgetMs?: number;
  /** Regexes see at most this many characters of the message (contains and OID rules see all). Default 4096. */
  regexSubjectMax?: number;
  /** Events on which a rule was the slowest regex of an over-budget event before it is disabled. Default 3. */
  regexStrikes?: number;
  /** A regex rule was disabled in this compiled set for exceeding the budget repeatedly. */
  onRegexBudgetExceeded?: (ruleId: string) => void;
  /** A stored rule cannot be compiled (e.g. a regex written before write-time checks); it never matches. */
  onInvalidRule?: (ruleId: string, reason: string) => void;
  /** The set being replaced: its disabled regex rules stay disabled unless their pattern changed. */
  previous?: CompiledRuleSet;
  /** Milliseconds, monotonic; for tests. Default performance.now. */
  clock?: () => number;
}

export interface RuleSetStats {
  events: number;
  regexTests: number;
  /** Events whose regex evaluation was cut short by the budget. */
  budgetOverruns: number;
  /** Over-budget figures that a second timing showed to be a pause (GC, a busy host), not the pattern. */
  pausesForgiven: number;
}

export interface CompiledRuleSet {
  /** Hash of the active rules' decision-relevant fields; equal sets have equal versions. */
  readonly version: string;
  /** Active rules in evaluation order (priority, then id). */
  readonly rules: readonly Rule[];
  readonly invalid: readonly InvalidRule[];
  readonly stats: Readonly<RuleSetStats>;
  match(event: MatchInput): RuleMatch | null;
  /** Every rule that matches, best first (the first is what match() returns). For the rule tester. */
  explain(event: MatchInput): RuleMatch[];
  /**
   * Every rule whose text (oid_prefix: OID) matches, with the conditions (severity, trap OID) it fails — the
   * tests match() makes, applied to every active rule without the prefilter or early exit. For the rule tester's
   * near misses; `budget` bounds the work.
   */
  evaluate(event: MatchInput, budget?: EvaluationBudget): Evaluation;
  /** Ids of regex rules disabled for exceeding the time budget. */
  disabledRules(): string[];
}

export const DEFAULT_REGEX_BUDGET_MS = 50;
export const DEFAULT_REGEX_SUBJECT_MAX = 4096;
export const DEFAULT_REGEX_STRIKES = 3;

/** Automaton values are rank * GROUPS + literal group: ascending values are ascending ranks. */
const GROUPS = MAX_GROUPS;
const CONTAINS = 1;
const REGEX = 2;
const OID = 3;
const INVALID = 0;

/** Evaluation order: priority ascending, then id by UTF-16 code units (locale-independent). */
export function compareRules(a: Rule, b: Rule): number {
  return a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function compileRules(rules: readonly Rule[], opts: CompileOptions = {}): CompiledRuleSet {
  return new RuleSet(rules, opts);
}

class RuleSet implements CompiledRuleSet {
  readonly version: string;
  readonly rules: readonly Rule[];
  readonly invalid: InvalidRule[] = [];
  readonly stats: RuleSetStats = { events: 0, regexTests: 0, budgetOverruns: 0, pausesForgiven: 0 };

  private readonly n: number;
  private readonly kind: Uint8Array;
  private readonly sevReq: Int8Array;
  private readonly textOid: (string | null)[];
  /** oid_prefix rules: the normalised prefix (evaluate() only; match() walks the trie). */
  private readonly oidPrefix: (string | null)[];
  private readonly lowered: string[];
  private readonly regex: (RegExp | null)[];
  /** The regex's answer does not depend on letter case: it may run on the message without lower-casing. */
  private readonly caseFree: Uint8Array;
  /** Rules with the same compiled pattern share one test per event: rank → pattern number. */
  private readonly patternOf: Int32Array;
  private readonly patternStamp: Uint32Array;
  private readonly patternHit: Uint8Array;
  private readonly disabled: Uint8Array;
  private readonly strikes: Uint8Array;
  /** Per regex rule: bit mask of its literal groups that must all be seen before it is tried. */
  private readonly need: Uint8Array;
  private readonly seen: Uint8Array;
  /** Event number that seen[r] belongs to (saves clearing seen[] per event). */
  private readonly stamp: Uint32Array;
  private readonly candidates: Int32Array;
  /** Regex ranks without a prefilter literal: candidates for every event. */
  private readonly always: Int32Array;
  private readonly ac: AhoCorasick | null;
  private readonly trie: OidTrie | null;
  private readonly budget: number;
  private readonly subjectMax: number;
  private readonly maxStrikes: number;
  private readonly clock: () => number;
  private readonly onDisabled?: (ruleId: string) => void;

  // Per-event scratch on the instance: the hot path allocates only its result.
  private best = 0;
  private sev = -1;
  private oid: string | null = null;
  private nCand = 0;
  private epoch = 0;

  constructor(input: readonly Rule[], opts: CompileOptions) {
    const ordered = input.filter((r) => r.is_active).sort(compareRules);
    const n = ordered.length;
    this.rules = ordered;
    this.n = n;
    this.kind = new Uint8Array(n);
    this.sevReq = new Int8Array(n).fill(-1);
    this.textOid = new Array(n).fill(null);
    this.oidPrefix = new Array(n).fill(null);
    this.lowered = new Array(n).fill('');
    this.regex = new Array(n).fill(null);
    this.caseFree = new Uint8Array(n);
    this.patternOf = new Int32Array(n);
    this.disabled = new Uint8Array(n);
    this.strikes = new Uint8Array(n);
    this.need = new Uint8Array(n);
    this.seen = new Uint8Array(n);
    this.stamp = new Uint32Array(n);
    this.candidates = new Int32Array(n);
    this.budget = opts.regexBudgetMs ?? DEFAULT_REGEX_BUDGET_MS;
    this.subjectMax = opts.regexSubjectMax ?? DEFAULT_REGEX_SUBJECT_MAX;
    this.maxStrikes = opts.regexStrikes ?? DEFAULT_REGEX_STRIKES;
    this.clock = opts.clock ?? (() => performance.now());
    this.onDisabled = opts.onRegexBudgetExceeded;

    const entries: PatternEntry[] = [];
    const always: number[] = [];
    const regexGroups = new Map<number, string[][]>();
    const patterns = new Map<string, number>();
    const trie = new OidTrie();
    const stillDisabled = carriedOver(opts.previous);
    const bad = (r: number, reason: string) => {
      this.kind[r] = INVALID;
      this.invalid.push({ ruleId: ordered[r].id, reason });
      opts.onInvalidRule?.(ordered[r].id, reason);
    };

    for (let r = 0; r < n; r++) {
      const rule = ordered[r];
      if (rule.syslog_severity !== null) this.sevReq[r] = rule.syslog_severity;
      if (rule.match_type === 'oid_prefix') {
        const prefix = normaliseOid(rule.trap_oid);
        if (!prefix) bad(r, 'oid_prefix rule without a valid trap_oid');
        else {
          this.kind[r] = OID;
          this.oidPrefix[r] = prefix;
          trie.add(prefix, r);
        }
        continue;
      }
      if (!rule.match_string) {
        bad(r, `${rule.match_type} rule without match_string`);
        continue;
      }
      this.textOid[r] = rule.trap_oid ? normaliseOid(rule.trap_oid) : null;
      if (rule.match_type === 'contains') {
        this.kind[r] = CONTAINS;
        this.lowered[r] = rule.match_string.toLowerCase();
        entries.push({ pattern: this.lowered[r], value: r * GROUPS });
        continue;
      }
      try {
        const c = compileRuleRegex(rule.match_string);
        this.kind[r] = REGEX;
        this.regex[r] = c.re;
        this.caseFree[r] = c.caseFree ? 1 : 0;
        if (!patterns.has(c.folded)) patterns.set(c.folded, patterns.size);
        this.patternOf[r] = patterns.get(c.folded)!;
        if (c.literals) regexGroups.set(r, c.literals);
        else always.push(r);
        if (stillDisabled.get(rule.id) === rule.match_string) this.disabled[r] = 1;
      } catch (err) {
        if (!(err instanceof PythonRegexError)) throw err;
        bad(r, `invalid regex: ${err.message}`);
      }
    }
    for (const [r, groups] of prefilterGroups(regexGroups, entries)) {
      groups.forEach((group, j) => group.forEach((lit) => entries.push({ pattern: lit, value: r * GROUPS + j })));
      this.need[r] = (1 << groups.length) - 1;
    }
    this.ac = entries.length > 0 ? AhoCorasick.build(entries) : null;
    this.trie = trie.size > 0 ? trie.seal() : null;
    this.always = Int32Array.from(always);
    this.patternStamp = new Uint32Array(patterns.size);
    this.patternHit = new Uint8Array(patterns.size);
    this.version = versionOf(ordered);
  }

  match(event: MatchInput): RuleMatch | null {
    this.stats.events++;
    const message = event.message;
    let lower: string | null = null;
    this.best = this.n;
    this.sev = event.severity ?? -1;
    this.oid = eventOid(event.trapOid);
    this.nCand = 0;
    if (++this.epoch === 0xffffffff) {
      this.stamp.fill(0);
      this.patternStamp.fill(0);
      this.epoch = 1;
    }
    if (this.ac !== null && this.ac.scan(message, this.onText) === 'lowercase')
      this.ac.scan((lower = message.toLowerCase()), this.onText, true);
    if (this.oid !== null && this.trie !== null) this.trie.visit(this.oid, this.onOid);
    if (this.nCand > 0 || this.always.length > 0) this.runRegexes(message, lower);
    const best = this.best;
    if (best === this.n) return null;
    const oid = this.oid;
    return new LazyMatch(this.rules[best], () => this.describe(best, oid));
  }

  explain(event: MatchInput): RuleMatch[] {
    return this.evaluate(event)
      .hits.filter((h) => h.failed.length === 0)
      .map((h) => ({ rule: h.rule, why: h.why }));
  }

  evaluate(event: MatchInput, budget: EvaluationBudget = {}): Evaluation {
    const lower = event.message.toLowerCase();
    const subject = this.subject(lower);
    const sev = event.severity ?? -1;
    const oid = eventOid(event.trapOid);
    const maxMs = budget.maxRegexMs ?? Infinity;
    const maxEvaluations = budget.maxEvaluations ?? Infinity;
    // Rules sharing a pattern share its one test, as in match(): -1 untested, 0 no, 1 yes.
    const tested = new Int8Array(this.patternStamp.length).fill(-1);
    const hits: TextHit[] = [];
    let regexMs = 0;
    let evaluated = 0;
    let stoppedBy: Evaluation['stoppedBy'] = null;
    for (let r = 0; r < this.n; r++) {
      if (evaluated >= maxEvaluations) stoppedBy = 'evaluations';
      else if (regexMs > maxMs) stoppedBy = 'regex_time';
      if (stoppedBy !== null) return { hits, evaluated, skipped: this.n - r, regexMs, stoppedBy };
      evaluated++;
      const k = this.kind[r];
      if (this.disabled[r] || k === INVALID) continue;
      let hit: boolean;
      if (k === CONTAINS) hit = lower.includes(this.lowered[r]);
      else if (k === OID) hit = oid !== null && oidHasPrefix(oid, this.oidPrefix[r]!);
      else {
        const p = this.patternOf[r];
        if (tested[p] < 0) {
          const t0 = this.clock();
          tested[p] = this.regex[r]!.test(subject) ? 1 : 0;
          regexMs += this.clock() - t0;
        }
        hit = tested[p] === 1;
      }
      if (!hit) continue;
      const failed: FailedCondition[] = [];
      if (this.sevReq[r] >= 0 && this.sevReq[r] !== sev) failed.push('severity');
      const textOid = this.textOid[r];
      if (textOid !== null && (oid === null || !oidHasPrefix(oid, textOid))) failed.push('trap_oid');
      hits.push({ rule: this.rules[r], failed, why: failed.length === 0 ? this.describe(r, oid) : this.describeMiss(r, failed, sev, oid) });
    }
    return { hits, evaluated, skipped: 0, regexMs, stoppedBy };
  }

  disabledRules(): string[] {
    const out: string[] = [];
    for (let r = 0; r < this.n; r++) if (this.disabled[r]) out.push(this.rules[r].id);
    return out;
  }

  private conditionsHold(r: number): boolean {
    return conditionsHold(this.sevReq[r], this.textOid[r], this.sev, this.oid);
  }

  /**
   * Aho–Corasick hits, ascending: a contains rule decides at once; a regex rule becomes a candidate once every
   * one of its literal groups has been seen.
   */
  private readonly onText = (values: Int32Array, from: number, to: number): boolean => {
    for (let k = from; k < to; k++) {
      const v = values[k];
      const r = (v / GROUPS) | 0;
      if (r >= this.best) break;
      if (this.kind[r] === CONTAINS) {
        if (!this.conditionsHold(r)) continue;
        this.best = r;
        break;
      }
      if (this.disabled[r] !== 0) continue;
      if (this.stamp[r] !== this.epoch) {
        this.stamp[r] = this.epoch;
        this.seen[r] = 0;
      }
      const before = this.seen[r];
      const after = before | (1 << (v % GROUPS));
      if (after === before) continue;
      this.seen[r] = after;
      if (after === this.need[r] && this.conditionsHold(r)) this.candidates[this.nCand++] = r;
    }
    return this.best !== 0;
  };

  private readonly onOid = (ranks: readonly number[]): boolean => {
    for (const r of ranks) {
      if (r >= this.best) break;
      if (this.sevReq[r] < 0 || this.sevReq[r] === this.sev) {
        this.best = r;
        break;
      }
    }
    return true;
  };

  /**
   * Candidates in rank order, stopping at the first match or once none can beat the best so far. `lower`: the
   * lower-cased message if the scan already made it; otherwise it is made here, and only if a regex runs.
   */
  private runRegexes(message: string, lower: string | null): void {
    const cand = this.candidates;
    const nc = this.nCand;
    for (let i = 1; i < nc; i++) {
      const v = cand[i];
      let j = i - 1;
      while (j >= 0 && cand[j] > v) cand[j + 1] = cand[j--];
      cand[j + 1] = v;
    }
    const always = this.always;
    let subject: string | null = null;
    let rawSubject: string | null = null;
    let spent = 0;
    let slowest = -1;
    let slowestMs = -1;
    let slowestText = '';
    let t0 = -1;
    for (let i = 0, j = 0; i < nc || j < always.length;) {
      const fromCandidates = j >= always.length || (i < nc && cand[i] < always[j]);
      const r = fromCandidates ? cand[i++] : always[j++];
      if (r >= this.best) return;
      // Candidates were screened during the scan; literal-less regexes are screened here.
      if (!fromCandidates && (this.disabled[r] !== 0 || !this.conditionsHold(r))) continue;
      const p = this.patternOf[r];
      if (this.patternStamp[p] === this.epoch) {
        if (this.patternHit[p] === 0) continue;
        this.best = r;
        return;
      }
      // Text already lower-cased is used for every regex; otherwise a case-free regex spares making it — when
      // the scan has shown the text needs no more than ASCII folding.
      let text: string;
      if (lower === null && this.caseFree[r] === 1 && this.ac !== null) text = rawSubject ??= this.subject(message);
      else text = subject ??= this.subject((lower ??= message.toLowerCase()));
      if (t0 < 0) t0 = this.clock();
      const hit = this.regex[r]!.test(text);
      this.patternStamp[p] = this.epoch;
      this.patternHit[p] = hit ? 1 : 0;
      // One clock read per test: each test is timed from the end of the previous one.
      const t1 = this.clock();
      const dt = t1 - t0;
      t0 = t1;
      this.stats.regexTests++;
      spent += dt;
      if (dt > slowestMs) {
        slowestMs = dt;
        slowest = r;
        slowestText = text;
      }
      if (spent > this.budget) {
        // Wall-clock time also counts a GC pause or the process waiting for a core on a busy host, which would
        // skip rules and strike an innocent regex (three strikes disable it). A pattern that is slow on this
        // text is slow again: time the slowest test once more, and if it now takes less than half, count that.
        const t = this.clock();
        this.regex[slowest]!.test(slowestText);
        const again = this.clock() - t;
        if (again < slowestMs / 2) {
          this.stats.pausesForgiven++;
          spent -= slowestMs - again;
          slowestMs = again;
        }
        t0 = this.clock();
        if (spent > this.budget) {
          this.stats.budgetOverruns++;
          this.strike(slowest);
          if (hit) this.best = r;
          return;
        }
      }
      if (hit) {
        this.best = r;
        return;
      }
    }
  }

  private strike(r: number): void {
    if (++this.strikes[r] < this.maxStrikes || this.disabled[r]) return;
    this.disabled[r] = 1;
    this.onDisabled?.(this.rules[r].id);
  }

  private subject(lower: string): string {
    return lower.length > this.subjectMax ? lower.slice(0, this.subjectMax) : lower;
  }

  private describe(r: number, oid: string | null): string {
    const rule = this.rules[r];
    const parts: string[] = [];
    if (rule.match_type === 'oid_prefix') parts.push(`trap OID ${oid} is under ${normaliseOid(rule.trap_oid)}`);
    else {
      parts.push(
        rule.match_type === 'contains'
          ? `contains '${rule.match_string}' (case-insensitive)`
          : `matches regex '${rule.match_string}' (case-insensitive)`,
      );
      if (this.textOid[r] !== null) parts.push(`trap OID ${oid} is under ${this.textOid[r]}`);
    }
    if (rule.syslog_severity !== null) parts.push(`severity ${rule.syslog_severity} = ${rule.syslog_severity}`);
    return parts.join(' and ');
  }

  /** What matched, and the conditions that then failed. */
  private describeMiss(r: number, failed: readonly FailedCondition[], sev: number, oid: string | null): string {
    const rule = this.rules[r];
    const matched =
      rule.match_type === 'oid_prefix'
        ? `trap OID ${oid} is under ${this.oidPrefix[r]}`
        : rule.match_type === 'contains'
          ? `contains '${rule.match_string}' (case-insensitive)`
          : `matches regex '${rule.match_string}' (case-insensitive)`;
    const why = failed.map((f) =>
      f === 'severity'
        ? sev < 0
          ? `the event has no severity and the rule requires ${rule.syslog_severity}`
          : `severity ${sev} is not the rule's ${rule.syslog_severity}`
        : oid === null
          ? `the event has no trap OID and the rule requires one under ${this.textOid[r]}`
          : `trap OID ${oid} is not under ${this.textOid[r]}`,
    );
    return `${matched}, but ${why.join(' and ')}`;
  }
}

/**
 * Which of each regex's required literal groups go into the automaton. Every group is a valid filter; more
 * groups filter better but every occurrence of a literal costs a walk over all the rules that use it. So keep
 * the two groups shared by the fewest rules (longest first on ties), and a second group only if few rules use it.
 */
function prefilterGroups(byRank: Map<number, string[][]>, containsEntries: readonly PatternEntry[]): Map<number, string[][]> {
  const users = new Map<string, number>();
  for (const e of containsEntries) users.set(e.pattern, (users.get(e.pattern) ?? 0) + 1);
  for (const groups of byRank.values()) for (const lit of new Set(groups.flat())) users.set(lit, (users.get(lit) ?? 0) + 1);
  const shared = (g: string[]) => Math.max(...g.map((l) => users.get(l)!));
  const weakest = (g: string[]) => Math.min(...g.map((l) => l.length));
  const out = new Map<number, string[][]>();
  for (const [r, groups] of byRank) {
    const ranked = [...groups].sort((a, b) => shared(a) - shared(b) || weakest(b) - weakest(a));
    const keep = [ranked[0]];
    if (ranked.length > 1 && shared(ranked[1]) <= SHARED_LITERAL_MAX) keep.push(ranked[1]);
    out.set(r, keep);
  }
  return out;
}

/** A literal used by more rules than this is not worth a second prefilter group. */
const SHARED_LITERAL_MAX = 8;

/** A match whose explanation is built only if read (the alerter never reads it; the rule tester does). */
class LazyMatch implements RuleMatch {
  #why: string | (() => string);
  constructor(
    readonly rule: Rule,
    why: () => string,
  ) {
    this.#why = why;
  }
  get why(): string {
    if (typeof this.#why === 'function') this.#why = this.#why();
    return this.#why;
  }
  toJSON(): { rule: Rule; why: string } {
    return { rule: this.rule, why: this.why };
  }
}

function conditionsHold(sevReq: number, textOid: string | null, sev: number, oid: string | null): boolean {
  return (sevReq < 0 || sevReq === sev) && (textOid === null || (oid !== null && oidHasPrefix(oid, textOid)));
}

function eventOid(trapOid: string | undefined): string | null {
  if (!trapOid) return null;
  return trapOid.charCodeAt(0) === 0x2e ? trapOid : normaliseOid(trapOid);
}

/** Disabled regex rules of the previous set, by id → the pattern that was disabled. */
function carriedOver(previous: CompiledRuleSet | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!previous) return out;
  const byId = new Map(previous.rules.map((r) => [r.id, r]));
  for (const id of previous.disabledRules()) {
    const rule = byId.get(id);
    if (rule?.match_string) out.set(id, rule.match_string);
  }
  return out;
}

function versionOf(ordered: readonly Rule[]): string {
  const canonical = ordered.map((r) => [
    r.id,
    r.match_type,
    r.match_string,
    r.trap_oid,
    r.syslog_severity,
    r.priority,
    r.prod_handling,
    r.dev_handling,
    r.team_assignment,
  ]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 16);
}
