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

export class HostIndex<V> {
  private readonly full = new Map<string, V>();
  /** Short name of each listed FQDN → the values of the FQDNs sharing it, with how many have each: one value
   *  answers a short-name lookup, several make it ambiguous (no answer). Counts let delete() undo a set(). */
  private readonly short = new Map<string, Map<V, number>>();

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
    let values = this.short.get(s);
    if (!values) this.short.set(s, (values = new Map()));
    values.set(value, (values.get(value) ?? 0) + 1);
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
    const values = s === null ? undefined : this.short.get(s);
    if (!values) return;
    const n = (values.get(value) ?? 0) - 1;
    if (n > 0) values.set(value, n);
    else values.delete(value);
    if (values.size === 0) this.short.delete(s!);
  }

  /** The value for an event's host: exact name, else its short name listed, else the one FQDN listed for it. */
  get(host: string): V | undefined {
    const h = normaliseHost(host);
    const exact = this.full.get(h);
    if (exact !== undefined) return exact;
    const s = shortHostName(h);
    if (s !== null) return this.full.get(s); // FQDN event, short name listed
    if (h.includes(':') || h.includes('.')) return undefined;
    const values = this.short.get(h); // short-name event, FQDN listed
    if (!values || values.size !== 1) return undefined;
    return values.keys().next().value;
  }
}
