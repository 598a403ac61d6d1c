// The oid_prefix rules keyed by OID component, so a trap's OID finds every rule whose prefix it falls under
// by walking its own components once (whole components only: '.1.3.6.1.2' is not a prefix of '.1.3.6.1.25').
// Values are rule ranks, ascending per node.
//   const t = new OidTrie(); t.add('.1.3.6.1.4.1.9', 7); t.seal();
//   t.visit('.1.3.6.1.4.1.9.9.41.2.0.1', (ranks) => { console.log(ranks); return true; })   // [7]

interface TrieNode {
  children: Map<string, TrieNode>;
  values: number[];
}

export class OidTrie {
  private readonly root: TrieNode = { children: new Map(), values: [] };
  size = 0;

  /** prefix: normalised OID ('.1.3.6…'). */
  add(prefix: string, value: number): void {
    let node = this.root;
    for (const comp of prefix.split('.').slice(1)) {
      let child = node.children.get(comp);
      if (!child) {
        child = { children: new Map(), values: [] };
        node.children.set(comp, child);
      }
      node = child;
    }
    node.values.push(value);
    this.size++;
  }

  seal(): this {
    const stack = [this.root];
    while (stack.length) {
      const n = stack.pop()!;
      n.values.sort((a, b) => a - b);
      stack.push(...n.children.values());
    }
    return this;
  }

  /** Visits the values of every prefix of `oid` (normalised), shortest first; stop by returning false. */
  visit(oid: string, fn: (values: readonly number[]) => boolean): void {
    let node = this.root;
    let start = 1;
    for (;;) {
      const dot = oid.indexOf('.', start);
      const child = node.children.get(dot < 0 ? oid.slice(start) : oid.slice(start, dot));
      if (!child) return;
      node = child;
      if (node.values.length > 0 && !fn(node.values)) return;
      if (dot < 0) return;
      start = dot + 1;
    }
  }
}
