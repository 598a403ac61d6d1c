// Remediation's pure policy: what happens to each dead letter.
import { test as t } from 'uvu';
import * as assert from 'uvu/assert';
import { decideRemediation } from '../../actors/remediation/policy.ts';

t('permanent reasons quarantine, transient ones wait, rest and then replay', () => {
  const base = { stage: 'forwarder', replays: 0, lastSeenAt: 1000 };
  assert.equal(decideRemediation({ ...base, reason: 'schema_invalid' }, { now: 5000, maxReplays: 3, minAgeMs: 1000, healthy: true }), {
    action: 'quarantine',
    reason: 'schema_invalid',
  });
  assert.equal(
    decideRemediation({ ...base, reason: 'retries_exhausted', replays: 3 }, { now: 5000, maxReplays: 3, minAgeMs: 1000, healthy: true }),
    { action: 'quarantine', reason: 'max_replays' },
  );
  assert.is(decideRemediation({ ...base, reason: 'expired' }, { now: 1500, maxReplays: 3, minAgeMs: 1000, healthy: true }).action, 'wait');
  assert.is(decideRemediation({ ...base, reason: 'expired' }, { now: 5000, maxReplays: 3, minAgeMs: 1000, healthy: false }).action, 'wait');
  assert.equal(decideRemediation({ ...base, reason: 'retries_exhausted' }, { now: 5000, maxReplays: 3, minAgeMs: 1000, healthy: true }), {
    action: 'replay',
  });
  assert.equal(
    decideRemediation({ ...base, stage: 'quarantine', reason: 'rejected' }, { now: 5000, maxReplays: 3, minAgeMs: 1000, healthy: true }),
    { action: 'keep' },
  );
});

t('failures of remediation itself are quarantined with their reason', () => {
  assert.equal(
    decideRemediation(
      { stage: 'remediation', reason: 'retries_exhausted', replays: 0, lastSeenAt: 0 },
      { now: 5000, maxReplays: 3, minAgeMs: 1000, healthy: true },
    ),
    { action: 'quarantine', reason: 'retries_exhausted' },
  );
  assert.equal(
    decideRemediation(
      { stage: 'forwarder', reason: 'expired', replays: 2, lastSeenAt: 0 },
      { now: 5000, maxReplays: 3, minAgeMs: 1000, healthy: true },
    ),
    { action: 'replay' },
  );
  assert.equal(
    decideRemediation(
      { stage: 'forwarder', reason: 'deadline_exceeded', replays: 0, lastSeenAt: 0 },
      { now: 5000, maxReplays: 3, minAgeMs: 1000, healthy: true },
    ),
    { action: 'replay' },
    'a hung Moogsoft is transient',
  );
  const w = decideRemediation(
    { stage: 'forwarder', reason: 'expired', replays: 0, lastSeenAt: 4500 },
    { now: 5000, maxReplays: 3, minAgeMs: 1000, healthy: true },
  );
  assert.equal(w, { action: 'wait', ms: 500, why: 'resting before replay' });
  const u = decideRemediation(
    { stage: 'forwarder', reason: 'expired', replays: 0, lastSeenAt: 0 },
    { now: 100_000, maxReplays: 3, minAgeMs: 60_000, healthy: false },
  );
  assert.equal(u, { action: 'wait', ms: 30_000, why: 'downstream unhealthy' });
});

t.run();
