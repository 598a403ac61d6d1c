// How `mutt send` delivers a batch of items: over HTTP to the gateway (POST /api/v2/events, one batch per
// request, Idempotency-Key so a retried batch is deduplicated), or straight into MUTT_EVENTS over NATS (the
// gateway's normaliser and publisher, so events are identical to HTTP ones except source.input 'nats').
// A result says what was stored, refused as invalid, or failed, and whether trying again may help.
//   const r = await sender.send(items, 'run1-7'); if (r.retryable) sleep(r.retryAfterMs)

import type { NatsConnection } from '@nats-io/transport-node';
import type { IngestEvent } from '../../protocol/messages.ts';
import { answerError, type GatewayClient } from './gateway-client.ts';
import type { Item } from './event-source.ts';

export interface BatchResult {
  acked: number;
  duplicates: number;
  rejected: number;
  failed: number;
  /** Failures by cause ('HTTP 503 stream_full', 'unavailable', ...). */
  causes: Record<string, number>;
  /** First problems worth showing (invalid items, error answers). */
  errors: string[];
  /** Worth sending again (backpressure, rate limit, NATS or network down), after retryAfterMs. */
  retryable: boolean;
  retryAfterMs: number;
  /** Stop the whole run (bad key, batch too large). */
  fatal?: string;
  ids: (string | null)[];
  correlationId?: string;
}

export interface Sender {
  readonly target: string;
  send(items: Item[], batchKey: string): Promise<BatchResult>;
  close(): Promise<void>;
}

const empty = (): BatchResult => ({
  acked: 0,
  duplicates: 0,
  rejected: 0,
  failed: 0,
  causes: {},
  errors: [],
  retryable: false,
  retryAfterMs: 0,
  ids: [],
});

function itemErrors(errors: unknown): string[] {
  if (!Array.isArray(errors)) return [];
  return errors
    .slice(0, 3)
    .map(
      (e: { index?: number; issues?: { path: string; message: string }[] }) =>
        `item ${e.index ?? '?'}: ${(e.issues ?? []).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
    );
}

export class HttpSender implements Sender {
  constructor(
    private readonly gw: GatewayClient,
    private readonly correlationId?: string,
  ) {}

  get target(): string {
    return `${this.gw.url}/api/v2/events`;
  }

  async send(items: Item[], batchKey: string): Promise<BatchResult> {
    const r = empty();
    const headers: Record<string, string> = { 'Idempotency-Key': batchKey };
    if (this.correlationId) headers['X-Correlation-ID'] = this.correlationId;
    let a;
    try {
      a = await this.gw.request('POST', '/api/v2/events', { body: items, headers });
    } catch (err) {
      r.failed = items.length;
      r.causes.network = items.length;
      r.errors.push((err as Error).message);
      r.retryable = true;
      r.retryAfterMs = 1000;
      return r;
    }
    const b = (a.body ?? {}) as {
      accepted?: number;
      rejected?: number;
      duplicates?: number[];
      failed?: number[];
      ids?: (string | null)[];
      errors?: unknown;
      reason?: string;
      retryAfterSeconds?: number;
    };
    r.correlationId = a.headers.get('x-correlation-id') ?? undefined;
    r.ids = b.ids ?? [];
    r.acked = b.accepted ?? 0;
    r.duplicates = Array.isArray(b.duplicates) ? b.duplicates.length : 0;
    r.rejected = b.rejected ?? 0;
    r.errors.push(...itemErrors(b.errors));
    const retryAfter = Number(a.headers.get('retry-after') ?? b.retryAfterSeconds ?? 1);
    r.retryAfterMs = (Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1) * 1000;
    if (a.status === 202) return r;
    if (a.status === 400) {
      r.rejected = b.rejected ?? items.length;
      if (r.errors.length === 0) r.errors.push(answerError(a));
      return r;
    }
    const cause = a.status === 503 ? `HTTP 503 ${b.reason ?? ''}`.trim() : `HTTP ${a.status}`;
    r.failed = a.status === 503 && Array.isArray(b.failed) ? b.failed.length : items.length - r.rejected - r.acked;
    r.causes[cause] = r.failed;
    r.errors.push(answerError(a));
    if (a.status === 503 || a.status === 429 || a.status >= 500) r.retryable = true;
    else if (a.status === 401 || a.status === 403)
      r.fatal = `${answerError(a)}: the key needs scope ingest (--key-file, MUTT_API_KEY or --key)`;
    else if (a.status === 413) r.fatal = `${answerError(a)}: send smaller batches (--batch)`;
    else if (a.status === 404) r.fatal = `${answerError(a)}: is ${this.gw.url} a MUTT gateway?`;
    return r;
  }

  async close(): Promise<void> {}
}

export class NatsSender implements Sender {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly url: string,
    private readonly correlationId: string,
    private readonly mods: {
      js: import('../../actors/runtime/js-publisher.ts').JsPublish;
      normalise: typeof import('../../gateway/ingest/normalise.ts').normaliseHttpEvent;
      publish: typeof import('../../actors/runtime/publish-events.ts').publishEvents;
    },
  ) {}

  static async open(nc: NatsConnection, url: string, correlationId: string): Promise<NatsSender> {
    const [{ jsPublisher }, { normaliseHttpEvent }, { publishEvents }] = await Promise.all([
      import('../../actors/runtime/js-publisher.ts'),
      import('../../gateway/ingest/normalise.ts'),
      import('../../actors/runtime/publish-events.ts'),
    ]);
    return new NatsSender(nc, url, correlationId, { js: jsPublisher(nc), normalise: normaliseHttpEvent, publish: publishEvents });
  }

  get target(): string {
    return `MUTT_EVENTS via ${this.url}`;
  }

  async send(items: Item[], batchKey: string): Promise<BatchResult> {
    const r = empty();
    r.correlationId = this.correlationId;
    const events: IngestEvent[] = [];
    const receivedAt = Date.now();
    items.forEach((item, i) => {
      const n = this.mods.normalise(item, {
        receivedAt,
        correlationId: this.correlationId,
        id: `${batchKey}:${i}`,
        raw: JSON.stringify(item),
      });
      if (!n.ok) {
        r.rejected++;
        if (r.errors.length < 3)
          r.errors.push(`item ${i}: ${n.issues.map((x) => (x.path ? `${x.path}: ${x.message}` : x.message)).join('; ')}`);
        r.ids.push(null);
        return;
      }
      const event = { ...n.event, source: { input: 'nats' as const } };
      events.push(event);
      r.ids.push(event.id);
    });
    const outcomes = await this.mods.publish(this.mods.js, events, { timeoutMs: 5000 });
    for (const o of outcomes) {
      if (o.ok) {
        r.acked++;
        if (o.duplicate) r.duplicates++;
      } else {
        r.failed++;
        r.causes[o.reason] = (r.causes[o.reason] ?? 0) + 1;
        if (r.errors.length < 3) r.errors.push(`${o.reason}: ${o.error}`);
        r.retryable = true;
        r.retryAfterMs = o.reason === 'unavailable' ? 2000 : 5000;
      }
    }
    return r;
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }
}
