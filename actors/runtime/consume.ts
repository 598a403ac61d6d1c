// The consume loop every consuming actor runs: bind the durable pull consumer, pull with bounded concurrency,
// decode + validate (bad bytes go to the DLQ, never block the stream), ack on success, nak(delay) on retryable
// failure, dead-letter then term() on permanent failure or the last attempt, keep long handlers alive with
// working(), pause while the actor's gate is closed, recreate a consumer that vanished, drain on abort.
//   await runConsumer(def, rt)   // returns after rt.signal aborts and in-flight work finished

import { AckPolicy, DeliverPolicy, jetstreamManager, type Consumer, type JsMsg, type ConsumerMessages } from '@nats-io/jetstream';
import type { z } from 'zod';
import { decode } from '../../protocol/codec.ts';
import { Headers } from '../../protocol/subjects.ts';
import type { ConsumingActorDef, ActorRuntime, HandlerContext, RetrySchedule } from './define.ts';
import { HandlerDeadlineError, PermanentError, RetryableError, describeError, isShutdownAbort } from './errors.ts';
import { deadLetter } from './dead-letter.ts';
import { actorMetrics } from './metrics.ts';
import { Semaphore } from './semaphore.ts';
import { afterThisTurn, writesQueuedSoFar } from './turn-writes.ts';
import { peekHeader } from './header-peek.ts';
import { BoundedMap } from './bounded-map.ts';
import { setTimeout as delay } from 'node:timers/promises';

const JITTER = 0.2;
/** Deliveries beyond the retry budget with no outcome mean the handler kills the process: poison. */
const POISON_SLACK = 2;
/** First errors of messages still being retried: bounded, as a replica may finish a message retried here. */
const FIRST_ERRORS_MAX = 10_000;
const FIRST_ERRORS_TTL_MS = 24 * 3600_000;
/** How long a handler call may take unless its actor says otherwise (a handler that never settles). */
export const DEFAULT_HANDLER_DEADLINE_MS = 60_000;
/** How often handler deadlines are checked: a deadline is enforced within this much of its time. */
const DEADLINE_SWEEP_MS = 1000;

export function maxAttempts(retry: RetrySchedule): number {
  return retry.backoffMs.length + 1;
}

/** Delay before the next attempt after `attempt` failed, with ±20 % jitter so retries of a burst spread out. */
export function scheduledDelay(retry: RetrySchedule, attempt: number, err: unknown, random = Math.random): number {
  const base = retry.backoffMs[Math.min(attempt - 1, retry.backoffMs.length - 1)] ?? 1000;
  const jittered = Math.round(base * (1 - JITTER + 2 * JITTER * random()));
  const floor = err instanceof RetryableError && err.retryAfterMs ? err.retryAfterMs : 0;
  return Math.max(jittered, floor);
}

export async function ensureConsumer(rt: ActorRuntime, def: ConsumingActorDef<z.ZodType, unknown>): Promise<void> {
  const jsm = await jetstreamManager(rt.nc);
  const c = def.consumes;
  const concurrency = typeof def.concurrency === 'function' ? def.concurrency(rt.config.get()) : def.concurrency;
  const wanted = {
    durable_name: c.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: rt.env.MUTT_ACK_WAIT_MS * 1e6,
    // The runtime decides when to give up (it must dead-letter first); the server never drops silently.
    max_deliver: -1,
    max_ack_pending: c.maxAckPending ?? Math.max(1000, concurrency * 4),
    ...(c.filter ? { filter_subject: c.filter } : {}),
  };
  const info = await jsm.consumers.info(c.stream, c.durable).catch(() => null);
  if (!info) await jsm.consumers.add(c.stream, wanted);
  else if (info.config.ack_wait !== wanted.ack_wait || info.config.max_ack_pending !== wanted.max_ack_pending) {
    await jsm.consumers.update(c.stream, c.durable, { ack_wait: wanted.ack_wait, max_ack_pending: wanted.max_ack_pending });
  }
}

export async function runConsumer<S extends z.ZodType, State>(
  def: ConsumingActorDef<S, State>,
  rt: ActorRuntime,
  state: State,
): Promise<void> {
  const metrics = actorMetrics(rt.registry, def.name);
  const component = `consumer:${def.name}`;
  const { stream, durable, schema } = def.consumes;
  // A concurrency computed from config (the forwarder's moog_concurrency) is read live by the semaphore.
  const sizeOf = def.concurrency;
  const slots = new Semaphore(typeof sizeOf === 'function' ? () => sizeOf(rt.config.get()) : sizeOf);
  const firstErrors = new BoundedMap<number, string>({ max: FIRST_ERRORS_MAX, ttlMs: FIRST_ERRORS_TTL_MS });
  const keepAliveMs = Math.max(1000, Math.floor(rt.env.MUTT_ACK_WAIT_MS / 3));
  const refreshStats = async () => {
    try {
      const jsm = await jetstreamManager(rt.nc);
      const info = await jsm.consumers.info(stream, durable);
      metrics.pending.set(info.num_pending);
      metrics.ackPending.set(info.num_ack_pending);
      // Every message at or below the ack floor is finished, by this process or a replica: its first error is
      // no longer needed. Without this, with replicas the map fills to its cap with messages finished elsewhere.
      const floor = info.ack_floor.stream_seq;
      firstErrors.prune((seq) => seq <= floor);
      metrics.firstErrors.set(firstErrors.size);
      metrics.held.set(held.size);
    } catch {
      /* reported through readiness by the loop */
    }
  };
  const statsTimer = setInterval(() => void refreshStats(), 5000);
  statsTimer.unref();
  // One timer keeps every long-running handler's message ours (working() resets its ack wait), rather than a
  // timer per message: a message handled in a millisecond should not pay for creating and clearing one.
  // Each entry carries its handler's deadline and how to stop waiting for it; one sweep enforces them all.
  const inFlight = new Map<JsMsg, { deadlineAt: number; expire: () => void }>();
  // Fetched and not yet handed to a handler (waiting for a slot or for a closed gate): ours as well.
  const held = new Set<JsMsg>();
  const keepAliveTimer = setInterval(() => {
    for (const msg of inFlight.keys()) msg.working();
    for (const msg of held) msg.working();
  }, keepAliveMs);
  keepAliveTimer.unref();
  const deadlineTimer = setInterval(() => {
    const now = Date.now();
    for (const [msg, f] of inFlight) {
      if (f.deadlineAt > now) continue;
      // Not renewed any more from here on: the message is handed back (or dead-lettered) by onFailure.
      inFlight.delete(msg);
      f.expire();
    }
  }, DEADLINE_SWEEP_MS);
  deadlineTimer.unref();
  const deadlineOf = (cfg: HandlerContext<State>['cfg']) =>
    typeof def.deadlineMs === 'function' ? def.deadlineMs(cfg) : (def.deadlineMs ?? DEFAULT_HANDLER_DEADLINE_MS);

  // A handler's context inherits the runtime and the state instead of copying a dozen fields for every message
  // (docs/PERFORMANCE.md, I).
  class Context {
    constructor(
      private readonly msg: JsMsg,
      readonly cfg: HandlerContext<State>['cfg'],
      readonly delivery: HandlerContext<State>['delivery'],
      private readonly childLog: () => HandlerContext<State>['log'],
    ) {}
    get log() {
      return this.childLog();
    }
    working() {
      this.msg.working();
    }
  }
  Object.setPrototypeOf(Context.prototype, { ...rt, state });

  async function toDlq(
    msg: JsMsg,
    reason: PermanentError['reason'],
    attempts: number,
    lastError: string,
    extra: { status?: number; excerpt?: string } = {},
  ) {
    await deadLetter(rt.js, {
      stage: def.name,
      reason,
      attempts,
      firstError: firstErrors.get(msg.seq) ?? lastError,
      lastError,
      firstSeenAt: Math.floor(msg.info.timestampNanos / 1e6),
      originalSubject: msg.subject,
      originalStream: stream,
      originalSeq: msg.seq,
      originalHeaders: msg.headers,
      originalPayload: msg.data,
      ...extra,
    });
    metrics.deadLettered.inc({ reason });
    firstErrors.delete(msg.seq);
    msg.term();
  }

  async function handleOne(msg: JsMsg): Promise<void> {
    const attempt = msg.info.deliveryCount;
    const storedAt = Math.floor(msg.info.timestampNanos / 1e6);
    let log: HandlerContext<State>['log'] | undefined;
    const childLog = () =>
      (log ??= rt.log.child({
        actor: def.name,
        subject: msg.subject,
        seq: msg.seq,
        correlationId: peekHeader(msg, Headers.correlationId) || undefined,
      }));
    const retry = def.retry;
    const cfg = rt.config.get();
    const poisonAfter = retry.poisonAfter ? retry.poisonAfter(cfg) : retry.decide ? Infinity : maxAttempts(retry) + POISON_SLACK;
    try {
      if (attempt > poisonAfter) {
        childLog().error({ attempt }, 'message redelivered past its budget without an outcome: poison');
        await toDlq(
          msg,
          'poison',
          attempt,
          firstErrors.get(msg.seq) ?? 'delivered repeatedly without an outcome (handler crashed or hung)',
        );
        return;
      }
      const decoded = decode(schema, msg.data, peekHeader(msg, Headers.contentType));
      if (!decoded.ok) {
        childLog().warn({ reason: decoded.error.reason, issues: decoded.error.issues.slice(0, 5) }, 'invalid message dead-lettered');
        await toDlq(msg, decoded.error.reason, attempt, decoded.error.message);
        return;
      }
      const deadlineMs = deadlineOf(cfg);
      let expire!: () => void;
      const expired = new Promise<'expired'>((r) => (expire = () => r('expired')));
      inFlight.set(msg, { deadlineAt: Date.now() + deadlineMs, expire });
      const started = performance.now();
      metrics.inFlight.inc();
      try {
        const ctx = new Context(
          msg,
          cfg,
          {
            subject: msg.subject,
            stream,
            seq: msg.seq,
            attempt,
            storedAt,
            get headers() {
              return msg.headers;
            },
          },
          childLog,
        );
        const handled = def.handle(decoded.value, ctx as unknown as HandlerContext<State>);
        if ((await Promise.race([handled, expired])) === 'expired') {
          // The call may still settle later: whatever it does then is ignored (its result is not acked).
          handled.catch(() => {});
          metrics.deadlineExceeded.inc();
          childLog().error({ attempt, deadlineMs }, 'handler deadline exceeded: slot freed, message no longer kept alive');
          throw new HandlerDeadlineError(def.name, deadlineMs);
        }
      } finally {
        inFlight.delete(msg);
        metrics.inFlight.dec();
        metrics.duration.observe((performance.now() - started) / 1000);
      }
      afterThisTurn(
        () => {
          // nats.js drops a message's ack without a word once its connection is closed: say so instead.
          if (rt.nc.isClosed()) throw new Error('NATS connection closed');
          msg.ack();
        },
        (err) => {
          metrics.ackFailed.inc();
          childLog().warn({ err: describeError(err) }, 'ack not written (connection closed or draining); the message will be redelivered');
        },
      );
      firstErrors.delete(msg.seq);
      metrics.processed.inc();
    } catch (err) {
      await onFailure(msg, err, attempt, storedAt, childLog);
    }
  }

  // When the pull request this process last sent may still be waiting at the server (a fetch stopped by
  // shutdown ends only in the client). nats-server 2.9.10 loses a message nak'd while such a request is
  // waiting (docs/RELIABILITY.md, "Handing messages back at shutdown"): hand-backs wait until it has expired.
  let pullOpenUntil = 0;
  const FETCH_EXPIRES_MS = 5000;
  const PULL_EXPIRY_MARGIN_MS = 250;
  function handBack(msg: JsMsg): void {
    const wait = pullOpenUntil - Date.now();
    msg.nak(wait > 0 ? wait + PULL_EXPIRY_MARGIN_MS : 0);
  }

  async function onFailure(msg: JsMsg, err: unknown, attempt: number, storedAt: number, childLog: () => HandlerContext<State>['log']) {
    if (isShutdownAbort(err, rt.signal)) {
      // The handler stopped because the process is stopping, not because it failed: no failure counted, no
      // backoff — handed back for another replica (at once, or once our last pull request has expired).
      childLog().debug({ attempt }, 'handler stopped by shutdown; message handed back');
      handBack(msg);
      return;
    }
    const text = describeError(err);
    if (!firstErrors.has(msg.seq)) firstErrors.set(msg.seq, text);
    try {
      if (err instanceof PermanentError) {
        metrics.failed.inc({ reason: err.reason });
        childLog().warn({ err: text, reason: err.reason }, 'permanent failure: dead-lettered');
        await toDlq(msg, err.reason, attempt, text, { status: err.status, excerpt: err.excerpt });
        return;
      }
      metrics.failed.inc({ reason: err instanceof RetryableError ? err.reason : 'handler_error' });
      const decision = def.retry.decide
        ? def.retry.decide(attempt, err, { cfg: rt.config.get(), storedAt, now: Date.now() })
        : attempt < maxAttempts(def.retry)
          ? { retry: true as const, delayMs: scheduledDelay(def.retry, attempt, err) }
          : { retry: false as const, reason: 'retries_exhausted' as const };
      if (decision.retry) {
        childLog().info({ err: text, attempt, delayMs: decision.delayMs }, 'retryable failure: will retry');
        msg.nak(decision.delayMs);
      } else {
        const reason =
          err instanceof HandlerDeadlineError ? 'deadline_exceeded' : 'reason' in decision ? decision.reason : 'retries_exhausted';
        childLog().warn({ err: text, attempt, reason }, 'retries exhausted: dead-lettered');
        await toDlq(msg, reason, attempt, text);
      }
    } catch (dlqErr) {
      // Could not store the dead letter: keep the message (it comes back later) rather than lose it.
      childLog().error({ err: describeError(dlqErr) }, 'dead-lettering failed; message kept for retry');
      msg.nak(5000);
    }
  }

  // Fetch exactly as many messages as there are free handler slots: nothing waits in a client buffer where
  // its ack timer would run out unattended, so a pause (gate) or a slow handler never spends an attempt.
  let backoff = 250;
  let fetchIter: ConsumerMessages | undefined;
  const stopFetch = () => fetchIter?.stop();
  rt.signal.addEventListener('abort', stopFetch);
  let bound = false;
  let consumer: Consumer | undefined;
  while (!rt.signal.aborted) {
    try {
      if (!bound) {
        consumer = undefined;
        await ensureConsumer(rt, def as ConsumingActorDef<z.ZodType, unknown>);
        bound = true;
        rt.health.set(component, true);
      }
      let gate = def.gate?.(state, rt);
      if (gate) {
        metrics.paused.set(1);
        while (gate && !rt.signal.aborted) {
          await untilAbort(gate, rt.signal);
          gate = def.gate?.(state, rt);
        }
        metrics.paused.set(0);
        if (rt.signal.aborted) break;
      }
      await slots.acquire();
      const free = slots.free + 1;
      slots.release();
      // Looked up once per binding, not per fetch: each lookup is a consumer-info request to the server.
      consumer ??= await rt.js.consumers.get(stream, durable);
      pullOpenUntil = Date.now() + FETCH_EXPIRES_MS;
      fetchIter = await consumer.fetch({ max_messages: free, expires: FETCH_EXPIRES_MS, idle_heartbeat: 2000 });
      if (rt.signal.aborted) fetchIter.stop();
      // The batch is read off the wire by its own loop into `held`, so every fetched message is kept alive
      // while this loop waits for a gate or a slot, not only the one it is looking at.
      const arrived: JsMsg[] = [];
      let wake: (() => void) | undefined;
      let ended = false;
      let pumpError: unknown;
      const batch = fetchIter;
      const pump = (async () => {
        try {
          for await (const m of batch) {
            held.add(m);
            arrived.push(m);
            wake?.();
          }
        } catch (err) {
          pumpError = err;
        } finally {
          // Filled or expired, the request is over at the server too; stopped by shutdown, it may still wait there.
          if (!rt.signal.aborted) pullOpenUntil = 0;
          ended = true;
          wake?.();
        }
      })();
      for (;;) {
        const msg = arrived.shift();
        if (!msg) {
          if (ended) break;
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
          continue;
        }
        let gated = def.gate?.(state, rt);
        if (gated) {
          // Already delivered to us: kept ours (held, working) until the gate opens, then handled.
          metrics.paused.set(1);
          while (gated && !rt.signal.aborted) {
            await untilAbort(gated, rt.signal);
            gated = def.gate?.(state, rt);
          }
          metrics.paused.set(0);
        }
        if (rt.signal.aborted) {
          // Handed back so another replica takes it now rather than after ack-wait.
          held.delete(msg);
          handBack(msg);
          continue;
        }
        await slots.acquire();
        held.delete(msg);
        void handleOne(msg).finally(() => slots.release());
      }
      await pump;
      if (pumpError) throw pumpError;
      backoff = 250;
    } catch (err) {
      if (rt.signal.aborted) break;
      bound = false;
      rt.health.set(component, false, describeError(err));
      rt.log.warn({ actor: def.name, err: describeError(err) }, 'consumer unavailable; rebinding');
      await sleep(backoff, rt.signal);
      backoff = Math.min(backoff * 2, 5000);
    }
  }
  rt.signal.removeEventListener('abort', stopFetch);
  clearInterval(statsTimer);
  await slots.idle();
  await writesQueuedSoFar(); // the last acks, before the process drains its connection
  clearInterval(keepAliveTimer);
  clearInterval(deadlineTimer);
  rt.health.remove(component);
}

/** Waits for `p` or the abort, whichever first; the abort listener is removed either way (no growth per wait). */
export function untilAbort(p: Promise<unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    p.then(done, done);
  });
}

/** Resolves after `ms`, or at once on abort (never rejects); node's timer removes its listener itself. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => {});
}
