// Writes a parsed rule regex (regex-syntax.ts) back out as a JavaScript RegExp source, in one of two forms:
// - readable: the same pattern in JS syntax, to be used with the `i` flag (what operators see);
// - folded: every letter lower-cased and every [set] closed under lower-casing, to be run WITHOUT flags on the
//   lower-cased message. The alerter uses this one: it shares the lower-cased text with the `contains` scan,
//   and V8 can only fall back to its linear-time engine (the guard against catastrophic backtracking) for
//   patterns without the `i` flag.
//   emitJs(parsePythonRegex('(?P<x>LINK)-[A-C]'), false) === '(?<x>LINK)-[A-C]'
//   emitJs(parsePythonRegex('(?P<x>LINK)-[A-C]'), true)  === '(?<x>link)-[A-Ca-c]'

import type { Alt, Node, ParsedRegex, SetItem } from './regex-syntax.ts';

const SYNTAX = new Set('\\^$.|?*+()[]{}/');
const SET_SYNTAX = new Set('\\]-[^');
const SIGMA = new Set(['Σ', 'σ', 'ς']);

/** The lower-cased form used on both sides of folded matching (whole-string lowering may differ only for sigma). */
export function foldChar(ch: string): string {
  return ch.toLowerCase();
}

/** Lower-casing a word turns its last Σ into ς, elsewhere σ: a folded pattern accepts both. */
export function isSigma(ch: string): boolean {
  return SIGMA.has(ch);
}

/**
 * True when letter case cannot change the pattern's answer: no cased character in its text or sets, no
 * back-reference. Such a regex gives the same result on the message as on its lower-cased form.
 */
export function isCaseFree(parsed: ParsedRegex): boolean {
  const cased = (ch: string) => ch.toLowerCase() !== ch.toUpperCase();
  const node = (n: Node): boolean => {
    switch (n.type) {
      case 'char':
        return !cased(n.ch);
      case 'set':
        return n.items.every(
          (it) => it.type === 'class' || (it.type === 'char' ? !cased(String.fromCharCode(it.code)) : !hasCased(it.lo, it.hi)),
        );
      case 'backref':
        return false;
      case 'group':
        return alt(n.body);
      case 'repeat':
        return node(n.body);
      default:
        return true;
    }
  };
  const alt = (a: Alt): boolean => a.branches.every((b) => b.every(node));
  return alt(parsed.body);
}

function hasCased(lo: number, hi: number): boolean {
  for (let c = lo; c <= hi; c++) {
    const ch = String.fromCharCode(c);
    if (ch.toLowerCase() !== ch.toUpperCase()) return true;
  }
  return false;
}

export function emitJs(parsed: ParsedRegex, fold: boolean): string {
  return new Emitter(fold).alt(parsed.body);
}

class Emitter {
  constructor(private readonly fold: boolean) {}

  alt(a: Alt): string {
    return a.branches.map((b) => this.seq(b)).join('|');
  }

  seq(nodes: Node[]): string {
    let out = '';
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const next = nodes[i + 1];
      const text = this.node(n);
      // '\1' followed by a literal digit would read as '\10'.
      out += n.type === 'backref' && typeof n.ref === 'number' && next?.type === 'char' && /^[0-9]/.test(next.ch) ? `(?:${text})` : text;
    }
    return out;
  }

  node(n: Node): string {
    switch (n.type) {
      case 'char':
        return this.char(n.ch);
      case 'set':
        return this.set(n.negated, n.items);
      case 'class':
        return '\\' + n.esc;
      case 'any':
        return n.dotAll ? '[\\s\\S]' : '.';
      case 'assert':
        return { start: '^', end: '$', 'line-start': '(?:^|(?<=\\n))', 'line-end': '(?:$|(?=\\n))', word: '\\b', 'non-word': '\\B' }[
          n.kind
        ];
      case 'backref':
        return typeof n.ref === 'number' ? '\\' + n.ref : `\\k<${n.ref}>`;
      case 'group': {
        const open = {
          capture: n.name === undefined ? '(' : `(?<${n.name}>`,
          noncapture: '(?:',
          lookahead: '(?=',
          'neg-lookahead': '(?!',
          lookbehind: '(?<=',
          'neg-lookbehind': '(?<!',
        }[n.kind];
        return open + this.alt(n.body) + ')';
      }
      case 'repeat': {
        let body = this.node(n.body);
        if (n.body.type === 'char' && !isSingleAtom(body)) body = `(?:${body})`;
        return body + quantifier(n.min, n.max) + (n.lazy ? '?' : '');
      }
    }
  }

  private char(ch: string): string {
    if (!this.fold) return escapeChars(ch, SYNTAX);
    if (isSigma(ch)) return '[σς]';
    return escapeChars(foldChar(ch), SYNTAX);
  }

  private set(negated: boolean, items: SetItem[]): string {
    const all = this.fold ? foldSet(items) : items;
    return '[' + (negated ? '^' : '') + all.map(setItem).join('') + ']';
  }
}

/** A set item list closed under lower-casing: [A-C] → [A-Ca-c], so it matches the lower-cased text. */
function foldSet(items: SetItem[]): SetItem[] {
  const extra = new Set<number>();
  for (const it of items) {
    if (it.type === 'char') addLower(extra, it.code);
    else if (it.type === 'range') for (let c = it.lo; c <= it.hi; c++) addLower(extra, c);
  }
  for (const it of items) {
    if (it.type === 'char') extra.delete(it.code);
    else if (it.type === 'range') for (const c of [...extra]) if (c >= it.lo && c <= it.hi) extra.delete(c);
  }
  return [...items, ...toRanges([...extra].sort((a, b) => a - b))];
}

function addLower(into: Set<number>, code: number): void {
  const ch = String.fromCharCode(code);
  if (isSigma(ch)) {
    into.add(0x3c3);
    into.add(0x3c2);
    return;
  }
  const lower = ch.toLowerCase();
  if (lower.length === 1 && lower !== ch) into.add(lower.charCodeAt(0));
}

function toRanges(codes: number[]): SetItem[] {
  const out: SetItem[] = [];
  for (let i = 0; i < codes.length;) {
    let j = i;
    while (j + 1 < codes.length && codes[j + 1] === codes[j] + 1) j++;
    out.push(j - i >= 2 ? { type: 'range', lo: codes[i], hi: codes[j] } : { type: 'char', code: codes[i] });
    if (j - i === 1) out.push({ type: 'char', code: codes[j] });
    i = j + 1;
  }
  return out;
}

function setItem(it: SetItem): string {
  if (it.type === 'class') return '\\' + it.esc;
  if (it.type === 'char') return escapeChars(String.fromCharCode(it.code), SET_SYNTAX);
  return escapeChars(String.fromCharCode(it.lo), SET_SYNTAX) + '-' + escapeChars(String.fromCharCode(it.hi), SET_SYNTAX);
}

function quantifier(min: number, max: number): string {
  if (max === Infinity) return min === 0 ? '*' : min === 1 ? '+' : `{${min},}`;
  if (min === 0 && max === 1) return '?';
  return min === max ? `{${min}}` : `{${min},${max}}`;
}

/** One regex atom: a single unit, or one escape sequence. */
function isSingleAtom(text: string): boolean {
  return text.length === 1 || /^\\(?:[^xu]|x[0-9a-f]{2}|u[0-9a-f]{4})$/.test(text) || /^\[[^\]]*\]$/.test(text);
}

function escapeChars(text: string, syntax: Set<string>): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const code = text.charCodeAt(i);
    if (syntax.has(ch)) out += '\\' + ch;
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += '\\x' + code.toString(16).padStart(2, '0');
    else if (code === 0x2028 || code === 0x2029 || (code >= 0xd800 && code <= 0xdfff && !isPairAt(text, i)))
      out += '\\u' + code.toString(16).padStart(4, '0');
    else if (code >= 0xd800 && code <= 0xdbff) {
      out += text.slice(i, i + 2);
      i++;
    } else out += ch;
  }
  return out;
}

function isPairAt(text: string, i: number): boolean {
  const a = text.charCodeAt(i);
  const b = text.charCodeAt(i + 1);
  return a >= 0xd800 && a <= 0xdbff && b >= 0xdc00 && b <= 0xdfff;
}
