// Finds text that every match of a rule regex must contain, so the alerter can skip the regex for messages
// without it: the literals join the `contains` strings in one case-insensitive Aho–Corasick scan of the message,
// and a regex runs only when its literals occurred. The result is a conjunction of alternatives: every group
// must be present, and a group is present when any of its strings is. null means no literal of useful length
// is certain; such a regex always runs.
//   requiredLiterals(parsePythonRegex('%BGP-\\d-ADJCHANGE'))   → [['-adjchange'], ['%bgp-']]
//   requiredLiterals(parsePythonRegex('CRITICAL|FATAL'))       → [['critical', 'fatal']]

import { foldChar, isSigma } from './regex-emit.ts';
import type { Alt, Node, ParsedRegex } from './regex-syntax.ts';

/** Shorter literals occur in most messages: prefiltering on them costs more than it saves. */
export const MIN_LITERAL = 3;
const MAX_ALTERNATIVES = 16;
/** Groups kept per regex, most selective first (rules.ts tracks them in a small bit mask). */
export const MAX_GROUPS = 4;

export function requiredLiterals(parsed: ParsedRegex): string[][] | null {
  const body = parsed.body;
  const groups = body.branches.length === 1 ? seqOptions(body.branches[0]) : [ofAlt(body)].filter((g): g is string[] => g !== null);
  const seen = new Set<string>();
  const useful = groups
    .filter((g) => weakest(g) >= MIN_LITERAL && !seen.has(g.join('\0')) && seen.add(g.join('\0')))
    .sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
  return useful.length > 0 ? useful.slice(0, MAX_GROUPS) : null;
}

function ofAlt(alt: Alt): string[] | null {
  const out = new Set<string>();
  for (const branch of alt.branches) {
    const lits = ofSeq(branch);
    if (!lits) return null;
    for (const l of lits) out.add(l);
  }
  return out.size <= MAX_ALTERNATIVES ? [...out] : null;
}

/** The most selective of a sequence's required groups, as one alternative set. */
function ofSeq(nodes: Node[]): string[] | null {
  let best: string[] | null = null;
  for (const o of seqOptions(nodes)) if (!best || better(o, best)) best = o;
  return best && weakest(best) >= MIN_LITERAL ? best : null;
}

/** Every run of adjacent certain characters, and every certain sub-group, of a sequence: all are required. */
function seqOptions(nodes: Node[]): string[][] {
  const options: string[][] = [];
  let run = '';
  const flush = () => {
    if (run) options.push([run]);
    run = '';
  };
  for (const n of nodes) {
    if (n.type === 'char' && !isSigma(n.ch)) run += foldChar(n.ch);
    else if (n.type === 'assert' || (n.type === 'group' && n.kind !== 'capture' && n.kind !== 'noncapture')) {
      // zero-width: the text on both sides is still adjacent
    } else if (n.type === 'group') {
      const whole = plainText(n.body);
      if (whole !== null) run += whole;
      else {
        flush();
        const sub = ofAlt(n.body);
        if (sub) options.push(sub);
      }
    } else if (n.type === 'repeat' && n.min >= 1) {
      const whole =
        n.body.type === 'char' && !isSigma(n.body.ch) ? foldChar(n.body.ch) : n.body.type === 'group' ? plainText(n.body.body) : null;
      if (whole !== null && n.min === n.max) run += whole.repeat(n.min);
      else if (whole !== null) {
        run += whole;
        flush();
      } else {
        flush();
        const sub = n.body.type === 'group' && (n.body.kind === 'capture' || n.body.kind === 'noncapture') ? ofAlt(n.body.body) : null;
        if (sub) options.push(sub);
      }
    } else flush();
  }
  flush();
  return options;
}

/** The group's text when it is one fixed string (no alternation, no classes). */
function plainText(alt: Alt): string | null {
  if (alt.branches.length !== 1) return null;
  let out = '';
  for (const n of alt.branches[0]) {
    if (n.type === 'char' && !isSigma(n.ch)) out += foldChar(n.ch);
    else if (n.type === 'group' && (n.kind === 'capture' || n.kind === 'noncapture')) {
      const inner = plainText(n.body);
      if (inner === null) return null;
      out += inner;
    } else return null;
  }
  return out;
}

const weakest = (o: string[]) => Math.min(...o.map((s) => s.length));

function better(a: string[], b: string[]): boolean {
  const wa = weakest(a);
  const wb = weakest(b);
  return wa !== wb ? wa > wb : a.length < b.length;
}
