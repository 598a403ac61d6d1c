// The actor contract (Deno-queue style): an actor declares what it consumes, what it may publish, its
// concurrency and retry schedule, and a handler; the runtime owns everything else (actors/runtime/consume.ts).
//   export default defineActor({ name: 'alerter', consumes: { stream: 'MUTT_EVENTS', durable: 'alerter', schema: IngestEvent },
//     publishes: ['mutt.alerts.>'], concurrency: 64, retry: { backoffMs: [1000, 5000] }, async handle(event, ctx) { ... } })

import type { NatsConnection, MsgHdrs } from '@nats-io/transport-node';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { Env } from '../../protocol/env.ts';
import type { StreamName } from '../../protocol/streams.ts';
import type { ConfigValues } from '../../protocol/config-keys.ts';
import type { ConfigView } from './config-view.ts';
import type { Health } from './health.ts';

export interface PublishOptions {
  /** Nats-Msg-Id: JetStream drops a second publish with the same id inside the stream's dedupe window. */
  msgId?: string;
  headers?: Record<string, string>;
  /** Send this Content-Type header (e.g. when republishing a JSON original). */
  contentType?: string;
}

/** What every actor gets from the runtime, once per process. */
export interface ActorRuntime {
  name: string;
  nc: NatsConnection;
  js: JetStreamClient;
  env: Env;
  config: ConfigView;
  log: Logger;
  registry: Registry;
  health: Health;
  signal: AbortSignal;
  /** Publishes a value (validated and msgpack-encoded) to a subject the actor declared in `publishes`. */
  publish<S extends z.ZodType>(subject: string, schema: S, value: z.input<S>, opts?: PublishOptions): Promise<PubAck>;
  /** Publishes bytes as they are (replays of stored originals). */
  publishRaw(subject: string, data: Uint8Array, opts?: PublishOptions): Promise<PubAck>;
}

export interface Delivery {
  subject: string;
  stream: string;
  seq: number;
  /** 1 on first delivery; counts redeliveries (naks, ack timeouts). */
  attempt: number;
  headers?: MsgHdrs;
  /** When the message was stored in the stream (epoch ms). */
  storedAt: number;
}

export interface HandlerContext<State> extends Omit<ActorRuntime, 'log'> {
  state: State;
  delivery: Delivery;
  /** Bound to actor, subject, seq and correlation id. */
  readonly log: Logger;
  /** Tells JetStream the message is still being worked on (the runtime also does this for long handlers). */
  working(): void;
  cfg: ConfigValues;
}

export interface RetryDecision {
  retry: boolean;
  delayMs: number;
}

export interface RetrySchedule {
  /** Delay before attempt 2, 3, ...; after the last one the message is dead-lettered. */
  backoffMs: readonly number[];
  /** Override for actors whose budget is dynamic config (the forwarder): attempt is 1-based, the one that failed. */
  decide?: (
    attempt: number,
    err: unknown,
    ctx: { cfg: ConfigValues; storedAt: number; now: number },
  ) => RetryDecision | { retry: false; reason: 'retries_exhausted' | 'expired' };
  /**
   * Deliveries after which a message is poison (dead-lettered with reason 'poison' before its handler runs):
   * more deliveries than the retry budget allows mean earlier ones ended without an outcome — the handler
   * crashed or hung the process. Default: the backoff schedule's attempts + 2; an actor with `decide` names its own.
   */
  poisonAfter?: (cfg: ConfigValues) => number;
}

/** Registers a cleanup of one start of an actor; cleanups run in reverse order of registration. */
export type RegisterCleanup = (fn: () => unknown) => void;

export interface ConsumingActorDef<S extends z.ZodType, State> {
  name: string;
  consumes: { stream: StreamName; durable: string; schema: S; filter?: string; maxAckPending?: number };
  publishes: readonly string[];
  concurrency: number | ((cfg: ConfigValues) => number);
  retry: RetrySchedule;
  /**
   * How long one handler call may take (ms). Past it the runtime stops keeping the message alive, frees its
   * slot and treats the call as a failed attempt (retried, or dead-lettered with reason 'deadline_exceeded').
   * Default 60 s (DEFAULT_HANDLER_DEADLINE_MS).
   */
  deadlineMs?: number | ((cfg: ConfigValues) => number);
  /** `cleanup(fn)` registers something setup opened (watch, timer): run whenever this start ends, a failed setup included. */
  setup?(rt: ActorRuntime, cleanup: RegisterCleanup): Promise<State>;
  /** Returns a promise while the actor must not pull (breaker open, downstream backlog); undefined when open. */
  gate?(state: State, rt: ActorRuntime): Promise<void> | undefined;
  handle(msg: z.output<S>, ctx: HandlerContext<State>): Promise<void>;
  teardown?(state: State): Promise<void>;
}

/** An actor that is not fed by a consumer: listeners (syslog, traps) and timers (remediation). */
export interface RunningActorDef<State> {
  name: string;
  publishes: readonly string[];
  /** `cleanup(fn)` registers something setup opened (watch, timer): run whenever this start ends, a failed setup included. */
  setup?(rt: ActorRuntime, cleanup: RegisterCleanup): Promise<State>;
  /** Runs until rt.signal aborts, then returns after finishing its own in-flight work. */
  run(rt: ActorRuntime, state: State): Promise<void>;
  teardown?(state: State): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ActorDef = ConsumingActorDef<any, any> | RunningActorDef<any>;

export function defineActor<S extends z.ZodType, State = undefined>(def: ConsumingActorDef<S, State>): ConsumingActorDef<S, State>;
export function defineActor<State = undefined>(def: RunningActorDef<State>): RunningActorDef<State>;
export function defineActor(def: ActorDef): ActorDef {
  if (!/^[a-z][a-z0-9]*$/.test(def.name))
    throw new Error(`actor name '${def.name}' must be lower-case letters and digits (it names metrics)`);
  return def;
}

export function isConsuming(def: ActorDef): def is ConsumingActorDef<z.ZodType, unknown> {
  return 'consumes' in def;
}

/** True when `subject` is matched by a NATS pattern with `*` and `>` wildcards. */
export function subjectMatches(pattern: string, subject: string): boolean {
  // Token by token without splitting: it runs for every publish (the declared-subjects check).
  let pi = 0;
  let si = 0; // start of the subject's current token; -1 once the subject has no more tokens
  while (pi >= 0) {
    if (si < 0) return false;
    const pe = tokenEnd(pattern, pi);
    const se = tokenEnd(subject, si);
    const wild = pe - pi === 1 ? pattern.charCodeAt(pi) : 0;
    if (wild === 0x3e /* > */) return true; // the subject has at least one token here
    if (wild !== 0x2a /* * */ && !sameToken(pattern, pi, pe, subject, si, se)) return false;
    pi = pe < pattern.length ? pe + 1 : -1;
    si = se < subject.length ? se + 1 : -1;
  }
  return si < 0;
}

function tokenEnd(s: string, from: number): number {
  const dot = s.indexOf('.', from);
  return dot < 0 ? s.length : dot;
}

function sameToken(a: string, ai: number, ae: number, b: string, bi: number, be: number): boolean {
  if (ae - ai !== be - bi) return false;
  for (let k = 0; k < ae - ai; k++) if (a.charCodeAt(ai + k) !== b.charCodeAt(bi + k)) return false;
  return true;
}
