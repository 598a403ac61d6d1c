// The alerter actor: for each event in MUTT_EVENTS decide what happens — which rule matches, prod or dev
// handling, which team — then publish the alert (if forwarded) and one audit record, both idempotent
// (Nats-Msg-Id from the event id), so a redelivered event never alerts or audits twice. Unmatched events are
// counted per (host, fingerprint) in KV and raise one meta-alert at the threshold. Pauses while MUTT_ALERTS is
// backed up. The decisions themselves live in rules.ts, environment.ts, fingerprint.ts and unhandled.ts.

import { Kvm, type KV } from '@nats-io/kv';
import { Counter, type Registry } from 'prom-client';
import type { PubAck } from '@nats-io/jetstream';
import { IngestEvent, type Alert, type EventAuditRecord, type Environment } from '../../protocol/messages.ts';
import { encodeTrusted } from '../../protocol/codec.ts';
import { openMinuteTally, type MinuteTally } from '../runtime/minute-tally.ts';
import { FLOW_PREFIX } from '../../protocol/flow.ts';
import { Bucket, Durable, StreamName } from '../../protocol/streams.ts';
import { Headers, META_RULE, UNHANDLED_RULE, subjects } from '../../protocol/subjects.ts';
import { defineActor, type ActorRuntime, type HandlerContext } from '../runtime/define.ts';
import { BacklogGate } from '../runtime/backlog-gate.ts';
import { KvCasBatcher } from '../runtime/kv-counter.ts';
import { casUpdate } from '../runtime/kv-cas.ts';
import { LiveRules } from './live-rules.ts';
import { LiveHosts } from './live-hosts.ts';
import { purgeLegacyUnhandled } from './legacy-unhandled.ts';
import { fingerprint } from './fingerprint.ts';
import { stepUnhandled, metaAlertMessage, type UnhandledState } from './unhandled.ts';
import { syncUnhandledExpiry } from './unhandled-expiry.ts';
import { unhandledKey } from '../../protocol/state-keys.ts';

interface AlerterState {
  rules: LiveRules;
  hosts: LiveHosts;
  gate: BacklogGate;
  unhandled: KvCasBatcher<UnhandledState, { fire: boolean; windowStart: number }>;
  /** KV mutt_unhandled: one counter per (host, fingerprint), expiring with its window. */
  counters: KV;
  /** Events per minute by input and by decision, for `mutt status` (KV mutt_counters, `flow.1m.*`). */
  flow: MinuteTally;
  metrics: { decisions: Counter<'decision'>; unhandled: Counter; metaAlerts: Counter };
  cfg: ActorRuntime['config'];
}

function countFlow(flow: MinuteTally, input: string, decision: string): void {
  flow.add(`in.${input}`);
  flow.add(`decision.${decision}`);
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[] = []): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L>) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

// Alerts and audit records are built (statically typed) from an event the runtime has just validated, so they are
// encoded without a second zod pass (docs/PERFORMANCE.md, B); the forwarder validates them on decode.
// A meta audit record is keyed by its meta-alert (host, fingerprint, window), not by the event that fired it:
// several handlers can fire the same meta-alert (a batch of concurrent updates, or the moments before the
// alerted mark is stored) and JetStream keeps one record, as it keeps one meta-alert.
async function publishAudit(ctx: HandlerContext<AlerterState>, record: EventAuditRecord): Promise<PubAck> {
  return ctx.publishRaw(subjects.auditEvent(record.host, record.ruleId ?? UNHANDLED_RULE), encodeTrusted(record), {
    msgId: record.kind === 'meta' ? `audit:${record.alertId}` : `audit:${record.eventId}`,
    headers: {
      [Headers.correlationId]: record.correlationId,
      [Headers.host]: oneLine(record.host),
      [Headers.rule]: record.ruleId ?? UNHANDLED_RULE,
      [Headers.decision]: record.decision,
    },
  });
}

async function publishAlert(ctx: HandlerContext<AlerterState>, alert: Alert): Promise<PubAck> {
  return ctx.publishRaw(subjects.alert(alert.team), encodeTrusted(alert), {
    msgId: alert.id,
    headers: {
      [Headers.correlationId]: alert.correlationId,
      [Headers.host]: oneLine(alert.host),
      [Headers.rule]: alert.ruleId,
      [Headers.decision]: alert.decision,
    },
  });
}

const oneLine = (s: string) => s.replace(/[\r\n]/g, ' ').slice(0, 255);

export default defineActor({
  name: 'alerter',
  consumes: { stream: StreamName.events, durable: Durable.alerter, schema: IngestEvent },
  publishes: ['mutt.alerts.>', 'mutt.audit.event.>', 'mutt.dlq.alerter.>'],
  concurrency: 128,
  retry: { backoffMs: [1_000, 5_000, 30_000, 120_000] },

  async setup(rt, cleanup): Promise<AlerterState> {
    const rules = await LiveRules.open(rt.nc, rt.log, rt.registry, () => rt.config.get().alerter_regex_budget_ms);
    cleanup(() => rules.stop());
    const hosts = await LiveHosts.open(rt.nc, rt.log);
    cleanup(() => hosts.stop());
    const gate = new BacklogGate(rt.nc, StreamName.alerts, () => rt.config.get().alerter_backpressure_depth).start();
    cleanup(() => gate.stop());
    const kvm = new Kvm(rt.nc);
    const kv = await kvm.open(Bucket.unhandled);
    await syncUnhandledExpiry(rt.nc, rt.config.get().unhandled_window_seconds, rt.log);
    await purgeLegacyUnhandled(rt.nc, rt.log);
    cleanup(
      rt.config.onChange((c, changed) => {
        if (changed.includes('unhandled_window_seconds')) void syncUnhandledExpiry(rt.nc, c.unhandled_window_seconds, rt.log);
      }),
    );
    const flow = openMinuteTally(await kvm.open(Bucket.counters), FLOW_PREFIX, { log: rt.log });
    cleanup(() => flow.close());
    // The count is stored without the 'alerted' mark: the mark is set only after the meta-alert is stored, so a
    // failed publish is retried by the next occurrence (or redelivery), and concurrent firings share one
    // Nats-Msg-Id (the window start), which JetStream stores once.
    const unhandled = new KvCasBatcher<UnhandledState, { fire: boolean; windowStart: number }>(kv, (prev, n, now) => {
      const c = rt.config.get();
      const { next, result } = stepUnhandled(prev, n, now, c.unhandled_threshold, c.unhandled_window_seconds);
      return { next: result ? { ...next, alerted: false } : next, result: { fire: result, windowStart: next.windowStart } };
    });
    return {
      rules,
      hosts,
      gate,
      unhandled,
      counters: kv,
      flow,
      cfg: rt.config,
      metrics: {
        decisions: counter(rt.registry, 'mutt_alerter_decisions_total', 'Events handled, by decision', ['decision']),
        // No host label: a sender chooses the host name, and one series per spoofed name grew /metrics without
        // bound. Which hosts send unmatched events is in the audit (`mutt audit --decision unhandled`).
        unhandled: counter(rt.registry, 'mutt_alerter_unhandled_total', 'Events no rule matched'),
        metaAlerts: counter(rt.registry, 'mutt_alerter_meta_alerts_total', 'Meta-alerts raised for repeated unmatched events'),
      },
    };
  },

  gate: (state) => state.gate.wait(),

  async handle(event, ctx) {
    const { rules, hosts, metrics } = ctx.state;
    const now = Date.now();
    const environment: Environment = hosts.isDev(event.host) ? 'dev' : 'prod';
    const match = rules.current.match(event);

    if (match) {
      const { rule } = match;
      const decision = environment === 'dev' ? rule.dev_handling : rule.prod_handling;
      const forwarded = decision !== 'ignore';
      const alertId = `alert:${event.id}:${rule.id}`;
      const work: Promise<unknown>[] = [];
      if (forwarded) {
        work.push(
          publishAlert(ctx, {
            kind: 'rule',
            id: alertId,
            eventId: event.id,
            correlationId: event.correlationId,
            host: event.host,
            message: event.message,
            severity: event.severity,
            eventTime: event.time,
            createdAt: now,
            decision,
            ruleId: rule.id,
            environment,
            team: rule.team_assignment,
            fingerprint: fingerprint(event.message),
            trapOid: event.trapOid,
            event,
          }).then(() => undefined),
        );
      }
      work.push(
        publishAudit(ctx, {
          kind: 'handled',
          eventId: event.id,
          correlationId: event.correlationId,
          at: now,
          eventTime: event.time,
          host: event.host,
          ruleId: rule.id,
          decision,
          forwarded,
          environment,
          team: rule.team_assignment,
          severity: event.severity,
          alertId: forwarded ? alertId : undefined,
          event,
        }),
      );
      await Promise.all(work);
      metrics.decisions.inc({ decision });
      countFlow(ctx.state.flow, event.source.input, decision);
      return;
    }

    // Unmatched: audit it, count it per (host, fingerprint), and raise one meta-alert per window at the threshold.
    // The audit record goes first: a duplicate (its Nats-Msg-Id already stored) means this event was seen
    // before — redelivered, or sent again — and it is not counted again (it adds 0, which still lets it raise a
    // meta-alert whose earlier publish failed). The price: a count that fails after its audit record was stored
    // is not made up by the redelivery (one occurrence too few, never one too many).
    const fp = fingerprint(event.message);
    const team = hosts.teamOf(event.host) ?? null;
    const key = unhandledKey(event.host, fp);
    const audited = await publishAudit(ctx, {
      kind: 'unhandled',
      eventId: event.id,
      correlationId: event.correlationId,
      at: now,
      eventTime: event.time,
      host: event.host,
      ruleId: null,
      decision: 'unhandled',
      forwarded: false,
      environment,
      team,
      severity: event.severity,
      event,
    });
    const {
      result: { fire: batchFired, windowStart },
      first,
    } = await ctx.state.unhandled.add(key, audited.duplicate ? 0 : 1);
    // The result is shared by every handler of the batch: one of them raises the meta-alert.
    const fire = batchFired && first;
    metrics.decisions.inc({ decision: 'unhandled' });
    countFlow(ctx.state.flow, event.source.input, 'unhandled');
    metrics.unhandled.inc();
    if (fire) {
      const cfg = ctx.cfg;
      const metaTeam = team ?? cfg.unhandled_default_team;
      const id = `meta:${key}:${windowStart}`;
      const stored = await publishAlert(ctx, {
        kind: 'meta',
        id,
        eventId: event.id,
        correlationId: event.correlationId,
        host: event.host,
        message: metaAlertMessage(cfg.unhandled_threshold, cfg.unhandled_window_seconds, event.host, event.message),
        severity: event.severity,
        eventTime: event.time,
        createdAt: now,
        decision: 'meta_alert',
        ruleId: META_RULE,
        environment,
        team: metaTeam,
        fingerprint: fp,
        trapOid: event.trapOid,
        event,
      });
      await publishAudit(ctx, {
        kind: 'meta',
        eventId: event.id,
        correlationId: event.correlationId,
        at: now,
        eventTime: event.time,
        host: event.host,
        ruleId: META_RULE,
        decision: 'meta_alert',
        forwarded: true,
        environment,
        team: metaTeam,
        severity: event.severity,
        alertId: id,
        event,
      });
      await casUpdate(
        ctx.state.counters,
        key,
        (v) => v as UnhandledState | null,
        (prev) =>
          prev && prev.windowStart === windowStart && !prev.alerted
            ? { state: { ...prev, alerted: true }, result: null }
            : { state: prev, result: null },
      );
      if (!stored.duplicate) {
        metrics.metaAlerts.inc();
        ctx.state.flow.add('decision.meta_alert');
      }
    }
  },
});
