// The forwarder actor: delivers each alert in MUTT_ALERTS to Moogsoft. Order per alert: wait for the shared
// breaker (no attempt is spent while it is open — the gate also stops pulling), wait for a permit of the shared
// rate limit (one per alert, never dropped), hand the alert's event to the batcher (batcher.ts), which sends
// up to moog_batch_size alerts in one POST and splits a rejected batch until the rejected alert stands alone
// (batch-split.ts); classify the outcome in one function (classify.ts): success → ack; retryable → nak with
// backoff + jitter until the attempt or age budget is spent, then DLQ; permanent → DLQ with status and
// excerpt. The breaker and adaptive rate count one outcome per request. The Moog credential comes only from
// MOOG_API_KEY(_FILE), never from the alert.
// Without MOOG_WEBHOOK_URL or a credential it waits (await-settings.ts) rather than crash-loop.

import { Kvm, type KV } from '@nats-io/kv';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { Alert } from '../../protocol/messages.ts';
import { Bucket, Durable, StreamName } from '../../protocol/streams.ts';
import { defineActor } from '../runtime/define.ts';
import { moogBody, moogEventText, type PayloadFormat } from './payload.ts';
import { breakerOutcome, toDeliveryError, toHandlerError, type Classification } from './classify.ts';
import { backoffDelay, shouldGiveUp } from './backoff.ts';
import { createMoogClient, deliver, type MoogClient } from './delivery.ts';
import { credentialSource } from './credentials.ts';
import { awaitDeliverySettings } from './await-settings.ts';
import { createSharedRateGate, type RateGate } from './rate-gate.ts';
import { SharedBreaker } from './shared-breaker.ts';
import { STATUS_CODE, type BreakerConfig } from './breaker.ts';
import { aimdRate, aimdThrottled, initialAimd, isThrottleSignal, AimdStateSchema, type AimdState } from './aimd.ts';
import { casUpdate } from '../runtime/kv-cas.ts';
import { describeError } from '../runtime/errors.ts';
import { readStored, stateProblems } from './stored-state.ts';
import { BREAKER_KEY } from '../../protocol/state-keys.ts';
import { Batcher } from './batcher.ts';
import { deliverSplitting } from './batch-split.ts';
import { alertSlots } from './alert-slots.ts';
import type { ConfigValues } from '../../protocol/config-keys.ts';
import type { Logger } from 'pino';

const AIMD_KEY = 'forwarder.aimd';
/** A batch body stays under this: the events beyond it go in another request of the same flush. */
export const MAX_BATCH_BODY_BYTES = 1024 * 1024;

/** One alert waiting in the batcher: its event as JSON text, and its breaker lease. */
interface Outgoing {
  text: string;
  bytes: number;
  format: PayloadFormat;
  /** This alert holds the half-open probe: the first request it is in records the probe's result. */
  probe: boolean;
  owner: string;
}

interface ForwarderState {
  kv: KV;
  client: MoogClient;
  breaker: SharedBreaker;
  rate: RateGate;
  aimd: { state: AimdState | null; refresh: NodeJS.Timeout };
  gauges: NodeJS.Timeout;
  metrics: ReturnType<typeof forwarderMetrics>;
  secrets: string[];
  batcher: Batcher<Outgoing, Classification>;
}

function forwarderMetrics(registry: Registry) {
  const get = <T>(name: string, make: () => T): T => (registry.getSingleMetric(name) as T) ?? make();
  const registers = [registry];
  return {
    requests: get(
      'mutt_forwarder_request_duration_seconds',
      () =>
        new Histogram({
          name: 'mutt_forwarder_request_duration_seconds',
          help: 'Moogsoft request time, by outcome',
          labelNames: ['outcome'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers,
        }),
    ),
    deliveries: get(
      'mutt_forwarder_deliveries_total',
      () =>
        new Counter({
          name: 'mutt_forwarder_deliveries_total',
          help: 'Delivery attempts, by outcome (delivered, retry, rejected)',
          labelNames: ['outcome'],
          registers,
        }),
    ),
    latency: get(
      'mutt_forwarder_end_to_end_seconds',
      () =>
        new Histogram({
          name: 'mutt_forwarder_end_to_end_seconds',
          help: 'From event receipt by MUTT to Moogsoft accepting its alert',
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
          registers,
        }),
    ),
    rateWait: get(
      'mutt_forwarder_rate_wait_seconds',
      () =>
        new Histogram({
          name: 'mutt_forwarder_rate_wait_seconds',
          help: 'Time an alert waited for a rate-limit permit',
          buckets: [0, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
          registers,
        }),
    ),
    breakerState: get(
      'mutt_forwarder_breaker_state',
      () => new Gauge({ name: 'mutt_forwarder_breaker_state', help: 'Shared breaker: 0 closed, 1 half-open, 2 open', registers }),
    ),
    breakerTransitions: get(
      'mutt_forwarder_breaker_transitions',
      () =>
        new Gauge({
          name: 'mutt_forwarder_breaker_transitions',
          help: 'Breaker transitions recorded so far in the shared state, by kind (a gauge: every replica reports the same shared figure)',
          labelNames: ['transition'],
          registers,
        }),
    ),
    breakerSeconds: get(
      'mutt_forwarder_breaker_seconds',
      () =>
        new Gauge({
          name: 'mutt_forwarder_breaker_seconds',
          help: 'Time the shared breaker has spent in each state',
          labelNames: ['state'],
          registers,
        }),
    ),
    stateWriteFailures: get(
      'mutt_forwarder_state_write_failures_total',
      () =>
        new Counter({
          name: 'mutt_forwarder_state_write_failures_total',
          help: 'Breaker or AIMD results that could not be written to mutt_state after Moogsoft answered (the delivery outcome stands)',
          registers,
        }),
    ),
    batchSize: get(
      'mutt_forwarder_batch_size',
      () =>
        new Histogram({
          name: 'mutt_forwarder_batch_size',
          help: 'Alerts per Moogsoft request (a split of a rejected batch counts each request it sends)',
          buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
          registers,
        }),
    ),
    rateLimit: get(
      'mutt_forwarder_rate_limit',
      () => new Gauge({ name: 'mutt_forwarder_rate_limit', help: 'Deliveries per period in effect (lowered by adaptive mode)', registers }),
    ),
  };
}

export default defineActor({
  name: 'forwarder',
  consumes: { stream: StreamName.alerts, durable: Durable.forwarder, schema: Alert },
  publishes: ['mutt.dlq.forwarder.>'],
  concurrency: (cfg) => alertSlots(cfg),
  // Longest legitimate call: a send is at most two requests of moog_timeout_ms (the stale-socket retry in
  // delivery.ts), a wait for the breaker lasts at most a probe's lease (moog_timeout_ms + 5 s), and a minute
  // is left for rate permits. Past it the alert is retried like a timed-out delivery.
  deadlineMs: (cfg) => 3 * cfg.moog_timeout_ms + 5000 + 60_000,
  retry: {
    // decide gives up at moog_max_attempts failed attempts: deliveries beyond that (+2 for shutdown hand-backs)
    // ended without an outcome — the alert crashes or hangs the forwarder.
    poisonAfter: (cfg) => cfg.moog_max_attempts + 2,
    backoffMs: [],
    decide: (attempt, err, { cfg, storedAt, now }) => {
      const giveUp = shouldGiveUp({
        attempts: attempt,
        firstSeenAt: storedAt,
        now,
        maxAttempts: cfg.moog_max_attempts,
        maxAgeMs: cfg.moog_max_age_seconds * 1000,
      });
      if (giveUp) return { retry: false, reason: giveUp };
      const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs;
      return {
        retry: true,
        delayMs: backoffDelay(attempt, { baseMs: cfg.moog_backoff_base_ms, maxMs: cfg.moog_backoff_max_ms, retryAfterMs }),
      };
    },
  },

  async setup(rt): Promise<ForwarderState> {
    await awaitDeliverySettings(rt);
    const url = rt.env.MOOG_WEBHOOK_URL!;
    const cfg = () => rt.config.get();
    const breakerCfg = (): BreakerConfig => ({
      failureRate: cfg().breaker_failure_rate,
      minRequests: cfg().breaker_min_requests,
      windowSeconds: cfg().breaker_window_seconds,
      openSeconds: cfg().breaker_open_seconds,
      probeLeaseMs: cfg().moog_timeout_ms + 5000,
    });
    // Direct gets name the key in the subject, so nats.conf can confine this user to its keys of mutt_state (a bound
    // bucket's default, STREAM.MSG.GET with the key in the body, would need access to every key, UI sessions too).
    const kv = await new Kvm(rt.nc).open(Bucket.state, { allow_direct: true });
    const credential = credentialSource(rt.env);
    const secret = credential.current();
    const client = createMoogClient({
      url,
      apiKey: credential,
      auth: rt.env.MOOG_AUTH,
      timeoutMs: () => cfg().moog_timeout_ms,
      concurrency: () => cfg().moog_concurrency,
    });
    const problems = stateProblems(rt.registry, rt.log);
    const breaker = await SharedBreaker.open(kv, breakerCfg, (revision, error) => problems.report(BREAKER_KEY, revision, error));
    const aimd: ForwarderState['aimd'] = { state: null, refresh: setInterval(() => void readAimd(), 1000) };
    aimd.refresh.unref();
    // Runs from a timer: it must never reject (an unhandled rejection ends the process).
    async function readAimd() {
      if (!cfg().moog_rate_adaptive) {
        aimd.state = null;
        return;
      }
      const e = await kv.get(AIMD_KEY).catch(() => null);
      aimd.state = readStored(e, AimdStateSchema, (error) => problems.report(AIMD_KEY, e!.revision, error));
    }
    const limit = () => {
      const c = cfg();
      return aimd.state && c.moog_rate_adaptive
        ? aimdRate(aimd.state, Date.now(), { limit: c.moog_rate_limit, periodSeconds: c.moog_rate_period })
        : c.moog_rate_limit;
    };
    const rate = createSharedRateGate(kv, () => ({ limit: limit(), periodSeconds: cfg().moog_rate_period }));
    const metrics = forwarderMetrics(rt.registry);
    // Breaker and rate figures come from the shared state: every replica reports the same values.
    const gauges = setInterval(() => {
      const v = breaker.view();
      metrics.breakerState.set(STATUS_CODE[v.status]);
      for (const [k, n] of Object.entries(v.transitions)) metrics.breakerTransitions.set({ transition: k }, n);
      for (const [k, ms] of Object.entries(v.msIn)) metrics.breakerSeconds.set({ state: k }, ms / 1000);
      metrics.rateLimit.set(limit());
    }, 1000);
    gauges.unref();
    const secrets = [secret.reveal()];
    const partial = { kv, client, breaker, aimd, metrics, secrets };
    const batcher = new Batcher<Outgoing, Classification>({
      size: () => cfg().moog_batch_size,
      lingerMs: () => cfg().moog_batch_linger_ms,
      flush: (items) => sendBatch(partial, cfg(), rt.log, items),
    });
    return { ...partial, rate, gauges, batcher };
  },

  gate: (state) => (state.breaker.canSendNow() ? undefined : state.breaker.whenMaybeSendable()),

  async handle(alert, ctx) {
    const { breaker, rate, metrics, batcher } = ctx.state;
    const cfg = ctx.cfg;
    const owner = `${ctx.name}:${process.pid}:${ctx.delivery.seq}:${ctx.delivery.attempt}`;
    const { probe } = await breaker.acquire(owner, ctx.signal);
    const waitStarted = performance.now();
    await rate.acquire(ctx.signal);
    metrics.rateWait.observe((performance.now() - waitStarted) / 1000);
    const text = moogEventText(alert, {
      format: cfg.moog_payload_format,
      signature: cfg.moog_signature,
      severityMap: cfg.moog_severity_map,
      manager: cfg.moog_manager,
    });
    const c = await batcher.submit({ text, bytes: Buffer.byteLength(text), format: cfg.moog_payload_format, probe, owner });
    metrics.deliveries.inc({ outcome: outcomeName(c) });
    if (c.kind === 'success') {
      metrics.latency.observe(Math.max(0, Date.now() - alert.event.receivedAt) / 1000);
      return;
    }
    throw toHandlerError(toDeliveryError(c));
  },

  async teardown(state) {
    if (!state) return;
    clearInterval(state.aimd.refresh);
    clearInterval(state.gauges);
    state.batcher.flush();
    await state.breaker.flush().catch(() => {});
    state.breaker.stop();
    await state.client.close();
  },
});

function outcomeName(c: Classification): 'delivered' | 'retry' | 'rejected' {
  return c.kind === 'success' ? 'delivered' : c.kind === 'retry' ? 'retry' : 'rejected';
}

type SendState = Pick<ForwarderState, 'kv' | 'client' | 'breaker' | 'aimd' | 'metrics' | 'secrets'>;

/**
 * Sends one flushed batch: grouped by payload format (a live change may fall inside a batch) and cut so that
 * no body exceeds MAX_BATCH_BODY_BYTES, each part delivered with splitting on a rejection. Never rejects.
 */
async function sendBatch(state: SendState, cfg: ConfigValues, log: Logger, items: Outgoing[]): Promise<Classification[]> {
  const results = new Map<Outgoing, Classification>();
  const parts: Outgoing[][] = [];
  for (const format of new Set(items.map((i) => i.format))) {
    let part: Outgoing[] = [];
    let bytes = 0;
    for (const item of items) {
      if (item.format !== format) continue;
      if (part.length > 0 && bytes + item.bytes > MAX_BATCH_BODY_BYTES) {
        parts.push(part);
        part = [];
        bytes = 0;
      }
      part.push(item);
      bytes += item.bytes + 1;
    }
    parts.push(part);
  }
  await Promise.all(
    parts.map(async (part) => {
      const outcomes = await deliverSplitting(part, (sub) => sendRequest(state, cfg, log, sub));
      part.forEach((item, i) => results.set(item, outcomes[i]));
    }),
  );
  return items.map((i) => results.get(i)!);
}

/** One POST of some alerts; records its one outcome with the breaker, the metrics and adaptive mode. */
async function sendRequest(state: SendState, cfg: ConfigValues, log: Logger, items: readonly Outgoing[]): Promise<Classification> {
  const { client, breaker, metrics } = state;
  const body = moogBody(
    items[0].format,
    items.map((i) => i.text),
  );
  const result = await deliver(client, body, { retryStatuses: cfg.moog_retry_statuses, secrets: state.secrets });
  const c = result.classification;
  metrics.requests.observe({ outcome: outcomeName(c) }, result.durationMs / 1000);
  metrics.batchSize.observe(items.length);
  // Moogsoft has answered: from here on nothing may fail the delivery, or alerts it accepted would be sent
  // again. A breaker result that cannot be written is lost; an unrecorded probe's lease then expires and
  // another request probes.
  const prober = items.find((i) => i.probe);
  if (prober) prober.probe = false; // a split resends the alert: its probe is answered by this request
  const owner = prober?.owner ?? items[0].owner;
  try {
    const forBreaker = breakerOutcome(c);
    if (forBreaker) await breaker.record(forBreaker === 'ok', prober !== undefined, owner);
    else if (prober) await breaker.record(true, true, owner); // Moog answered (a rejection): it is up.
    if (cfg.moog_rate_adaptive && isThrottleSignal(result.status)) await throttle(state, cfg);
  } catch (err) {
    metrics.stateWriteFailures.inc();
    log.warn(
      { err: describeError(err), probe: prober !== undefined },
      'shared breaker/rate state not written; the delivery outcome stands',
    );
  }
  return c;
}

/** Adaptive mode: a 429/503 lowers the shared rate (AIMD state in KV, read by every replica each second). */
async function throttle(
  state: Pick<ForwarderState, 'kv' | 'aimd'>,
  cfg: { moog_rate_limit: number; moog_rate_period: number },
): Promise<void> {
  const aimdCfg = { limit: cfg.moog_rate_limit, periodSeconds: cfg.moog_rate_period };
  const now = Date.now();
  const { state: next } = await casUpdate(
    state.kv,
    AIMD_KEY,
    (v) => {
      const parsed = AimdStateSchema.safeParse(v);
      return parsed.success ? parsed.data : initialAimd(cfg.moog_rate_limit, now);
    },
    (s) => ({ state: aimdThrottled(s, now, aimdCfg), result: null }),
  );
  state.aimd.state = next;
}
