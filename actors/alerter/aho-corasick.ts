// Finds every occurrence of many strings in one pass over a text: the alerter scans each message once for all
// `contains` strings and all regex prefilter literals together, instead of 600+ includes() calls.
// A dense DFA (goto with failure links folded in) over the alphabet actually used by the patterns; characters
// that appear in no pattern share one column. Patterns are lower-case and the scan is case-insensitive without
// lower-casing the text first: A–Z share the columns of a–z, and a character whose lower-case form differs
// outside ASCII makes scan() report 'lowercase' so the caller rescans text.toLowerCase() (exactly the same
// semantics, and syslog is almost always ASCII). Each pattern carries a value (the rule's rank); a state's
// values are sorted ascending so the caller can stop at the first rank that cannot win.
//   const ac = AhoCorasick.build([{ pattern: 'link-down', value: 0 }, { pattern: 'down', value: 3 }]);
//   ac.scan('%LINK-DOWN', (vals, from, to) => { for (let k = from; k < to; k++) hits.push(vals[k]); return true; });

export interface PatternEntry {
  pattern: string;
  value: number;
}

/** Called where one or more patterns end; values[from..to) ascending. Return false to stop scanning. */
export type HitVisitor = (values: Int32Array, from: number, to: number) => boolean;

/** 'lowercase': the text has a character only toLowerCase() folds correctly; scan text.toLowerCase() instead. */
export type ScanResult = 'done' | 'stopped' | 'lowercase';

/** In delta: the column of characters that need real lower-casing. */
const FOLD = -0x80000000;

export class AhoCorasick {
  private constructor(
    /** charCode → column for raw text: 0 = in no pattern; A–Z share a–z's columns; the fold column. */
    private readonly columns: Uint16Array,
    /** charCode → column for already lower-cased text (no fold column). */
    private readonly loweredColumns: Uint16Array,
    /** (state * width + column) → next state's row offset, or -(offset + 1) when that state has outputs. */
    private readonly delta: Int32Array,
    private readonly width: number,
    private readonly outStart: Int32Array,
    private readonly outEnd: Int32Array,
    private readonly outValues: Int32Array,
    readonly states: number,
  ) {}

  /** Patterns must be lower-case (String#toLowerCase). */
  static build(entries: readonly PatternEntry[]): AhoCorasick {
    const columns = new Uint16Array(65536);
    let width = 1;
    for (const { pattern } of entries) {
      for (let i = 0; i < pattern.length; i++) {
        const c = pattern.charCodeAt(i);
        if (columns[c] === 0) columns[c] = width++;
      }
    }
    // The trie uses the patterns' own columns; raw text also maps A–Z to a–z and flags characters to fold.
    const loweredColumns = columns.slice();
    for (let c = 65; c <= 90; c++) columns[c] = columns[c + 32];
    const foldColumn = width++;
    const fold = needsFolding();
    for (let c = 128; c < 65536; c++) if (fold[c] === 1) columns[c] = foldColumn;
    // Trie
    const children: Map<number, number>[] = [new Map()];
    const own: number[][] = [[]];
    for (const { pattern, value } of entries) {
      if (pattern.length === 0) throw new RangeError('empty pattern');
      let s = 0;
      for (let i = 0; i < pattern.length; i++) {
        const col = loweredColumns[pattern.charCodeAt(i)];
        let t = children[s].get(col);
        if (t === undefined) {
          t = children.length;
          children.push(new Map());
          own.push([]);
          children[s].set(col, t);
        }
        s = t;
      }
      own[s].push(value);
    }
    const states = children.length;
    const next = new Int32Array(states * width); // plain state ids while building
    const fail = new Int32Array(states);
    const outputs: number[][] = new Array(states);
    outputs[0] = [];
    const queue: number[] = [0];
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi];
      // A state without its own patterns shares its failure state's list (most states: no copy).
      if (s !== 0) outputs[s] = own[s].length === 0 ? outputs[fail[s]] : [...own[s], ...outputs[fail[s]]];
      for (let col = 0; col < width; col++) {
        const child = children[s].get(col);
        if (child !== undefined) {
          fail[child] = s === 0 ? 0 : next[fail[s] * width + col];
          next[s * width + col] = child;
          queue.push(child);
        } else next[s * width + col] = s === 0 ? 0 : next[fail[s] * width + col];
      }
    }
    const outStart = new Int32Array(states);
    const outEnd = new Int32Array(states);
    const flat: number[] = [];
    const packed = new Map<number[], [number, number]>();
    for (let s = 0; s < states; s++) {
      let at = packed.get(outputs[s]);
      if (!at) {
        const vals = [...new Set(outputs[s])].sort((a, b) => a - b);
        at = [flat.length, flat.length + vals.length];
        for (const v of vals) flat.push(v);
        packed.set(outputs[s], at);
      }
      outStart[s] = at[0];
      outEnd[s] = at[1];
    }
    const delta = new Int32Array(states * width);
    for (let i = 0; i < delta.length; i++) {
      const t = next[i];
      delta[i] = i % width === foldColumn ? FOLD : outEnd[t] > outStart[t] ? -(t * width) - 1 : t * width;
    }
    return new AhoCorasick(columns, loweredColumns, delta, width, outStart, outEnd, Int32Array.from(flat), states);
  }

  /** `lowered`: the text is already toLowerCase()d; nothing needs folding, characters map to their own columns. */
  scan(text: string, visit: HitVisitor, lowered = false): ScanResult {
    const delta = this.delta;
    const columns = lowered ? this.loweredColumns : this.columns;
    let row = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      const v = delta[row + columns[text.charCodeAt(i)]];
      if (v >= 0) {
        row = v;
        continue;
      }
      if (v === FOLD) return 'lowercase';
      row = -v - 1;
      const s = row / this.width;
      if (!visit(this.outValues, this.outStart[s], this.outEnd[s])) return 'stopped';
    }
    return 'done';
  }
}

let foldTable: Uint8Array | undefined;

/** 1 for code units whose lower-case form only String#toLowerCase gets right: non-ASCII capitals, surrogates. */
function needsFolding(): Uint8Array {
  if (foldTable) return foldTable;
  foldTable = new Uint8Array(65536);
  for (let c = 128; c < 65536; c++) {
    // Surrogates: the pair, not the unit, decides the lower-case form.
    if ((c >= 0xd800 && c <= 0xdfff) || String.fromCharCode(c).toLowerCase() !== String.fromCharCode(c)) foldTable[c] = 1;
  }
  return foldTable;
}
