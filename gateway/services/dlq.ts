// Dead-letter operations for operators, over actors/remediation/replay.ts (the same code `mutt dlq` and the
// remediation actor use): list by stage / reason / since with a sequence cursor, show one with its original
// payload decoded (JSON when msgpack or JSON, else base64), replay one or all matching a filter, purge by
// filter. Every write is one config-audit record (kind 'dlq') naming the operator's key.
//   await dlq.list({ stage: 'forwarder', limit: 50 }); await dlq.replay(42, change)

import { PermissionViolationError } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { decodeRaw } from '../../protocol/codec.ts';
import type { DlqEntry } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import {
  auditDlqOperation,
  getEntry,
  listEntries,
  purgeEntries,
  replayEntry,
  REPLAYS_HEADER,
  type DlqFilter,
  type StoredEntry,
} from '../../actors/remediation/replay.ts';
import type { Change } from './change.ts';
import { ServiceError } from './errors.ts';
import { subjectCounts, subjectTotal } from './stream-scan.ts';

export interface DlqQuery {
  stage?: string;
  reason?: DlqEntry['reason'];
  /** Only entries whose last failure is at or after this time (epoch ms). */
  since?: number;
  cursor?: number;
  limit: number;
}

export interface DlqPage {
  items: StoredEntry[];
  nextCursor: number | null;
  total: number | null;
}

export interface DecodedPayload {
  /** 'json' when the bytes decode (msgpack or JSON), else 'base64'. */
  encoding: 'json' | 'base64';
  value: unknown;
  bytes: number;
}

export interface ReplayOutcome {
  seq: number;
  to: { stream: string; seq: number };
}

export function decodePayload(entry: DlqEntry): DecodedPayload {
  const bytes = entry.originalPayload;
  try {
    if (bytes.length === 0) throw new Error('empty');
    const value = decodeRaw(bytes, entry.originalHeaders?.['Content-Type']);
    JSON.stringify(value);
    return { encoding: 'json', value, bytes: bytes.length };
  } catch {
    return { encoding: 'base64', value: Buffer.from(bytes).toString('base64'), bytes: bytes.length };
  }
}

const subjectOf = (f: Pick<DlqFilter, 'stage' | 'reason'>) => `mutt.dlq.${f.stage ?? '*'}.${f.reason ?? '*'}`;

export class DlqService {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly log: Logger,
  ) {}

  async list(q: DlqQuery): Promise<DlqPage> {
    const items = await listEntries(this.jsm, {
      stage: q.stage,
      reason: q.reason,
      since: q.since,
      limit: q.limit,
      afterSeq: q.cursor === undefined ? undefined : q.cursor - 1,
    });
    const nextCursor = items.length === q.limit ? items[items.length - 1].seq + 1 : null;
    const total = q.since === undefined ? await subjectTotal(this.jsm, StreamName.dlq, subjectOf(q)).catch(() => null) : null;
    return { items, nextCursor, total };
  }

  async show(seq: number): Promise<StoredEntry & { payload: DecodedPayload }> {
    const e = await getEntry(this.jsm, seq);
    if (!e) throw new ServiceError('not_found', `no dead letter at sequence ${seq}`);
    return { ...e, payload: decodePayload(e.entry) };
  }

  /** Entries by stage and reason (for dashboards). */
  async depth(): Promise<{ stage: string; reason: string; count: number }[]> {
    const counts = await subjectCounts(this.jsm, StreamName.dlq, 'mutt.dlq.>');
    return Object.entries(counts)
      .map(([subject, count]) => {
        const [, , stage, reason] = subject.split('.');
        return { stage, reason, count };
      })
      .sort((a, b) => a.stage.localeCompare(b.stage) || a.reason.localeCompare(b.reason));
  }

  async replay(seq: number, change: Change): Promise<ReplayOutcome> {
    const e = await getEntry(this.jsm, seq);
    if (!e) throw new ServiceError('not_found', `no dead letter at sequence ${seq}`);
    const to = await replayEntry(this.js, this.jsm, seq, e.entry).catch((err: unknown) => {
      throw refusedReplay(seq, e.entry, err);
    });
    await this.record(change, String(seq), 'replay', summary(e), { ...to, [REPLAYS_HEADER]: e.entry.replays + 1 });
    return { seq, to };
  }

  /** Replays up to `limit` entries matching the filter, oldest first. */
  async replayMatching(
    f: Omit<DlqQuery, 'cursor'>,
    change: Change,
  ): Promise<{ replayed: ReplayOutcome[]; failed: { seq: number; error: string }[] }> {
    const entries = await listEntries(this.jsm, { stage: f.stage, reason: f.reason, since: f.since, limit: f.limit });
    const replayed: ReplayOutcome[] = [];
    const failed: { seq: number; error: string }[] = [];
    for (const e of entries) {
      try {
        replayed.push({ seq: e.seq, to: await replayEntry(this.js, this.jsm, e.seq, e.entry) });
      } catch (err) {
        failed.push({ seq: e.seq, error: (err as Error).message });
      }
    }
    await this.record(
      change,
      filterId(f),
      'replay',
      { filter: filterOf(f) },
      { replayed: replayed.length, failed: failed.length, seqs: replayed.map((r) => r.seq) },
    );
    return { replayed, failed };
  }

  async purge(f: Omit<DlqQuery, 'cursor' | 'limit'>, change: Change): Promise<{ purged: number }> {
    const purged = await purgeEntries(this.jsm, { stage: f.stage, reason: f.reason, since: f.since });
    await this.record(change, filterId(f), 'purge', { filter: filterOf(f) }, { purged });
    return { purged };
  }

  async purgeOne(seq: number, change: Change): Promise<{ purged: number }> {
    const e = await getEntry(this.jsm, seq);
    if (!e) throw new ServiceError('not_found', `no dead letter at sequence ${seq}`);
    const ok = await this.jsm.streams.deleteMessage(StreamName.dlq, seq).catch(() => false);
    await this.record(change, String(seq), 'purge', summary(e), { purged: ok ? 1 : 0 });
    return { purged: ok ? 1 : 0 };
  }

  private async record(change: Change, id: string, operation: 'replay' | 'purge', oldValue: unknown, newValue: unknown): Promise<void> {
    try {
      await auditDlqOperation(this.js, {
        actor: change.actor,
        id,
        operation,
        oldValue,
        newValue,
        reason: change.reason,
        correlationId: change.correlationId,
      });
    } catch (err) {
      this.log.error(
        { err: (err as Error).message, id, operation, actor: change.actor, correlationId: change.correlationId },
        'DLQ operation done but its audit record was not stored',
      );
    }
  }
}

function summary(e: StoredEntry) {
  return {
    stage: e.entry.stage,
    reason: e.entry.reason,
    attempts: e.entry.attempts,
    originalSubject: e.entry.originalSubject,
    lastError: e.entry.lastError,
    replays: e.entry.replays,
  };
}

function filterOf(f: { stage?: string; reason?: string; since?: number }) {
  return { stage: f.stage ?? null, reason: f.reason ?? null, since: f.since === undefined ? null : new Date(f.since).toISOString() };
}

/** Audit id of a filter operation: 'stage.reason', 'any' for an absent part (encoded into one subject token). */
function filterId(f: { stage?: string; reason?: string }): string {
  return `${f.stage ?? 'any'}.${f.reason ?? 'any'}`;
}

/**
 * NATS refusing the republish: the gateway's user may not publish alerts (only the alerter, remediation and admin
 * may), so a dead letter of the forwarder is replayed by remediation or by an operator as admin. Other errors pass.
 */
function refusedReplay(seq: number, entry: DlqEntry, err: unknown): unknown {
  const violation = err instanceof PermissionViolationError || (err as { cause?: unknown })?.cause instanceof PermissionViolationError;
  if (!violation) return err;
  return new ServiceError(
    'forbidden',
    `dead letter ${seq} goes back to ${entry.originalSubject}, which this process's NATS user may not publish to (permission denied): remediation replays alert dead letters once Moogsoft is healthy, or run 'mutt dlq replay ${seq}' with NATS_USER=admin`,
    undefined,
    {},
    err,
  );
}
