// Rule-engine throughput on one core: a deterministic (seeded) realistic rule set — about 60% contains, 25%
// regex, 15% oid_prefix, a tenth with a severity filter — against syslog lines and traps of 300–600 bytes of
// which about 10% match no rule. Prints events/s for 10, 100 and 1,000 rules (or up to --rules), and the load
// average: on a busy machine the figures are lower bounds.
//   npx tsx bench/rules-engine.ts [--rules 1000] [--events 200000] [--seed 42] [--passes 5]
//   import { benchRuleEngine, generateRules, generateEvents } from './rules-engine.ts'   // for the main benchmark

import { pathToFileURL } from 'node:url';
import { RuleInput, type Rule } from '../protocol/rules.ts';
import { compileRules, type MatchInput } from '../actors/alerter/rules.ts';

export interface BenchEvent extends MatchInput {
  host: string;
  /** The rule the generator aimed at (null: built to match nothing); the winner may differ by priority. */
  target: string | null;
}

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE_FACILITIES = [
  'LINEPROTO',
  'LINK',
  'BGP',
  'OSPF',
  'SPANTREE',
  'SYS',
  'PLATFORM',
  'ENVMON',
  'DOT1X',
  'AUTHMGR',
  'SEC_LOGIN',
  'CDP',
  'ILPOWER',
  'PM',
  'SW_MATM',
  'DUAL',
  'HSRP',
  'VRRP',
  'STACKMGR',
  'FAN',
  'PSU',
  'ASA',
  'CRYPTO',
  'IPSEC',
  'NTP',
  'SNMP',
  'SSH',
  'AAA',
  'RADIUS',
  'TACACS',
  'DHCPD',
  'ARP',
  'IP',
  'ISIS',
  'LDP',
  'MPLS',
  'PIM',
  'IGMP',
  'QOS',
  'FIB',
  'TCAM',
  'CTS',
  'MAB',
  'EPM',
  'LLDP',
  'UDLD',
  'ETHCNTR',
  'FMANFP',
  'IOSXE',
  'SMART_LIC',
  'PKI',
  'OSPFv3',
  'BFD',
  'NHRP',
  'EIGRP',
  'RIP',
  'WCCP',
  'NAT',
  'FW',
  'IDS',
];
/** Numbered variants (BGP, BGP2 … BGP9) give 600 facilities × 60 mnemonics: enough pairs for 10,000+ rules. */
const FACILITIES = ['', '2', '3', '4', '5', '6', '7', '8', '9', '10'].flatMap((n) => BASE_FACILITIES.map((f) => f + n));
const MNEMONICS = [
  'UPDOWN',
  'CHANGED',
  'ADJCHANGE',
  'NOTIFICATION',
  'ADJCHG',
  'LOOPGUARD_BLOCK',
  'CONFIG_I',
  'RESTART',
  'FAULT',
  'SHUTDOWN',
  'FAIL',
  'SUCCESS',
  'ERR_DISABLE',
  'DUPLEX_MISMATCH',
  'NATIVE_VLAN_MISMATCH',
  'MACFLAP_NOTIF',
  'PEER_DOWN',
  'NBRSTATE',
  'TIMEOUT',
  'OVERLOAD',
  'THRESHOLD',
  'RECOVERED',
  'INSERTED',
  'REMOVED',
  'DENIED',
  'AUTH_FAIL',
  'LOGIN_FAILED',
  'EXPIRED',
  'RELOAD',
  'CRASH',
  'HIGH_CPU',
  'LOW_MEMORY',
  'DISK_FULL',
  'FLAP',
  'DUPADDR',
  'BLOCKED',
  'UNBLOCKED',
  'LICENSE',
  'MISMATCH',
  'STATE_CHANGE',
  'DEGRADED',
  'OFFLINE',
  'ONLINE',
  'TRAP',
  'VIOLATION',
  'COLLISION',
  'RETRY',
  'DROP',
  'OVERRUN',
  'UNDERRUN',
  'INVALID',
  'MISSING',
  'STUCK',
  'LOST',
  'FOUND',
  'NEWROOT',
  'TOPOCHANGE',
  'INCONSISTENT',
  'REKEY',
  'SYNC',
];
const NOUNS = [
  'power supply',
  'fan tray',
  'temperature sensor',
  'license key',
  'certificate chain',
  'memory pool',
  'flash disk',
  'supervisor module',
  'line card',
  'optic transceiver',
  'battery unit',
  'cooling system',
  'backup job',
  'replication link',
  'quorum vote',
];
const VERBS = [
  'failure',
  'removed',
  'critical',
  'expired',
  'exhausted',
  'degraded',
  'overheated',
  'unreachable',
  'corrupted',
  'missing',
  'rejected',
  'stalled',
];
const FILLER = [
  'line',
  'protocol',
  'on',
  'interface',
  'changed',
  'state',
  'to',
  'from',
  'neighbor',
  'session',
  'vrf',
  'default',
  'bytes',
  'packets',
  'user',
  'admin',
  'src',
  'dst',
  'port',
  'vlan',
  'id',
  'process',
  'the',
  'was',
  'by',
  'reason',
  'hold',
  'timer',
  'expiry',
  'received',
  'sent',
  'with',
  'code',
  'subcode',
  'peer',
  'address',
  'area',
  'full',
  'dead',
  'loading',
  'exchange',
  'request',
  'completed',
  'seconds',
  'total',
  'active',
  'standby',
  'priority',
  'group',
  'member',
  'channel',
  'unit',
  'slot',
  'module',
  'status',
  'value',
  'level',
  'context',
  'policy',
  'rule',
  'matched',
  'tcp',
  'udp',
  'icmp',
  'flags',
  'len',
  'ttl',
  'seq',
  'ack',
  'win',
];
const IFACES = ['GigabitEthernet', 'TenGigabitEthernet', 'Gi', 'Te', 'Fa', 'Ethernet', 'ge-', 'xe-'];
const HOSTS = [
  'core-router-01.dc1.example.com',
  'edge-fw-02.edge.example.com',
  'dist-sw-03.dc1.example.com',
  'access-sw-14.campus.example.com',
  'wlc-01.campus.example.com',
  'esx-07.dc2.example.com',
  'lb-01.dc1.example.com',
  'router1.prod.example.com',
];
const ENTERPRISES = [
  '.1.3.6.1.4.1.9',
  '.1.3.6.1.4.1.2011',
  '.1.3.6.1.4.1.311',
  '.1.3.6.1.4.1.8072',
  '.1.3.6.1.4.1.232',
  '.1.3.6.1.4.1.14179',
  '.1.3.6.1.4.1.2636',
  '.1.3.6.1.4.1.12356',
  '.1.3.6.1.4.1.25461',
  '.1.3.6.1.2.1',
];
/** Traps under this enterprise match no generated rule. */
const UNMATCHED_ENTERPRISE = '.1.3.6.1.4.1.99999';

type Shape = 'neighbor' | 'sevclass' | 'updown' | 'iface' | 'named' | 'nolit';

interface GenInfo {
  fac?: string;
  mnem?: string;
  sev?: number;
  phrase?: string;
  shape?: Shape;
  oid?: string;
}

/** Rules plus what the event generator needs to hit each one (kept apart from the Rule objects). */
const genInfo = new WeakMap<Rule, GenInfo>();

export function generateRules(n: number, seed = 42): Rule[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const usedTriples = new Set<string>();
  const usedPairs = new Set<string>();
  const usedPhrases = new Set<string>();
  const usedOids = new Set<string>();
  const rules: Rule[] = [];
  for (let i = 0; i < n; i++) {
    const id = `r${String(i).padStart(5, '0')}`;
    const roll = rnd();
    const base = {
      id,
      priority: 1 + Math.floor(rnd() * 500),
      prod_handling: pick(['page_and_ticket', 'ticket_only', 'page_only', 'ignore']),
      dev_handling: pick(['ticket_only', 'ignore']),
      team_assignment: pick(['NETO', 'NetOps', 'Security', 'SysAdmin']),
      syslog_severity: rnd() < 0.1 ? Math.floor(rnd() * 8) : null,
    };
    let info: GenInfo;
    let raw: Record<string, unknown>;
    if (roll < 0.6) {
      if (rnd() < 0.15 && usedPhrases.size < NOUNS.length * VERBS.length) {
        let phrase: string;
        do phrase = `${pick(NOUNS)} ${pick(VERBS)}`;
        while (usedPhrases.has(phrase));
        usedPhrases.add(phrase);
        info = { phrase };
        raw = { ...base, match_type: 'contains', match_string: phrase.replace(/^\w/, (c) => c.toUpperCase()) };
      } else {
        let fac: string, mnem: string, sev: number;
        do [fac, mnem, sev] = [pick(FACILITIES), pick(MNEMONICS), Math.floor(rnd() * 8)];
        while (usedTriples.has(`${fac}-${sev}-${mnem}`) || usedPairs.has(`${fac}-${mnem}`));
        usedTriples.add(`${fac}-${sev}-${mnem}`);
        usedPairs.add(`${fac}-${mnem}`);
        info = { fac, mnem, sev };
        raw = { ...base, match_type: 'contains', match_string: `%${fac}-${sev}-${mnem}` };
      }
    } else if (roll < 0.85) {
      let fac: string, mnem: string;
      do [fac, mnem] = [pick(FACILITIES), pick(MNEMONICS)];
      while (usedPairs.has(`${fac}-${mnem}`));
      usedPairs.add(`${fac}-${mnem}`);
      const shape: Shape = rnd() < 0.02 ? 'nolit' : pick(['neighbor', 'sevclass', 'updown', 'iface', 'named'] as const);
      const pattern = {
        neighbor: `%${fac}-\\d-${mnem}: .*(?:neighbor|peer) (\\d{1,3}\\.){3}\\d{1,3}`,
        sevclass: `%${fac}-[0-4]-${mnem}\\b`,
        updown: `${fac}-\\d-${mnem}:.*\\b(up|down)\\b`,
        iface: `%${fac}-\\d-${mnem}: Interface (Gi|Te|Fa|GigabitEthernet)\\d+/\\d+(/\\d+)?`,
        named: `(?P<fac>${fac})-(?P<sev>\\d)-${mnem}`,
        nolit: `^\\S+ \\S+ \\d+: %\\w+-[0-${1 + (i % 3)}]-\\w+:${'.'.repeat(i % 4)}`,
      }[shape];
      info = { fac, mnem, shape };
      raw = { ...base, match_type: 'regex', match_string: pattern };
    } else {
      let oid: string;
      do
        oid = `${pick(ENTERPRISES)}.${1 + Math.floor(rnd() * 20)}.${1 + Math.floor(rnd() * 50)}${rnd() < 0.5 ? `.${1 + Math.floor(rnd() * 10)}` : ''}`;
      while (usedOids.has(oid));
      usedOids.add(oid);
      info = { oid };
      raw = { ...base, match_type: 'oid_prefix', trap_oid: oid };
    }
    const rule = RuleInput.parse(raw);
    genInfo.set(rule, info);
    rules.push(rule);
  }
  return rules;
}

export function generateEvents(n: number, rules: readonly Rule[], seed = 43): BenchEvent[] {
  const rnd = prng(seed);
  const int = (k: number) => Math.floor(rnd() * k);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const ip = () => `10.${int(256)}.${int(256)}.${int(256)}`;
  const iface = () => {
    const p = pick(IFACES);
    return p.endsWith('-') ? `${p}${int(2)}/${int(4)}/${int(48)}` : `${p}${int(4)}/${int(2)}/${int(48)}`;
  };
  const stamp = () =>
    `Nov ${1 + int(28)} ${String(int(24)).padStart(2, '0')}:${String(int(60)).padStart(2, '0')}:${String(int(60)).padStart(2, '0')}`;
  const usedPairs = new Set(
    rules
      .map((r) => genInfo.get(r))
      .filter((g) => g?.fac)
      .map((g) => `${g!.fac}-${g!.mnem}`),
  );
  // Array#join gives a flat string, as a decoder does (built with +=, a message would be a rope until first read).
  const pad = (head: string, target: number) => {
    const parts = [head];
    let len = head.length;
    while (len < target) {
      const r = rnd();
      const w = r < 0.1 ? ip() : r < 0.2 ? String(int(100000)) : r < 0.25 ? iface() : pick(FILLER);
      parts.push(w);
      len += w.length + 1;
    }
    return parts.join(' ');
  };
  const syslog = (core: string) => pad(`${stamp()} ${pick(HOSTS)} ${int(1_000_000)}: ${core}`, 300 + int(300));
  const out: BenchEvent[] = [];
  for (let i = 0; i < n; i++) {
    const host = pick(HOSTS);
    if (rnd() < 0.1 || rules.length === 0) {
      // Built to match nothing: an unused FACILITY-MNEMONIC pair, or a trap under an enterprise no rule names.
      if (rnd() < 0.2) {
        out.push({
          host,
          target: null,
          severity: int(8),
          trapOid: `${UNMATCHED_ENTERPRISE}.${int(9)}.${int(9)}`,
          message: pad(`${ip()} ${UNMATCHED_ENTERPRISE}.${int(9)} ifIndex=${int(64)} ifAdminStatus=1 ifOperStatus=2`, 300 + int(300)),
        });
        continue;
      }
      let fac: string, mnem: string;
      do [fac, mnem] = [pick(FACILITIES), pick(MNEMONICS)];
      while (usedPairs.has(`${fac}-${mnem}`));
      out.push({
        host,
        target: null,
        severity: int(8),
        message: syslog(`%${fac}-${5 + int(3)}-${mnem}: ${pick(FILLER)} ${iface()} ${pick(FILLER)}`),
      });
      continue;
    }
    const rule = pick(rules);
    const g = genInfo.get(rule) ?? {};
    const severity = rule.syslog_severity ?? int(8);
    const base = { host, target: rule.id, severity };
    if (rule.match_type === 'oid_prefix') {
      const oid = `${g.oid}.${int(5)}.${int(5)}`;
      out.push({
        ...base,
        trapOid: oid,
        message: pad(`${ip()} ${oid} ifIndex=${int(64)} ifAdminStatus=1 ifOperStatus=2 sysUpTime=${int(1e7)}`, 300 + int(300)),
      });
    } else if (g.phrase) {
      out.push({ ...base, message: syslog(`${pick(FILLER)} ${g.phrase.toUpperCase()} on ${pick(FILLER)} ${int(8)}`) });
    } else if (rule.match_type === 'contains') {
      out.push({ ...base, message: syslog(`%${g.fac}-${g.sev}-${g.mnem}: ${pick(FILLER)} ${iface()} ${pick(FILLER)} ${pick(FILLER)}`) });
    } else {
      const core = {
        neighbor: `%${g.fac}-${int(8)}-${g.mnem}: ${pick(FILLER)} neighbor ${ip()} ${pick(FILLER)}`,
        sevclass: `%${g.fac}-${int(5)}-${g.mnem}: ${pick(FILLER)} ${pick(FILLER)}`,
        updown: `%${g.fac}-${int(8)}-${g.mnem}: ${iface()} ${pick(FILLER)} ${pick(['up', 'down'])} ${pick(FILLER)}`,
        iface: `%${g.fac}-${int(8)}-${g.mnem}: Interface Gi${int(4)}/${int(48)} ${pick(FILLER)}`,
        named: `%${g.fac}-${int(8)}-${g.mnem}: ${pick(FILLER)} ${pick(FILLER)}`,
        nolit: `%${g.fac}-${int(2)}-${g.mnem}: ${pick(FILLER)}`,
      }[g.shape ?? 'named'];
      out.push({ ...base, message: syslog(core) });
    }
  }
  return out;
}

export interface BenchResult {
  rules: number;
  /** Events per second on one thread: each slice of events timed on its fastest pass (see benchRuleEngine). */
  eventsPerSec: number;
  /** Median whole pass (shows how much other load on the machine disturbed the run). */
  medianEventsPerSec: number;
  /** Share of events some rule matched (the generator aims at ~90%). */
  matched: number;
  nsPerEvent: number;
}

const SLICE = 10_000;

/**
 * Each size: compile, one warm-up pass, then `passes` timed passes over the same events in slices of 10,000.
 * On a shared machine other processes only ever make a slice slower, so each slice counts with its fastest
 * pass; the median whole pass is reported beside it.
 */
export async function benchRuleEngine(sizes: number[], events: number, seed = 42, passes = 5): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const size of sizes) {
    const rules = generateRules(size, seed);
    const evs = generateEvents(events, rules, seed + 1);
    const set = compileRules(rules);
    for (let i = 0; i < evs.length; i++) set.match(evs[i]); // warm-up pass: JIT and caches
    const slices = Math.ceil(evs.length / SLICE);
    const best = new Array<number>(slices).fill(Infinity);
    const wholes: number[] = [];
    let matched = 0;
    for (let p = 0; p < passes; p++) {
      await new Promise((r) => setImmediate(r));
      matched = 0;
      let whole = 0;
      for (let k = 0; k < slices; k++) {
        const end = Math.min(evs.length, (k + 1) * SLICE);
        const t0 = process.hrtime.bigint();
        for (let i = k * SLICE; i < end; i++) if (set.match(evs[i]) !== null) matched++;
        const ns = Number(process.hrtime.bigint() - t0);
        whole += ns;
        if (ns < best[k]) best[k] = ns;
      }
      wholes.push(whole);
    }
    wholes.sort((a, b) => a - b);
    const bestNs = best.reduce((a, b) => a + b, 0);
    const rate = (ns: number) => Math.round((evs.length / ns) * 1e9);
    results.push({
      rules: size,
      eventsPerSec: rate(bestNs),
      medianEventsPerSec: rate(wholes[wholes.length >> 1]),
      matched: matched / evs.length,
      nsPerEvent: Math.round(bestNs / evs.length),
    });
  }
  return results;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const maxRules = arg('rules', 1000);
  const events = arg('events', 200_000);
  const seed = arg('seed', 42);
  const passes = arg('passes', 5);
  const sizes = [...[10, 100, 1000].filter((s) => s < maxRules), maxRules];
  const sample = generateEvents(2000, generateRules(maxRules, seed), seed + 1);
  const avgLen = Math.round(sample.reduce((a, e) => a + e.message.length, 0) / sample.length);
  const { loadavg } = await import('node:os');
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `rule engine, one core: ${events} events per size (avg ${avgLen} chars, ~10% built to match nothing), seed ${seed}, fastest of ${passes} passes per slice`,
  );
  for (const r of await benchRuleEngine(sizes, events, seed, passes)) {
    console.log(
      `${String(r.rules).padStart(6)} rules  ${r.eventsPerSec.toLocaleString('en-US').padStart(10)} events/s  ${String(r.nsPerEvent).padStart(6)} ns/event  (median pass ${r.medianEventsPerSec.toLocaleString('en-US')}/s)  matched ${(r.matched * 100).toFixed(1)}%`,
    );
  }
}
