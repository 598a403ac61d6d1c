// Queries of the event audit trail (MUTT_AUDIT_EVENTS, one EventAuditRecord per handled event on
// `mutt.audit.event.<host-token>.<rule>`): host and rule filters become the subject filter, so they cost one
// read per match. So do the decisions 'unhandled' and 'meta_alert', which the alerter only ever writes on the
// rules `_unhandled` and `_meta`; the other decisions and forwarded are checked per record (decision from the
// Mutt-Decision header, before decoding). Totals come from stream subject counts when the subject says it all.
//   await events.query({ host: 'core-sw1.example.com', order: 'desc', limit: 100 })

import type { JetStreamManager } from '@nats-io/jetstream';
import { decode } from '../../protocol/codec.ts';
import { EventAuditRecord, type Decision } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { Headers, META_RULE, UNHANDLED_RULE, ruleToken, subjects } from '../../protocol/subjects.ts';
import type { AuditPage } from './audit-config.ts';
import { countMatching, scanPage, type Order, type ScannedMsg } from './stream-scan.ts';

export interface EventAuditFilter {
  host?: string;
  /** A rule id, or '_unhandled' / '_meta'. */
  rule?: string;
  decision?: Decision;
  forwarded?: boolean;
  from?: number;
  to?: number;
  cursor?: number;
  limit: number;
  order: Order;
}

export interface EventAuditEntry {
  seq: number;
  storedAt: number;
  record: EventAuditRecord;
}

export function eventAuditSubject(f: Pick<EventAuditFilter, 'host' | 'rule'>): string {
  if (f.host !== undefined && f.rule !== undefined) return subjects.auditEvent(f.host, f.rule);
  if (f.host !== undefined) return subjects.auditEventsByHost(f.host);
  if (f.rule !== undefined) return subjects.auditEventsByRule(f.rule);
  return subjects.auditEvents;
}

export class EventAuditService {
  constructor(private readonly jsm: JetStreamManager) {}

  async query(f: EventAuditFilter): Promise<AuditPage<EventAuditEntry>> {
    const ruleOfDecision = decisionRule(f.decision);
    if (ruleOfDecision !== undefined && f.rule !== undefined && ruleToken(f.rule) !== ruleOfDecision)
      return { items: [], nextCursor: null, total: 0, scanned: 0 };
    const subject = eventAuditSubject({ host: f.host, rule: f.rule ?? ruleOfDecision });
    const select = (m: ScannedMsg): EventAuditRecord | null => {
      if (f.decision !== undefined) {
        const d = m.header?.get(Headers.decision);
        if (d && d !== f.decision) return null;
      }
      const r = decode(EventAuditRecord, m.data);
      if (!r.ok) return null;
      if (f.decision !== undefined && r.value.decision !== f.decision) return null;
      if (f.forwarded !== undefined && r.value.forwarded !== f.forwarded) return null;
      return r.value;
    };
    // The subject's count is the page's total when nothing else filters, and sizes the first newest-first window.
    const matches = await countMatching(this.jsm, StreamName.auditEvents, subject).catch(() => undefined);
    const page = await scanPage(this.jsm, {
      stream: StreamName.auditEvents,
      subject,
      order: f.order,
      limit: f.limit,
      cursor: f.cursor,
      from: f.from,
      to: f.to,
      select,
      matches,
    });
    const bySubject =
      (f.decision === undefined || ruleOfDecision !== undefined) && f.forwarded === undefined && f.from === undefined && f.to === undefined;
    const total = bySubject ? (matches ?? null) : null;
    return {
      items: page.items.map((i) => ({ seq: i.seq, storedAt: i.time, record: i.item })),
      nextCursor: page.nextCursor,
      total,
      scanned: page.scanned,
    };
  }
}

/** The rule token a decision is always stored under, for the decisions that have one. */
function decisionRule(d: Decision | undefined): string | undefined {
  if (d === 'unhandled') return UNHANDLED_RULE;
  if (d === 'meta_alert') return META_RULE;
  return undefined;
}
