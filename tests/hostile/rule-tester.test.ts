// The rule tester takes a read key and runs operator-supplied patterns: its worst request must neither stall
// the shipped process (every /healthz poll during it is answered) nor go unbounded (it answers 200 with
// complete: false, or a 4xx naming the limit), and the pipeline still delivers afterwards.
// The figures (how long, how slow /healthz was meanwhile) come from bench/rule-tester-stall.ts.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startShipped, type Shipped } from '../helpers/shipped.ts';
import { measureStall, READ_KEY, READ_KEY_ENV, worstTesterRequest } from '../../bench/rule-tester-stall.ts';
import { RULE_TEST_LIMITS } from '../../gateway/services/rule-test-limits.ts';

const t = suite('hostile: rule tester');
let m: Shipped;
// A /healthz answer that has not come after this long has not arrived: the event loop is stalled (the tester
// of 8499a8a held it for 25 minutes with this request). A liveness bound, 100 times the target, not a speed check.
const POLL_TIMEOUT_MS = 10_000;

t.before(async () => {
  m = await startShipped({ env: READ_KEY_ENV });
});
t.after(async () => {
  await m?.stop();
});

t('slow-but-accepted patterns over the most proposed rules: /healthz answers throughout, the test is partial', async () => {
  // Five new patterns analyse well within the analysis budget; each then takes ~1.5 s per test on the message.
  const s = await measureStall(m, 5, { pollTimeoutMs: POLL_TIMEOUT_MS });
  assert.ok(s.healthz.length > 0);
  assert.equal(
    s.healthzStatuses.filter((x) => x !== 200),
    [],
    'every /healthz answer is 200',
  );
  assert.is(s.testerStatus, 200, s.refusal ?? '');
  assert.is(s.complete, false, 'the regex time budget ran out: a partial answer');
  assert.ok((s.skipped ?? 0) > 0);
});

t('the most new patterns a test analyses: answered (partial) or refused naming the limit, /healthz answers throughout', async () => {
  const s = await measureStall(m, RULE_TEST_LIMITS.maxNewPatterns, { pollTimeoutMs: POLL_TIMEOUT_MS });
  assert.equal(
    s.healthzStatuses.filter((x) => x !== 200),
    [],
  );
  if (s.testerStatus === 200) assert.is(s.complete, false);
  else {
    assert.ok(s.testerStatus >= 400 && s.testerStatus < 500, `status ${s.testerStatus}: ${s.refusal}`);
    assert.match(s.refusal ?? '', /at most \d+ ms of regex safety analysis|used up the test's \d+ ms/);
  }
});

t('10,000 proposed rules: 400 naming rules and the limit, /healthz answers throughout', async () => {
  const body = {
    ...worstTesterRequest(1),
    rules: Array.from({ length: 10_000 }, (_, i) => ({ ...worstTesterRequest(1).rules[0], id: `r${i}` })),
  };
  const s = await measureStall(m, undefined, { body, pollTimeoutMs: POLL_TIMEOUT_MS });
  assert.equal(
    s.healthzStatuses.filter((x) => x !== 200),
    [],
  );
  assert.is(s.testerStatus, 400, s.refusal ?? '');
  assert.match(s.refusal ?? '', /rules/);
  assert.match(s.refusal ?? '', new RegExp(String(RULE_TEST_LIMITS.maxProposedRules)));
});

t('after the worst tests, a canary event still reaches the fake Moogsoft', async () => {
  const r = await fetch(`${m.url}/api/v2/rules/test`, {
    method: 'POST',
    headers: { 'x-api-key': READ_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'x', host: 'h' }),
  });
  assert.is(r.status, 200, 'the tester serves the next test');
  await m.canary();
});

t.run();
