// Is a host a development host, and which team owns it — matched the way operators write host names:
// case-insensitively, a trailing dot ignored, and a short name and its FQDN are the same host
// ('dev-router1' listed → 'DEV-ROUTER1.lab.example.com' is dev; 'dev-router1.lab.example.com' listed →
// 'dev-router1' is dev). Two different FQDNs are different hosts even when their short names agree, and IP
// addresses are only ever compared whole. v2.5 compared exact strings. The matching itself is HostIndex's
// (host-index.ts); the alerter keeps such indexes current entry by entry (live-hosts.ts), and the rule tester
// builds one from the few entries that can match (HostMapService.lookup). These two functions serve callers
// holding a plain Set / Map (the workload benchmark, the matching tests).
//   isDevHost(new Set(['dev-router1']), 'DEV-ROUTER1.lab.example.com') === true
//   teamForHost(new Map([['router1.prod.example.com', 'NetOps']]), 'ROUTER1') === 'NetOps'
//
// The index of a Set/Map is built once per object and cached: replace the collection on change rather than
// mutating it; a changed size also triggers a rebuild.

import { HostIndex } from './host-index.ts';

export { normaliseHost, shortHostName } from './host-index.ts';

const indexes = new WeakMap<object, { size: number; index: HostIndex<unknown> }>();

export function isDevHost(devHosts: ReadonlySet<string>, host: string): boolean {
  if (devHosts.size === 0) return false;
  return indexFor(devHosts, () => [...devHosts].map((h) => [h, true] as const)).get(host) === true;
}

export function teamForHost(teams: ReadonlyMap<string, string>, host: string): string | undefined {
  if (teams.size === 0) return undefined;
  return indexFor(teams, () => [...teams.entries()]).get(host);
}

function indexFor<V>(collection: { size: number }, entries: () => (readonly [string, V])[]): HostIndex<V> {
  const cached = indexes.get(collection);
  if (cached && cached.size === collection.size) return cached.index as HostIndex<V>;
  const index = new HostIndex<V>();
  for (const [name, value] of entries()) index.set(name, value);
  indexes.set(collection, { size: collection.size, index });
  return index;
}
