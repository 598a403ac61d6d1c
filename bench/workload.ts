// The benchmark's workload: a realistic rule set (bench/rules-engine.ts: contains / regex / OID rules), a pool of
// hosts with some development hosts and device teams for mutt_hosts, and events of 300–600 characters, syslog
// and traps, of which about 70 % are forwarded, 20 % handled as 'ignore' (audit only) and 10 % match no rule.
// What MUTT should do with each event is decided here with the alerter's own rule engine, so a run knows how
// many alerts the fake Moogsoft must receive before it is finished.
//   const w = buildWorkload(1000); const items = w.events(40_000, 'nats1'); items.filter((e) => e.forwarded).length

import type { KV } from '@nats-io/kv';
import { encodeTrusted } from '../protocol/codec.ts';
import { IngestEvent, type Varbind } from '../protocol/messages.ts';
import { hostKey, type Rule } from '../protocol/rules.ts';
import { subjects } from '../protocol/subjects.ts';
import { compileRules, type CompiledRuleSet } from '../actors/alerter/rules.ts';
import { isDevHost } from '../actors/alerter/environment.ts';
import { generateEvents, generateRules, prng } from './rules-engine.ts';

export type Outcome = 'forwarded' | 'ignored' | 'unmatched';

export interface BenchItem {
  id: string;
  kind: 'syslog' | 'trap';
  host: string;
  message: string;
  severity: number | null;
  trapOid?: string;
  agentAddress?: string;
  varbinds?: Varbind[];
  outcome: Outcome;
  forwarded: boolean;
}

export interface WorkloadMix {
  events: number;
  forwarded: number;
  ignored: number;
  unmatched: number;
  syslog: number;
  trap: number;
  /** Average message length (characters) and encoded sizes (bytes). */
  avgMessageChars: number;
  avgMsgpackBytes: number;
  avgHttpJsonBytes: number;
}

export interface Workload {
  rules: Rule[];
  ruleMix: { contains: number; regex: number; oid_prefix: number };
  hosts: string[];
  devHosts: string[];
  teams: [string, string][];
  /** `n` events with ids `${prefix}-${i}`, taken in turn from a pool of realistic events. */
  events(n: number, prefix: string): BenchItem[];
  mix(items: readonly BenchItem[]): WorkloadMix;
}

const ROLES = ['core-rtr', 'dist-sw', 'access-sw', 'edge-fw', 'wlc', 'lb', 'esx', 'ups', 'pdu', 'vpn'];
const SITES = ['dc1', 'dc2', 'campus', 'branch12', 'branch40', 'lab'];
const TEAMS = ['NetOps', 'NETO', 'Security', 'SysAdmin', 'Wireless'];

export function buildWorkload(ruleCount: number, opts: { seed?: number; poolSize?: number } = {}): Workload {
  const seed = opts.seed ?? 42;
  const poolSize = opts.poolSize ?? 40_000;
  const rules = generateRules(ruleCount, seed);
  // The generator makes a quarter of the rules 'ignore' in production; a fifth of those become tickets so the
  // mix comes out at about 70 / 20 / 10 % forwarded / ignore / unmatched, the mix the benchmark is specified for.
  rules.forEach((r, i) => {
    if (r.prod_handling === 'ignore' && i % 5 === 0) r.prod_handling = 'ticket_only';
  });
  const rnd = prng(seed + 7);
  const hosts: string[] = [];
  for (let i = 0; i < 400; i++)
    hosts.push(`${ROLES[i % ROLES.length]}-${String(i).padStart(3, '0')}.${SITES[i % SITES.length]}.example.com`);
  // 5 % development hosts, half of them listed by short name as operators do; 40 % of hosts with a device team.
  const devHosts = hosts.filter(() => rnd() < 0.05).map((h, i) => (i % 2 ? h.split('.')[0] : h));
  const teams = hosts.filter(() => rnd() < 0.4).map((h): [string, string] => [h, TEAMS[Math.floor(rnd() * TEAMS.length)]]);
  const devSet = new Set(devHosts.map((h) => h.toLowerCase()));
  const set: CompiledRuleSet = compileRules(rules);
  const ruleMix = { contains: 0, regex: 0, oid_prefix: 0 };
  for (const r of rules) ruleMix[r.match_type]++;

  // Generating realistic text is slow (~80 µs an event), so one pool is built and phases take turns through
  // it under fresh ids: the same base event gets the same host and outcome every time.
  const pool: Omit<BenchItem, 'id'>[] = [];
  const grow = (size: number) => {
    if (pool.length >= size) return;
    const generated = generateEvents(size - pool.length, rules, (seed + 1 + pool.length) >>> 0);
    const pick = prng(seed + 11 + pool.length);
    for (const g of generated) {
      const host = hosts[Math.floor(pick() * hosts.length)];
      const match = set.match(g);
      let outcome: Outcome = 'unmatched';
      if (match) {
        const decision = isDevHost(devSet, host) ? match.rule.dev_handling : match.rule.prod_handling;
        outcome = decision === 'ignore' ? 'ignored' : 'forwarded';
      }
      const base = { host, message: g.message, severity: g.severity, outcome, forwarded: outcome === 'forwarded' };
      if (!g.trapOid) {
        pool.push({ ...base, kind: 'syslog' });
        continue;
      }
      const ifIndex = 1 + Math.floor(pick() * 48);
      pool.push({
        ...base,
        kind: 'trap',
        trapOid: g.trapOid,
        agentAddress: `10.${Math.floor(pick() * 250)}.${Math.floor(pick() * 250)}.${1 + Math.floor(pick() * 250)}`,
        varbinds: [
          { oid: '.1.3.6.1.2.1.1.3.0', type: 'TimeTicks', value: Math.floor(pick() * 1e8) },
          { oid: '.1.3.6.1.6.3.1.1.4.1.0', type: 'OID', value: g.trapOid },
          { oid: `.1.3.6.1.2.1.2.2.1.1.${ifIndex}`, type: 'Integer', value: ifIndex },
        ],
      });
    }
  };
  let turn = 0;
  const events = (n: number, prefix: string): BenchItem[] => {
    grow(Math.min(n, poolSize));
    const offset = Math.floor((turn++ * pool.length) / 7);
    const out: BenchItem[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = { id: `${prefix}-${i}`, ...pool[(offset + i) % pool.length] };
    return out;
  };

  const mix = (items: readonly BenchItem[]): WorkloadMix => {
    const m: WorkloadMix = {
      events: items.length,
      forwarded: 0,
      ignored: 0,
      unmatched: 0,
      syslog: 0,
      trap: 0,
      avgMessageChars: 0,
      avgMsgpackBytes: 0,
      avgHttpJsonBytes: 0,
    };
    let chars = 0;
    let packed = 0;
    let json = 0;
    const now = Date.now();
    for (const it of items) {
      m[it.outcome]++;
      m[it.kind]++;
      chars += it.message.length;
      packed += encodeTrusted(toIngestEvent(it, now)).length;
      json += Buffer.byteLength(JSON.stringify(toHttpItem(it, now)));
    }
    const n = Math.max(1, items.length);
    return {
      ...m,
      avgMessageChars: Math.round(chars / n),
      avgMsgpackBytes: Math.round(packed / n),
      avgHttpJsonBytes: Math.round(json / n),
    };
  };

  return { rules, ruleMix, hosts, devHosts, teams, events, mix };
}

/** The event a NATS producer publishes (as the syslog / trap listeners would build it). */
export function toIngestEvent(it: BenchItem, receivedAt: number): IngestEvent {
  const base = {
    id: it.id,
    correlationId: it.id,
    host: it.host,
    message: it.message,
    severity: it.severity,
    time: receivedAt,
    receivedAt,
    source: { input: 'nats' as const },
  };
  if (it.kind === 'syslog') return { ...base, kind: 'syslog', parse: 'rfc3164', facility: 'local7' };
  return { ...base, kind: 'trap', version: 'v2c', trapOid: it.trapOid, agentAddress: it.agentAddress, varbinds: it.varbinds ?? [] };
}

/** The JSON object an HTTP sender posts to /api/v2/events. */
export function toHttpItem(it: BenchItem, time: number): Record<string, unknown> {
  const base = { id: it.id, kind: it.kind, host: it.host, message: it.message, severity: it.severity, time };
  if (it.kind === 'syslog') return { ...base, facility: 'local7' };
  return { ...base, trapOid: it.trapOid, version: 'v2c', agentAddress: it.agentAddress, varbinds: it.varbinds };
}

export interface EncodedEvent {
  subject: string;
  data: Uint8Array;
  id: string;
}

export function encodeForNats(it: BenchItem, receivedAt: number): EncodedEvent {
  return { subject: subjects.event(it.kind, it.host), data: encodeTrusted(toIngestEvent(it, receivedAt)), id: it.id };
}

/** Checks the generator's output against the message schema once, so a schema change fails loudly here. */
export function assertValidEvents(items: readonly BenchItem[]): void {
  for (const it of items.slice(0, 50)) IngestEvent.parse(toIngestEvent(it, Date.now()));
}

/** Stores the rules and hosts in their buckets (in parallel chunks: 1,000 sequential puts take seconds). */
export async function loadWorkload(w: Workload, rulesKv: KV, hostsKv: KV): Promise<void> {
  const puts: (() => Promise<unknown>)[] = [
    ...w.rules.map((r) => () => rulesKv.put(r.id, JSON.stringify(r))),
    ...w.devHosts.map((h) => () => hostsKv.put(hostKey('dev', h), JSON.stringify({ hostname: h, note: 'bench' }))),
    ...w.teams.map(
      ([h, t]) =>
        () =>
          hostsKv.put(hostKey('team', h), JSON.stringify({ hostname: h, team_assignment: t })),
    ),
  ];
  for (let i = 0; i < puts.length; i += 100) await Promise.all(puts.slice(i, i + 100).map((p) => p()));
}
