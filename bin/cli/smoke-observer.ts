// Where `mutt smoke` looks to follow its canary: the gateway's management API (GET /api/v2/audit/events,
// /api/v2/metrics, /api/v2/dlq; POST/DELETE /api/v2/rules) with the smoke key, or — where that API is not
// reachable with the key — the same management services straight over NATS. Both answer the same questions.
//   const o = await httpObserver(gw) ?? await natsObserver(); await o.audit('mutt-smoke', eventId)

import type { GatewayClient } from './gateway-client.ts';
import { answerError } from './gateway-client.ts';
import { CommandFailed, withServices, type ServicesSession } from './session.ts';

export interface StreamPosition {
  first_seq: number;
  last_seq: number;
  messages: number;
}

export interface AuditHit {
  at: number;
  rule_id: string | null;
  decision: string;
  forwarded: boolean;
  alert_id: string | null;
}

export interface DeadLetterHit {
  seq: number;
  stage: string;
  reason: string;
  last_error: string;
}

export type RuleOutcome = 'created' | 'forbidden';

export interface Observer {
  readonly via: string;
  createRule(rule: Record<string, unknown>): Promise<RuleOutcome>;
  deleteRule(id: string): Promise<void>;
  audit(host: string, eventId: string): Promise<AuditHit | null>;
  streams(): Promise<{ events: StreamPosition; alerts: StreamPosition }>;
  deadLetter(correlationId: string, since: number): Promise<DeadLetterHit | null>;
  breaker(): Promise<string | null>;
  close(): Promise<void>;
}

type StreamRow = StreamPosition & { stream: string };

function positions(rows: StreamRow[]): { events: StreamPosition; alerts: StreamPosition } {
  const get = (name: string) => {
    const s = rows.find((r) => r.stream === name);
    if (!s) throw new CommandFailed(`stream ${name} missing from the metrics`);
    return { first_seq: s.first_seq, last_seq: s.last_seq, messages: s.messages };
  };
  return { events: get('MUTT_EVENTS'), alerts: get('MUTT_ALERTS') };
}

/** The management API with this key, or the reason it cannot be used (not mounted, key without read). */
export async function httpObserver(gw: GatewayClient): Promise<Observer | string> {
  const probe = await gw.request('GET', '/api/v2/metrics');
  if (probe.status !== 200) return `management API at ${gw.url}: ${answerError(probe)}`;
  const ok = async (method: string, path: string, opts: Parameters<GatewayClient['request']>[2] = {}) => {
    const a = await gw.request(method, path, opts);
    if (a.status >= 300) throw new CommandFailed(`${method} ${path}: ${answerError(a)}`);
    return a.body;
  };
  return {
    via: `${gw.url} (management API)`,
    async createRule(rule) {
      const a = await gw.request('POST', '/api/v2/rules', { body: rule, headers: { 'X-Change-Reason': 'mutt smoke canary (temporary)' } });
      if (a.status === 201 || a.status === 200) return 'created';
      if (a.status === 403 || a.status === 401) return 'forbidden';
      throw new CommandFailed(`POST /api/v2/rules: ${answerError(a)}`);
    },
    async deleteRule(id) {
      await ok('DELETE', `/api/v2/rules/${encodeURIComponent(id)}`, { headers: { 'X-Change-Reason': 'mutt smoke canary done' } });
    },
    async audit(host, eventId) {
      const body = await ok('GET', '/api/v2/audit/events', { query: { host, limit: 100 } });
      const hit = (
        body.items as {
          event_id: string;
          at: string;
          rule_id: string | null;
          decision: string;
          forwarded: boolean;
          alert_id: string | null;
        }[]
      ).find((i) => i.event_id === eventId);
      return hit
        ? { at: Date.parse(hit.at), rule_id: hit.rule_id, decision: hit.decision, forwarded: hit.forwarded, alert_id: hit.alert_id }
        : null;
    },
    async streams() {
      return positions((await ok('GET', '/api/v2/metrics')).streams as StreamRow[]);
    },
    async deadLetter(correlationId, since) {
      const body = await ok('GET', '/api/v2/dlq', { query: { since: new Date(since).toISOString(), limit: 500 } });
      const hit = (body.items as { seq: number; stage: string; reason: string; last_error: string; correlation_id: string | null }[]).find(
        (i) => i.correlation_id === correlationId,
      );
      return hit ? { seq: hit.seq, stage: hit.stage, reason: hit.reason, last_error: hit.last_error } : null;
    },
    async breaker() {
      return ((await ok('GET', '/api/v2/metrics')).breaker?.status as string | undefined) ?? null;
    },
    async close() {},
  };
}

/** The management services over NATS (NATS_URL etc.), kept open until close(). */
export async function natsObserver(actor: string): Promise<Observer> {
  let resolveSession!: (s: ServicesSession) => void;
  const ready = new Promise<ServicesSession>((r) => (resolveSession = r));
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  const running = withServices('smoke', async (s) => {
    resolveSession(s);
    await done;
  });
  const s = await Promise.race([
    ready,
    running.then(() => {
      throw new CommandFailed('NATS session ended early');
    }),
  ]);
  const change = (reason: string) => ({ actor, correlationId: `cli-smoke-${process.pid}`, reason });
  return {
    via: `${s.url} (NATS)`,
    async createRule(rule) {
      await s.services.rules.create(rule, change('mutt smoke canary (temporary)'));
      return 'created';
    },
    async deleteRule(id) {
      await s.services.rules.remove(id, change('mutt smoke canary done'));
    },
    async audit(host, eventId) {
      const page = await s.services.eventAudit.query({ host, limit: 100, order: 'desc' });
      const hit = page.items.find((i) => i.record.eventId === eventId);
      return hit
        ? {
            at: hit.record.at,
            rule_id: hit.record.ruleId,
            decision: hit.record.decision,
            forwarded: hit.record.forwarded,
            alert_id: hit.record.alertId ?? null,
          }
        : null;
    },
    async streams() {
      return positions(await s.services.metrics.streams());
    },
    async deadLetter(correlationId, since) {
      const page = await s.services.dlq.list({ since, limit: 500 });
      const hit = page.items.find((e) => e.entry.correlationId === correlationId);
      return hit ? { seq: hit.seq, stage: hit.entry.stage, reason: hit.entry.reason, last_error: hit.entry.lastError } : null;
    },
    async breaker() {
      return (await s.services.metrics.breaker()).status;
    },
    async close() {
      release();
      await running;
    },
  };
}
