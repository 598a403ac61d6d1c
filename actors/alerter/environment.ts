// Is a host a development host, and which team owns it — matched the way operators write host names:
// case-insensitively, a trailing dot ignored, and a short name and its FQDN are the same host
// ('dev-router1' listed → 'DEV-ROUTER1.lab.example.com' is dev; 'dev-router1.lab.example.com' listed →
// 'dev-router1' is dev). Two different FQDNs are different hosts even when their short names agree, and IP
// addresses are only ever compared whole. v2.5 compared exact strings.
//   isDevHost(new Set(['dev-router1']), 'DEV-ROUTER1.lab.example.com') === true
//   teamForHost(new Map([['router1.prod.example.com', 'NetOps']]), 'ROUTER1') === 'NetOps'
//
// The lookup index is built once per Set/Map object and cached: replace the collection on change (as the KV
// watch does) rather than mutating it; a changed size also triggers a rebuild.

const AMBIGUOUS = Symbol('ambiguous');

interface HostIndex<V> {
  size: number;
  full: Map<string, V>;
  /** Short name of each listed FQDN → its value, or AMBIGUOUS when FQDNs sharing it disagree. */
  short: Map<string, V | typeof AMBIGUOUS>;
}

const indexes = new WeakMap<object, HostIndex<unknown>>();

export function isDevHost(devHosts: ReadonlySet<string>, host: string): boolean {
  if (devHosts.size === 0) return false;
  return lookup(indexFor(devHosts, () => [...devHosts].map((h) => [h, true] as const)), host) === true;
}

export function teamForHost(teams: ReadonlyMap<string, string>, host: string): string | undefined {
  if (teams.size === 0) return undefined;
  return lookup(indexFor(teams, () => [...teams.entries()]), host);
}

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

function indexFor<V>(collection: { size: number }, entries: () => (readonly [string, V])[]): HostIndex<V> {
  const cached = indexes.get(collection) as HostIndex<V> | undefined;
  if (cached && cached.size === collection.size) return cached;
  const index: HostIndex<V> = { size: collection.size, full: new Map(), short: new Map() };
  for (const [name, value] of entries()) {
    const h = normaliseHost(name);
    index.full.set(h, value);
    const s = shortHostName(h);
    if (s === null) continue;
    const seen = index.short.get(s);
    index.short.set(s, seen === undefined || seen === value ? value : AMBIGUOUS);
  }
  indexes.set(collection, index as HostIndex<unknown>);
  return index;
}

function lookup<V>(index: HostIndex<V>, host: string): V | undefined {
  const h = normaliseHost(host);
  const exact = index.full.get(h);
  if (exact !== undefined) return exact;
  const s = shortHostName(h);
  if (s !== null) return index.full.get(s); // FQDN event, short name listed
  if (h.includes(':') || h.includes('.')) return undefined;
  const viaFqdn = index.short.get(h); // short-name event, FQDN listed
  return viaFqdn === AMBIGUOUS ? undefined : viaFqdn;
}
