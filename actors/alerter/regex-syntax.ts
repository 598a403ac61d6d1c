// Parses a rule's regex, written in Python's `re` dialect (what v2.5 rules contain), into a small syntax tree
// that regex-emit.ts turns into JavaScript and regex-literals.ts mines for a prefilter literal. Anything JS
// cannot express with the same meaning is refused here with a PythonRegexError naming the construct and
// position, never passed through to mean something else (JS silently reads `\q` as `q`, `{,3}` as text).
//   parsePythonRegex('(?P<if>Gi\\d+/\\d+) down\\Z').body   // alt → seq [group 'if', ' ', 'd', …, end]

export class PythonRegexError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(`${message} at position ${position}`);
    this.name = 'PythonRegexError';
    this.position = position;
  }
}

export type ClassEscape = 'd' | 'D' | 'w' | 'W' | 's' | 'S';

export type SetItem = { type: 'char'; code: number } | { type: 'range'; lo: number; hi: number } | { type: 'class'; esc: ClassEscape };

export type Node =
  /** One literal character (a surrogate pair counts as one). */
  | { type: 'char'; ch: string }
  | { type: 'set'; negated: boolean; items: SetItem[] }
  | { type: 'class'; esc: ClassEscape }
  | { type: 'any'; dotAll: boolean }
  | { type: 'assert'; kind: 'start' | 'end' | 'line-start' | 'line-end' | 'word' | 'non-word' }
  | { type: 'backref'; ref: number | string }
  | { type: 'group'; kind: GroupKind; name?: string; body: Alt }
  | { type: 'repeat'; min: number; max: number; lazy: boolean; body: Node };

export type GroupKind = 'capture' | 'noncapture' | 'lookahead' | 'neg-lookahead' | 'lookbehind' | 'neg-lookbehind';

export interface Alt {
  type: 'alt';
  branches: Node[][];
}

export interface ParsedRegex {
  body: Alt;
  /** Uses constructs V8's linear-time engine cannot run (backreferences, lookaround). */
  needsBacktracking: boolean;
}

const HEX = /^[0-9a-fA-F]+$/;
const isOctal = (c: string | undefined) => c !== undefined && c >= '0' && c <= '7';
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const IDENT = /^[\p{ID_Start}_$][\p{ID_Continue}$]*$/u;
const QUANT = /^\{(\d*)(,(\d*))?\}/;

const CONTROL_ESCAPES: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };

export function parsePythonRegex(src: string): ParsedRegex {
  return new Parser(src).parse();
}

class Parser {
  private i = 0;
  private dotAll = false;
  private multiline = false;
  private groups = 0;
  private readonly closed = new Set<number>();
  private readonly names = new Map<string, number>();
  private needsBacktracking = false;

  constructor(private readonly src: string) {}

  parse(): ParsedRegex {
    this.leadingFlags();
    const body = this.alt();
    if (this.i < this.src.length) throw new PythonRegexError('unbalanced parenthesis', this.i);
    return { body, needsBacktracking: this.needsBacktracking };
  }

  /** Python applies inline flag groups only at the very start: (?i), (?s), (?aiu)… */
  private leadingFlags(): void {
    for (;;) {
      const m = /^\(\?([aiLmsux]+)\)/.exec(this.src.slice(this.i));
      if (!m) return;
      for (const f of m[1]) {
        if (f === 's') this.dotAll = true;
        else if (f === 'm') this.multiline = true;
        else if (f === 'x')
          throw new PythonRegexError('verbose mode (?x) is not supported: write the pattern without spaces and # comments', this.i);
        else if (f === 'L') throw new PythonRegexError('locale mode (?L) is not supported', this.i);
        // i: matching is always case-insensitive; a, u: only change \w/\d/\s ranges (documented difference)
      }
      this.i += m[0].length;
    }
  }

  private alt(): Alt {
    const branches: Node[][] = [this.seq()];
    while (this.src[this.i] === '|') {
      this.i++;
      branches.push(this.seq());
    }
    return { type: 'alt', branches };
  }

  private seq(): Node[] {
    const out: Node[] = [];
    while (this.i < this.src.length) {
      const c = this.src[this.i];
      if (c === '|' || c === ')') break;
      const atom = this.atom();
      if (atom) out.push(this.quantified(atom));
    }
    return out;
  }

  private quantified(atom: Node): Node {
    const q = this.quantifier();
    if (!q) return atom;
    if (atom.type === 'assert') throw new PythonRegexError('nothing to repeat', q.at);
    let node: Node = { type: 'repeat', min: q.min, max: q.max, lazy: false, body: atom };
    if (this.src[this.i] === '?') {
      this.i++;
      node = { ...node, lazy: true };
    } else if (this.src[this.i] === '+') {
      throw new PythonRegexError('possessive quantifiers (*+, ++, ?+) are not supported', this.i);
    }
    if (this.quantifierAhead()) throw new PythonRegexError('multiple repeat', this.i);
    return node;
  }

  private quantifierAhead(): boolean {
    const c = this.src[this.i];
    return c === '*' || c === '+' || c === '?' || (c === '{' && this.braceQuantifier() !== null);
  }

  private braceQuantifier(): { min: number; max: number; len: number } | null {
    const m = QUANT.exec(this.src.slice(this.i));
    if (!m || (m[1] === '' && m[2] === undefined)) return null; // '{}' and '{x' are literal text in Python
    const min = m[1] === '' ? 0 : Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    return { min, max, len: m[0].length };
  }

  private quantifier(): { min: number; max: number; at: number } | null {
    const at = this.i;
    const c = this.src[at];
    if (c === '*') return (this.i++, { min: 0, max: Infinity, at });
    if (c === '+') return (this.i++, { min: 1, max: Infinity, at });
    if (c === '?') return (this.i++, { min: 0, max: 1, at });
    if (c !== '{') return null;
    const b = this.braceQuantifier();
    if (!b) return null;
    if (b.max < b.min) throw new PythonRegexError('min repeat greater than max repeat', at);
    this.i += b.len;
    return { min: b.min, max: b.max, at };
  }

  private atom(): Node | null {
    const at = this.i;
    const c = this.src[this.i++];
    switch (c) {
      case '(':
        return this.group(at);
      case '[':
        return this.set(at);
      case '.':
        return { type: 'any', dotAll: this.dotAll };
      case '^':
        return { type: 'assert', kind: this.multiline ? 'line-start' : 'start' };
      case '$':
        return { type: 'assert', kind: this.multiline ? 'line-end' : 'end' };
      case '\\':
        return this.escape(at);
      case '*':
      case '+':
      case '?':
        throw new PythonRegexError('nothing to repeat', at);
      case '{':
        this.i--;
        if (this.braceQuantifier()) throw new PythonRegexError('nothing to repeat', at);
        this.i++;
        return { type: 'char', ch: '{' };
      default:
        return { type: 'char', ch: this.surrogatePair(c) };
    }
  }

  private surrogatePair(c: string): string {
    const code = c.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdbff && this.i < this.src.length) {
      const next = this.src.charCodeAt(this.i);
      if (next >= 0xdc00 && next <= 0xdfff) return c + this.src[this.i++];
    }
    return c;
  }

  private group(at: number): Node | null {
    const rest = this.src.slice(this.i);
    if (rest[0] !== '?') return this.capture(at, undefined);
    let m: RegExpExecArray | null;
    if ((m = /^\?P<([^>]*)>/.exec(rest)) || (m = /^\?<([^>=!]*)>/.exec(rest))) {
      this.i += m[0].length;
      return this.capture(at, this.groupName(m[1], at));
    }
    if ((m = /^\?P=([^)]*)\)/.exec(rest))) {
      this.i += m[0].length;
      return this.namedRef(m[1], at);
    }
    if (rest.startsWith('?#')) {
      const end = this.src.indexOf(')', this.i);
      if (end < 0) throw new PythonRegexError('missing ), unterminated comment', at);
      this.i = end + 1;
      return null;
    }
    const looks: [string, GroupKind][] = [
      ['?:', 'noncapture'],
      ['?=', 'lookahead'],
      ['?!', 'neg-lookahead'],
      ['?<=', 'lookbehind'],
      ['?<!', 'neg-lookbehind'],
    ];
    for (const [prefix, kind] of looks) {
      if (!rest.startsWith(prefix)) continue;
      this.i += prefix.length;
      if (kind !== 'noncapture') this.needsBacktracking = true;
      return this.close({ type: 'group', kind, body: this.alt() }, at);
    }
    if (rest.startsWith('?>')) throw new PythonRegexError('atomic groups (?>...) are not supported', at);
    if (rest.startsWith('?(')) throw new PythonRegexError('conditional groups (?(id)yes|no) are not supported', at);
    if (rest.startsWith('?P>')) throw new PythonRegexError('recursion (?P>name) is not supported', at);
    if ((m = /^\?([aiLmsux]*)(?:-([imsx]+))?:/.exec(rest))) {
      // Scoped flags: only case-insensitivity (already global) and the \w-range flags can be honoured.
      const bad = (m[1] + (m[2] ?? '')).replace(/[aiu]/g, '');
      if (m[2]?.includes('i'))
        throw new PythonRegexError('case-sensitive sections (?-i:...) are not supported: all matching is case-insensitive', at);
      if (bad) throw new PythonRegexError(`scoped flag (?${bad}:...) is not supported`, at);
      this.i += m[0].length;
      return this.close({ type: 'group', kind: 'noncapture', body: this.alt() }, at);
    }
    if ((m = /^\?[aiu]+\)/.exec(rest))) {
      // Older Pythons applied mid-pattern flags to the whole pattern; these three change nothing here.
      this.i += m[0].length;
      return null;
    }
    if (/^\?[aiLmsux]+\)/.test(rest)) throw new PythonRegexError('global flags not at the start of the expression', at);
    throw new PythonRegexError(`unknown extension (${rest.slice(0, 3)}`, at);
  }

  private namedRef(name: string, at: number): Node {
    const n = this.names.get(name);
    if (n === undefined) throw new PythonRegexError(`unknown group name '${name}'`, at);
    if (!this.closed.has(n)) throw new PythonRegexError('cannot refer to an open group', at);
    this.needsBacktracking = true;
    return { type: 'backref', ref: name };
  }

  private groupName(name: string, at: number): string {
    if (!IDENT.test(name)) throw new PythonRegexError(`bad character in group name '${name}'`, at);
    if (this.names.has(name)) throw new PythonRegexError(`redefinition of group name '${name}'`, at);
    return name;
  }

  private capture(at: number, name: string | undefined): Node {
    const n = ++this.groups;
    if (name !== undefined) this.names.set(name, n);
    const node = this.close({ type: 'group', kind: 'capture', name, body: this.alt() }, at);
    this.closed.add(n);
    return node;
  }

  private close(node: Node, at: number): Node {
    if (this.src[this.i] !== ')') throw new PythonRegexError('missing ), unterminated subpattern', at);
    this.i++;
    return node;
  }

  private escape(at: number): Node {
    if (this.i >= this.src.length) throw new PythonRegexError('bad escape (end of pattern)', at);
    const c = this.src[this.i++];
    switch (c) {
      case 'A':
        return { type: 'assert', kind: 'start' };
      case 'Z':
      case 'z':
        return { type: 'assert', kind: 'end' };
      case 'b':
        return { type: 'assert', kind: 'word' };
      case 'B':
        return { type: 'assert', kind: 'non-word' };
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
        return { type: 'class', esc: c };
    }
    if (isDigit(c)) return this.digitEscape(c, at);
    if (c === 'k' && this.src[this.i] === '<') {
      // JS spelling of (?P=name), accepted like (?<name>...)
      const m = /^<([^>]*)>/.exec(this.src.slice(this.i));
      if (m) {
        this.i += m[0].length;
        return this.namedRef(m[1], at);
      }
    }
    const code = this.codeEscape(c, at);
    return { type: 'char', ch: String.fromCodePoint(code) };
  }

  /** Python's rule: \0 and three octal digits are octal; otherwise 1–2 digits are a group reference. */
  private digitEscape(first: string, at: number): Node {
    if (first === '0') return { type: 'char', ch: String.fromCharCode(this.octal('0', 2, at)) };
    let text = first;
    if (isDigit(this.src[this.i])) {
      text += this.src[this.i++];
      if (isOctal(text[0]) && isOctal(text[1]) && isOctal(this.src[this.i])) {
        text += this.src[this.i++];
        const v = parseInt(text, 8);
        if (v > 0o377) throw new PythonRegexError(`octal escape value \\${text} outside of range 0-0o377`, at);
        return { type: 'char', ch: String.fromCharCode(v) };
      }
    }
    const n = Number(text);
    if (n > this.groups) throw new PythonRegexError(`invalid group reference ${n}`, at);
    if (!this.closed.has(n)) throw new PythonRegexError('cannot refer to an open group', at);
    this.needsBacktracking = true;
    return { type: 'backref', ref: n };
  }

  private octal(first: string, more: number, at: number): number {
    let text = first;
    while (more-- > 0 && isOctal(this.src[this.i])) text += this.src[this.i++];
    const v = parseInt(text, 8);
    if (v > 0o377) throw new PythonRegexError(`octal escape value \\${text} outside of range 0-0o377`, at);
    return v;
  }

  /** Escapes that stand for one character, shared by the pattern and [sets]. */
  private codeEscape(c: string, at: number): number {
    if (c in CONTROL_ESCAPES) return CONTROL_ESCAPES[c];
    if (c === 'x') return this.hex(2, at, 'x');
    if (c === 'u') return this.hex(4, at, 'u');
    if (c === 'U') {
      const v = this.hex(8, at, 'U');
      if (v > 0x10ffff) throw new PythonRegexError(`bad escape \\U${v.toString(16)}`, at);
      return v;
    }
    if (c === 'N') throw new PythonRegexError('named character escapes \\N{...} are not supported', at);
    if (/[A-Za-z]/.test(c)) throw new PythonRegexError(`bad escape \\${c}`, at);
    return this.surrogatePair(c).codePointAt(0)!;
  }

  private hex(n: number, at: number, letter: string): number {
    const digits = this.src.slice(this.i, this.i + n);
    if (digits.length !== n || !HEX.test(digits)) throw new PythonRegexError(`incomplete escape \\${letter}${digits}`, at);
    this.i += n;
    return parseInt(digits, 16);
  }

  private set(at: number): Node {
    let negated = false;
    if (this.src[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const items: SetItem[] = [];
    const start = this.i;
    for (;;) {
      if (this.i >= this.src.length) throw new PythonRegexError('unterminated character set', at);
      if (this.src[this.i] === ']' && this.i !== start) {
        this.i++;
        return { type: 'set', negated, items };
      }
      const lo = this.setAtom(at);
      if (this.src[this.i] === '-' && this.i + 1 < this.src.length && this.src[this.i + 1] !== ']') {
        const dash = this.i++;
        const hi = this.setAtom(at);
        if (lo.type !== 'char' || hi.type !== 'char') throw new PythonRegexError('bad character range', dash);
        if (hi.code < lo.code) throw new PythonRegexError('bad character range', dash);
        items.push({ type: 'range', lo: lo.code, hi: hi.code });
      } else items.push(lo);
    }
  }

  private setAtom(at: number): SetItem {
    const c = this.src[this.i++];
    if (c !== '\\') return this.bmpItem(this.surrogatePair(c).codePointAt(0)!, at);
    if (this.i >= this.src.length) throw new PythonRegexError('unterminated character set', at);
    const e = this.src[this.i++];
    if ('dDwWsS'.includes(e)) return { type: 'class', esc: e as ClassEscape };
    if (e === 'b') return { type: 'char', code: 8 };
    if (isOctal(e)) return { type: 'char', code: this.octal(e, 2, at) };
    if (e === '8' || e === '9') throw new PythonRegexError(`bad escape \\${e}`, this.i - 2);
    return this.bmpItem(this.codeEscape(e, this.i - 2), at);
  }

  private bmpItem(code: number, at: number): SetItem {
    // JS sets without the u flag hold UTF-16 units: a pair would become two unrelated members.
    if (code > 0xffff) throw new PythonRegexError('characters outside the Basic Multilingual Plane are not supported inside [...]', at);
    return { type: 'char', code };
  }
}
