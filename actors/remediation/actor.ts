// The remediation actor: reads MUTT_DLQ and, per policy.ts, replays transient dead letters to their original
// stream once they have rested and (for forwarder entries) Moogsoft is healthy, and quarantines permanent ones
// and those replayed too often. Replays are paced (remediation_batch_size per remediation_interval_seconds
// per process). Replicas compete on one durable consumer, so an entry is replayed by exactly one of them, and
// each replay carries a Nats-Msg-Id, so a retried replay is stored once. A dead letter whose handling kills the
// process (or hangs it past its deadline) POISON_AFTER_STARTS times is quarantined as 'poison' (inflight.ts).

import { Kvm } from '@nats-io/kv';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Counter, type Registry } from 'prom-client';
import { DlqEntry } from '../../protocol/messages.ts';
import { Bucket, Durable, StreamName } from '../../protocol/streams.ts';
import { defineActor, type HandlerContext } from '../runtime/define.ts';
import { RetryableError } from '../runtime/errors.ts';
import { decideRemediation } from './policy.ts';
import { MoogHealth } from './moog-health.ts';
import { quarantineEntry, replayEntry } from './replay.ts';
import { InflightLedger } from './inflight.ts';

interface RemediationState {
  jsm: JetStreamManager;
  moog: MoogHealth;
  inflight: InflightLedger;
  window: { start: number; used: number };
  outcomes: Counter<'action' | 'stage'>;
  disabled?: { promise: Promise<void>; open: () => void };
  timer?: NodeJS.Timeout;
}

function counter(registry: Registry): Counter<'action' | 'stage'> {
  return (
    (registry.getSingleMetric('mutt_remediation_actions_total') as Counter<'action' | 'stage'>) ??
    new Counter({
      name: 'mutt_remediation_actions_total',
      help: 'Dead letters replayed or quarantined, by stage',
      labelNames: ['action', 'stage'],
      registers: [registry],
    })
  );
}

export default defineActor({
  name: 'remediation',
  consumes: { stream: StreamName.dlq, durable: Durable.remediation, schema: DlqEntry, maxAckPending: 1000 },
  publishes: ['mutt.events.>', 'mutt.alerts.>', 'mutt.dlq.quarantine.>', 'mutt.dlq.remediation.>', 'mutt.audit.config.>'],
  concurrency: 4,
  // Waiting (resting, unhealthy downstream, pacing) is never a reason to give up on a dead letter.
  retry: {
    backoffMs: [],
    decide: (_attempt, err) => ({ retry: true, delayMs: err instanceof RetryableError && err.retryAfterMs ? err.retryAfterMs : 5000 }),
  },

  async setup(rt, cleanup): Promise<RemediationState> {
    // Direct gets name the key in the subject, so nats.conf can confine this user to its keys of mutt_state (a bound
    // bucket's default, STREAM.MSG.GET with the key in the body, would need access to every key, UI sessions too).
    const kv = await new Kvm(rt.nc).open(Bucket.state, { allow_direct: true });
    const state: RemediationState = {
      jsm: await jetstreamManager(rt.nc),
      moog: new MoogHealth(kv, rt.env.MOOG_WEBHOOK_URL),
      inflight: new InflightLedger(kv),
      window: { start: Date.now(), used: 0 },
      outcomes: counter(rt.registry),
    };
    // remediation_enabled=false closes the gate: dead letters stay where they are until it is turned back on.
    const watch = () => {
      const enabled = rt.config.get().remediation_enabled;
      if (!enabled && !state.disabled) {
        let open!: () => void;
        state.disabled = { promise: new Promise<void>((r) => (open = r)), open: () => open() };
      } else if (enabled && state.disabled) {
        state.disabled.open();
        state.disabled = undefined;
      }
    };
    watch();
    cleanup(rt.config.onChange(watch));
    return state;
  },

  gate: (state) => state.disabled?.promise,

  async handle(entry, ctx) {
    // Quarantined entries are only acknowledged: nothing is done that could crash, nothing to record.
    if (entry.stage === 'quarantine') return;
    const { state } = ctx;
    const seq = ctx.delivery.seq;
    // Recorded before anything else runs; if the record cannot be written the delivery fails and is retried,
    // rather than run unrecorded (a crash then would go unnoticed).
    const start = await state.inflight.start(seq, ctx.delivery.attempt);
    if (start.poison) {
      await quarantineEntry(ctx.js, state.jsm, seq, entry, 'poison');
      await state.inflight.finish(seq).catch((err) => ctx.log.warn({ err: String(err) }, 'in-flight record of a poison entry not removed'));
      state.outcomes.inc({ action: 'quarantine', stage: entry.stage });
      ctx.log.error(
        { dlqSeq: seq, stage: entry.stage, unfinished: start.unfinished },
        'dead letter whose handling never finished quarantined as poison',
      );
      return;
    }
    try {
      await handleEntry(entry, ctx);
    } finally {
      // Any outcome, a wait included: only a crash or a hang leaves the start recorded.
      await state.inflight
        .finish(seq, ctx.delivery.attempt)
        .catch((err) => ctx.log.warn({ err: String(err) }, 'in-flight record not removed; it counts as an unfinished start'));
    }
  },
});

async function handleEntry(entry: DlqEntry, ctx: HandlerContext<RemediationState>): Promise<void> {
  const { state, cfg } = ctx;
  const now = Date.now();
  const intervalMs = cfg.remediation_interval_seconds * 1000;
  const healthy = entry.stage === 'forwarder' && entry.reason !== 'rejected' ? await state.moog.healthy() : true;
  const decision = decideRemediation(entry, { now, maxReplays: cfg.remediation_max_replays, minAgeMs: intervalMs, healthy });
  const seq = ctx.delivery.seq;
  switch (decision.action) {
    case 'keep':
      return;
    case 'wait':
      throw new RetryableError('dependency', decision.why, { retryAfterMs: decision.ms });
    case 'quarantine':
      await quarantineEntry(ctx.js, state.jsm, seq, entry, decision.reason);
      state.outcomes.inc({ action: 'quarantine', stage: entry.stage });
      ctx.log.warn({ dlqSeq: seq, stage: entry.stage, reason: decision.reason }, 'dead letter quarantined for an operator');
      return;
    case 'replay': {
      if (now - state.window.start >= intervalMs) state.window = { start: now, used: 0 };
      if (state.window.used >= cfg.remediation_batch_size) {
        throw new RetryableError('rate_limited', 'replay batch used up for this interval', {
          retryAfterMs: state.window.start + intervalMs - now + Math.floor(Math.random() * 1000),
        });
      }
      state.window.used++;
      const to = await replayEntry(ctx.js, state.jsm, seq, entry);
      state.outcomes.inc({ action: 'replay', stage: entry.stage });
      ctx.log.info({ dlqSeq: seq, stage: entry.stage, replays: entry.replays + 1, to }, 'dead letter replayed');
      return;
    }
  }
}
