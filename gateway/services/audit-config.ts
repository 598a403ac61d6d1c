// The config audit trail: every change to rules, hosts, teams, config, keys and every DLQ operation is one
// ConfigAuditRecord in MUTT_AUDIT_CONFIG on `mutt.audit.config.<kind>.<id>` — who (the key's name), when, old
// and new value, reason, correlation id. Writing never fails the change it records (the change is already
// made): a failed publish is logged loudly. Queries page by stream sequence, filtered by kind and id through
// the subject and by actor / operation per record.
//   await audit.write({ kind: 'rule', id: 'r1', operation: 'create', actor: 'ops', newValue: rule, correlationId })
//   await audit.query({ kind: 'rule', order: 'desc', limit: 50 })

import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { decode, encode } from '../../protocol/codec.ts';
import { ConfigAuditRecord } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { encodeToken, Headers, subjects } from '../../protocol/subjects.ts';
import { countMatching, scanPage, type Order, type ScannedMsg } from './stream-scan.ts';

export type AuditKind = ConfigAuditRecord['kind'];
export type AuditOperation = ConfigAuditRecord['operation'];

export interface ConfigAuditFilter {
  kind?: AuditKind;
  id?: string;
  /** Exact key name. */
  actor?: string;
  /** Case-insensitive substring of the key name (v1's changed_by). */
  actorContains?: string;
  operation?: AuditOperation;
  from?: number;
  to?: number;
  cursor?: number;
  limit: number;
  order: Order;
}

export interface ConfigAuditEntry {
  seq: number;
  record: ConfigAuditRecord;
}

export interface AuditPage<T> {
  items: T[];
  nextCursor: number | null;
  /** Matching records in the whole range, when cheap to know (subject filters only); else null. */
  total: number | null;
  scanned: number;
}

export function configAuditSubject(f: Pick<ConfigAuditFilter, 'kind' | 'id'>): string {
  if (f.kind && f.id !== undefined) return subjects.auditConfigEntry(f.kind, f.id);
  if (f.kind) return `mutt.audit.config.${encodeToken(f.kind)}.*`;
  if (f.id !== undefined) return `mutt.audit.config.*.${encodeToken(f.id)}`;
  return subjects.auditConfig;
}

export class ConfigAuditService {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly log: Logger,
  ) {}

  /** Records a change; resolves to the stream sequence, or null when it could not be stored (logged). */
  async write(r: Omit<ConfigAuditRecord, 'at'> & { at?: number }): Promise<number | null> {
    const record: ConfigAuditRecord = { ...r, at: r.at ?? Date.now() };
    const h = natsHeaders();
    h.set(Headers.correlationId, record.correlationId);
    try {
      const ack = await this.js.publish(subjects.auditConfigEntry(record.kind, record.id), encode(ConfigAuditRecord, record), {
        headers: h,
      });
      return ack.seq;
    } catch (err) {
      this.log.error(
        {
          err: (err as Error).message,
          kind: record.kind,
          id: record.id,
          operation: record.operation,
          actor: record.actor,
          correlationId: record.correlationId,
        },
        'config change made but its audit record was not stored',
      );
      return null;
    }
  }

  async query(f: ConfigAuditFilter): Promise<AuditPage<ConfigAuditEntry>> {
    const subject = configAuditSubject(f);
    const needle = f.actorContains?.toLowerCase();
    const select = (m: ScannedMsg): ConfigAuditRecord | null => {
      const d = decode(ConfigAuditRecord, m.data);
      if (!d.ok) return null;
      const r = d.value;
      if (f.actor !== undefined && r.actor !== f.actor) return null;
      if (needle !== undefined && !r.actor.toLowerCase().includes(needle)) return null;
      if (f.operation !== undefined && r.operation !== f.operation) return null;
      return r;
    };
    const page = await scanPage(this.jsm, {
      stream: StreamName.auditConfig,
      subject,
      order: f.order,
      limit: f.limit,
      cursor: f.cursor,
      from: f.from,
      to: f.to,
      select,
    });
    const postFiltered =
      f.actor !== undefined || needle !== undefined || f.operation !== undefined || f.from !== undefined || f.to !== undefined;
    const total = postFiltered ? null : await countMatching(this.jsm, StreamName.auditConfig, subject).catch(() => null);
    return { items: page.items.map((i) => ({ seq: i.seq, record: i.item })), nextCursor: page.nextCursor, total, scanned: page.scanned };
  }
}
