// A Map with a size cap and an entry lifetime, for per-message bookkeeping a process may never finish itself
// (with replicas, a message retried here can be finished by another process, and its entry would stay forever).
// Insertion order is age order, so both bounds evict from the front.
//   const m = new BoundedMap<number, string>({ max: 10_000, ttlMs: 86_400_000 }); m.set(seq, err); m.get(seq)

export class BoundedMap<K, V> {
  private readonly map = new Map<K, { value: V; at: number }>();

  constructor(private readonly opts: { max: number; ttlMs: number; now?: () => number }) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private evict(): void {
    const oldest = this.now() - this.opts.ttlMs;
    for (const [key, e] of this.map) {
      if (this.map.size <= this.opts.max && e.at > oldest) break;
      this.map.delete(key);
    }
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, { value, at: this.now() });
    this.evict();
  }

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.at <= this.now() - this.opts.ttlMs) {
      this.map.delete(key);
      return undefined;
    }
    return e.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  /** Drops every entry whose key `done` says is finished (e.g. at or below a consumer's ack floor). */
  prune(done: (key: K) => boolean): void {
    for (const key of this.map.keys()) if (done(key)) this.map.delete(key);
  }

  /** Entries held now, after dropping the expired ones. */
  get size(): number {
    this.evict();
    return this.map.size;
  }
}
