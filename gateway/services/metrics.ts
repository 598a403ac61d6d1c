// The operational picture in one read, for the dashboard and GET /api/v2/metrics: ingest rates (from the
// shared per-minute counters in KV mutt_counters: this minute, last minute, 15 min and 1 h averages, 24 h per
// hour), depth of every stream and lag of every stage's durable consumer, the DLQ by stage and reason, the
// forwarder's shared circuit breaker (KV mutt_state), and the health of every actor across processes.
//   const m = new MetricsService({ jsm, state, counters, health, config: () => cfg.get() }); await m.snapshot()

import type { JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { ConfigValues } from '../../protocol/config-keys.ts';
import { Durable, StreamName } from '../../protocol/streams.ts';
import { decodeJson } from '../../actors/runtime/kv-mirror.ts';
import { BreakerStateSchema, breakerView, parseBreaker, type BreakerView } from '../../actors/forwarder/breaker.ts';
import type { IngestCounters, IngestSummary } from '../ingest/counters.ts';
import type { DlqService } from './dlq.ts';
import type { ActorHealthTable, ActorSummary, ProcessHealth } from './health-table.ts';
import { BREAKER_KEY } from '../../protocol/state-keys.ts';

export interface StreamDepth {
  stream: string;
  messages: number;
  bytes: number;
  /** Configured cap (-1 = none) and how full the stream is against it (null without a cap). */
  max_msgs: number;
  fill_ratio: number | null;
  first_seq: number;
  last_seq: number;
  consumers: number;
}

export interface ConsumerLag {
  stage: string;
  stream: string;
  durable: string;
  exists: boolean;
  /** Messages not yet delivered to the stage. */
  num_pending: number;
  /** Delivered and not yet acknowledged (in progress, or waiting to be redelivered). */
  num_ack_pending: number;
  num_redelivered: number;
  /** Pull requests waiting (idle workers). */
  num_waiting: number;
}

export interface BreakerReport extends BreakerView {
  /** False when no forwarder has written the breaker yet (a fresh closed breaker is shown). */
  known: boolean;
  since: number | null;
  last_transition: { from: string; to: string; at: number; reason: string } | null;
}

export interface MetricsSnapshot {
  ingest: IngestSummary;
  streams: StreamDepth[];
  consumers: ConsumerLag[];
  dlq: {
    total: number;
    by_reason: Record<string, number>;
    by_stage: Record<string, number>;
    entries: { stage: string; reason: string; count: number }[];
  };
  breaker: BreakerReport;
  actors: Record<string, ActorSummary>;
  processes: ProcessHealth[];
  at: number;
}

/** Which durable consumer does each stage's work. */
export const STAGES = [
  { stage: 'alerter', stream: StreamName.events, durable: Durable.alerter },
  { stage: 'forwarder', stream: StreamName.alerts, durable: Durable.forwarder },
  { stage: 'remediation', stream: StreamName.dlq, durable: Durable.remediation },
] as const;

export interface MetricsDeps {
  jsm: JetStreamManager;
  /** KV mutt_state. */
  state: KV;
  counters: IngestCounters;
  health: ActorHealthTable;
  dlq: DlqService;
  config: () => Pick<ConfigValues, 'breaker_window_seconds'>;
  now?: () => number;
}

export class MetricsService {
  private readonly now: () => number;
  constructor(private readonly deps: MetricsDeps) {
    this.now = deps.now ?? Date.now;
  }

  ingest(): Promise<IngestSummary> {
    return this.deps.counters.summary(this.now());
  }

  async streams(): Promise<StreamDepth[]> {
    return Promise.all(
      Object.values(StreamName).map(async (name) => {
        const info = await this.deps.jsm.streams.info(name);
        const s = info.state;
        const max = info.config.max_msgs;
        return {
          stream: name,
          messages: s.messages,
          bytes: s.bytes,
          max_msgs: max,
          fill_ratio: max > 0 ? s.messages / max : null,
          first_seq: s.first_seq,
          last_seq: s.last_seq,
          consumers: s.consumer_count,
        };
      }),
    );
  }

  async consumers(): Promise<ConsumerLag[]> {
    return Promise.all(
      STAGES.map(async (st) => {
        const ci = await this.deps.jsm.consumers.info(st.stream, st.durable).catch(() => null);
        return {
          stage: st.stage,
          stream: st.stream,
          durable: st.durable,
          exists: ci !== null,
          num_pending: ci?.num_pending ?? 0,
          num_ack_pending: ci?.num_ack_pending ?? 0,
          num_redelivered: ci?.num_redelivered ?? 0,
          num_waiting: ci?.num_waiting ?? 0,
        };
      }),
    );
  }

  async dlq(): Promise<MetricsSnapshot['dlq']> {
    const entries = await this.deps.dlq.depth();
    const by_reason: Record<string, number> = {};
    const by_stage: Record<string, number> = {};
    let total = 0;
    for (const e of entries) {
      by_reason[e.reason] = (by_reason[e.reason] ?? 0) + e.count;
      by_stage[e.stage] = (by_stage[e.stage] ?? 0) + e.count;
      total += e.count;
    }
    return { total, by_reason, by_stage, entries };
  }

  async breaker(): Promise<BreakerReport> {
    const now = this.now();
    const e = await this.deps.state.get(BREAKER_KEY).catch(() => null);
    let raw: unknown = null;
    if (e && e.operation === 'PUT') {
      try {
        raw = decodeJson(e.value);
      } catch {
        raw = null;
      }
    }
    const s = parseBreaker(raw, now);
    const known = BreakerStateSchema.safeParse(raw).success;
    return {
      ...breakerView(s, now, { windowSeconds: this.deps.config().breaker_window_seconds }),
      known,
      since: known ? s.since : null,
      last_transition: s.last,
    };
  }

  async snapshot(): Promise<MetricsSnapshot> {
    const [ingest, streams, consumers, dlq, breaker] = await Promise.all([
      this.ingest(),
      this.streams(),
      this.consumers(),
      this.dlq(),
      this.breaker(),
    ]);
    return {
      ingest,
      streams,
      consumers,
      dlq,
      breaker,
      actors: this.deps.health.actors(),
      processes: this.deps.health.processes(),
      at: this.now(),
    };
  }
}
