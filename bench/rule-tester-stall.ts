// Does the rule tester stall the process? Sends the worst rule test a read key can send to a shipped `mutt up`
// (npm start's flags, tests/helpers/shipped.ts) and polls /healthz one request after another while it runs;
// prints the tester's duration and answer, and the /healthz latencies seen meanwhile. Repeatable: each run
// starts its own process, nats-server and fake Moogsoft.
//   node --import tsx bench/rule-tester-stall.ts [--runs 3]
//
// The worst case (docs/RULES.md, "Rule tester limits"): the most proposed rules a test takes, made of the most
// new patterns it analyses, each a slow-but-accepted regex (a*a*b is cubic; recheck accepts it because V8's
// linear-time fallback and the 4,096-character subject cap bound it, yet one test on 4,096 'a's takes ~1.5 s),
// and a message that makes every one of them slow.

import { pathToFileURL } from 'node:url';
import { RULE_TEST_LIMITS } from '../gateway/services/rule-test-limits.ts';
import { startShipped, SHIPPED_ADMIN_KEY, type Shipped } from '../tests/helpers/shipped.ts';

export const READ_KEY = 'Viewer-read-Key-0123456789abcdefXYZ';

/** Environment for startShipped(): the shipped admin key plus a read-only key. */
export const READ_KEY_ENV = { MUTT_API_KEYS: `ops:ingest+read+admin:${SHIPPED_ADMIN_KEY},viewer:read:${READ_KEY}` };

/** maxProposedRules rules over maxNewPatterns distinct slow patterns, and a message on which each is slow. */
export function worstTesterRequest(distinct: number = RULE_TEST_LIMITS.maxNewPatterns): {
  message: string;
  host: string;
  rules: Record<string, unknown>[];
} {
  const patterns = Array.from({ length: distinct }, (_, i) => `a*a*b{${i + 1}}`);
  const rules = Array.from({ length: RULE_TEST_LIMITS.maxProposedRules }, (_, i) => ({
    id: `slow-${i}`,
    match_type: 'regex',
    match_string: patterns[i % patterns.length],
    priority: i,
    prod_handling: 'page_and_ticket',
    dev_handling: 'ticket_only',
    team_assignment: 'NETO',
  }));
  return { message: 'a'.repeat(60_000), host: 'core-sw1', rules };
}

export interface StallRun {
  testerStatus: number;
  /** The 4xx answer's message and first issue, if refused. */
  refusal: string | null;
  testerMs: number;
  complete: boolean | null;
  skipped: number | null;
  healthz: number[];
  healthzStatuses: number[];
}

/**
 * Sends the worst tester request (or `body`) and polls /healthz, one request after another, until it answers.
 * A /healthz poll that has no answer after `pollTimeoutMs` throws (the loop is stalled, or the process gone).
 */
export async function measureStall(
  m: Shipped,
  distinct?: number,
  opts: { body?: unknown; pollTimeoutMs?: number } = {},
): Promise<StallRun> {
  let done = false;
  const healthz: number[] = [];
  const healthzStatuses: number[] = [];
  const poll = (async () => {
    while (!done) {
      const t0 = performance.now();
      const limit = opts.pollTimeoutMs ?? 60_000;
      const r = await fetch(`${m.url}/healthz`, { signal: AbortSignal.timeout(limit) }).catch((err: Error) => {
        throw new Error(`/healthz had no answer within ${limit} ms while the rule test ran (poll ${healthz.length + 1}): ${err.message}`);
      });
      await r.arrayBuffer();
      healthz.push(performance.now() - t0);
      healthzStatuses.push(r.status);
    }
  })();
  const t0 = performance.now();
  const tester = (async () => {
    const r = await fetch(`${m.url}/api/v2/rules/test`, {
      method: 'POST',
      headers: { 'x-api-key': READ_KEY, 'content-type': 'application/json' },
      body: JSON.stringify(opts.body ?? worstTesterRequest(distinct)),
    });
    return {
      r,
      body: (await r.json()) as { complete?: boolean; skipped_rules?: number; message?: string; issues?: unknown[] },
      ms: performance.now() - t0,
    };
  })();
  tester.catch(() => undefined);
  // A poll that fails (no answer in time) fails the measurement at once, not after the tester answers.
  const { r, body, ms: testerMs } = await Promise.race([tester, poll.then(() => tester)]);
  done = true;
  await poll;
  if (healthz.length === 0) throw new Error('no /healthz answer arrived while the rule test ran');
  return {
    testerStatus: r.status,
    refusal: r.status >= 400 ? `${body.message} ${JSON.stringify(body.issues?.[0] ?? null)}` : null,
    testerMs,
    complete: body.complete ?? null,
    skipped: body.skipped_rules ?? null,
    healthz,
    healthzStatuses,
  };
}

const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : undefined);
  const runs = arg('--runs') ?? 3;
  const distinct = arg('--patterns');
  const m = await startShipped({ env: READ_KEY_ENV });
  try {
    for (let i = 0; i < runs; i++) {
      const s = await measureStall(m, distinct);
      console.log(
        JSON.stringify({
          run: i + 1,
          patterns: distinct ?? RULE_TEST_LIMITS.maxNewPatterns,
          tester_status: s.testerStatus,
          refusal: s.refusal,
          tester_ms: Math.round(s.testerMs),
          complete: s.complete,
          skipped_rules: s.skipped,
          healthz_answers: s.healthz.length,
          healthz_non_200: s.healthzStatuses.filter((x) => x !== 200).length,
          healthz_p50_ms: +pct(s.healthz, 0.5).toFixed(1),
          healthz_p99_ms: +pct(s.healthz, 0.99).toFixed(1),
          healthz_max_ms: +Math.max(...s.healthz).toFixed(1),
        }),
      );
    }
  } finally {
    await m.stop();
  }
}
