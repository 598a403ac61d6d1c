// Host names → a value (a team, or "is a development host"), matched the way environment.ts describes, and
// updated one entry at a time: a change to one of 200,000 device teams costs one set() or delete(), not a
// rebuild of the whole index.
//   const teams = new HostIndex<string>(); teams.set('router1.prod.example.com', 'NetOps'); teams.get('ROUTER1') === 'NetOps'

/** Lower-case, trimmed, without a trailing dot. */
export function normaliseHost(host: string): string {
  const h = host.trim().toLowerCase();
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** 'router1.example.com' → 'router1'; null for a name without a dot or an IP address. */
export function shortHostName(normalised: string): string | null {
  const dot = normalised.indexOf('.');
  if (dot <= 0 || normalised.includes(':') || /^\d+(\.\d+){3}$/.test(normalised)) return null;
  return normalised.slice(0, dot);
}

/** Values of the several FQDNs sharing one short name, with how many FQDNs have each. */
class Tally<V> {
  readonly counts = new Map<V, number>();
  total = 0;
}

export class HostIndex<V> {
  private readonly full = new Map<string, V>();
  /** Short name of each listed FQDN → the value of the one FQDN having it, or a Tally when several share it:
   *  one value answers a short-name lookup, several make it ambiguous (no answer); counts let delete() undo a
   *  set(). Most short names belong to one FQDN, so the common case holds the value itself rather than a
   *  collection per name: the index must fit 200,000 teams in `mutt up`'s 128 MB heap (docs/PERFORMANCE.md). */
  private readonly short = new Map<string, V | Tally<V>>();

  get size(): number {
    return this.full.size;
  }

  /** Adds or replaces the entry of `name` (any case, trailing dot ignored). */
  set(name: string, value: V): void {
    const h = normaliseHost(name);
    const previous = this.full.get(h);
    if (previous !== undefined) this.forgetShort(h, previous);
    this.full.set(h, value);
    const s = shortHostName(h);
    if (s === null) return;
    const seen = this.short.get(s);
    if (seen === undefined) return void this.short.set(s, value);
    let tally: Tally<V>;
    if (seen instanceof Tally) tally = seen;
    else {
      tally = new Tally<V>();
      tally.counts.set(seen, 1);
      tally.total = 1;
      this.short.set(s, tally);
    }
    tally.counts.set(value, (tally.counts.get(value) ?? 0) + 1);
    tally.total++;
  }

  delete(name: string): void {
    const h = normaliseHost(name);
    const previous = this.full.get(h);
    if (previous === undefined) return;
    this.full.delete(h);
    this.forgetShort(h, previous);
  }

  private forgetShort(h: string, value: V): void {
    const s = shortHostName(h);
    if (s === null) return;
    const seen = this.short.get(s);
    if (seen === undefined) return;
    if (!(seen instanceof Tally)) return void this.short.delete(s);
    const n = (seen.counts.get(value) ?? 0) - 1;
    if (n > 0) seen.counts.set(value, n);
    else seen.counts.delete(value);
    seen.total--;
    if (seen.total === 1) this.short.set(s, seen.counts.keys().next().value as V);
  }

  /** The value for an event's host: exact name, else its short name listed, else the one FQDN listed for it. */
  get(host: string): V | undefined {
    const h = normaliseHost(host);
    const exact = this.full.get(h);
    if (exact !== undefined) return exact;
    const s = shortHostName(h);
    if (s !== null) return this.full.get(s); // FQDN event, short name listed
    if (h.includes(':') || h.includes('.')) return undefined;
    const seen = this.short.get(h); // short-name event, FQDN listed
    if (!(seen instanceof Tally)) return seen;
    return seen.counts.size === 1 ? (seen.counts.keys().next().value as V) : undefined;
  }
}
