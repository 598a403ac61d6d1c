// JetStream publish for the hot paths (every event the gateway and listeners store, every alert and audit record
// the alerter writes), without what nats.js's `js.publish` costs per message: a request object with its own
// timer, a random token, and an Error with a stack trace built after every *successful* request
// (RequestOne.cancel). Here one subscription on a private inbox answers every publish, one sweep timer
// enforces the deadlines, and publishes made during one event-loop turn leave in one socket write (turn-writes.ts).
// Headers are a plain record written straight into the header block: nats.js's MsgHdrs canonicalises, copies and
// re-validates every key on each set, and was a quarter of the alerter's allocations.
// Errors match what callers already classify: a JetStreamApiError for a refused store (stream full, wrong
// expectations), a PublishTimeoutError, or a NoStreamError when nothing answers for the subject.
//   const pub = jsPublisher(nc)
//   const ack = await pub.publish(subject, bytes, { msgID, headers: { 'Mutt-Host': 'r1' }, timeout: 5000 })   // { stream, seq, duplicate }

import { createInbox, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { JetStreamApiError, type PubAck } from '@nats-io/jetstream';
import { afterThisTurn } from './turn-writes.ts';
import { inboxPrefixOf } from './connect.ts';

export interface JsPublishOptions {
  msgID?: string;
  /** Header name → value; names are HTTP-style tokens, values one line (CR or LF is refused). */
  headers?: Readonly<Record<string, string>>;
  /** Milliseconds to wait for the PubAck (default 5,000). */
  timeout?: number;
}

/** What the hot paths need of a JetStream client (tests may pass a stub that records what it is given). */
export interface JsPublish {
  publish(subject: string, data: Uint8Array, opts?: JsPublishOptions): Promise<PubAck>;
}

export class PublishTimeoutError extends Error {
  override name = 'PublishTimeoutError';
}

/** No stream captures the subject, or its leader is moving: the server answered "no responders". */
export class NoStreamError extends Error {
  override name = 'NoStreamError';
}

interface Pending {
  resolve(ack: PubAck): void;
  reject(err: Error): void;
  deadline: number;
  subject: string;
}

const SWEEP_MS = 100;
const DEFAULT_TIMEOUT_MS = 5000;
const MSG_ID = 'Nats-Msg-Id';
const decoder = new TextDecoder();
const encoder = new TextEncoder();
// RFC 7230 token characters: what a header name may hold (nats.js refuses the same names).
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const LINE_BREAK = /[\r\n]/;

/** One `Name: value` line of a header block; a value must stay on one line. */
function headerLine(name: string, value: string): string {
  if (LINE_BREAK.test(value)) throw new Error(`header ${name}: values cannot contain \\r or \\n`);
  return `\r\n${name}: ${value.trim()}`;
}

/** The wire form of a header block, as nats.js's MsgHdrs.encode() gives it; null when there is nothing to send. */
export function encodeHeaderBlock(msgID: string | undefined, headers: Readonly<Record<string, string>> | undefined): Uint8Array | null {
  let block = 'NATS/1.0';
  if (headers) {
    for (const name in headers) {
      if (name === MSG_ID && msgID) continue; // msgID wins, as nats.js's set() would have it
      if (!HEADER_NAME.test(name)) throw new Error(`invalid header name '${name}'`);
      block += headerLine(name, headers[name]);
    }
  }
  if (msgID !== undefined && msgID !== '') block += headerLine(MSG_ID, msgID);
  return block === 'NATS/1.0' ? null : encoder.encode(`${block}\r\n\r\n`);
}

/** Hands nats.js a header block that is already encoded: its publish only ever calls encode(). */
function preEncoded(block: Uint8Array): MsgHdrs {
  return { encode: () => block } as unknown as MsgHdrs;
}

export class JsPublisher implements JsPublish {
  private readonly prefix: string;
  private seq = 0;
  private readonly pending = new Map<string, Pending>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private closedError: Error | undefined;

  constructor(private readonly nc: NatsConnection) {
    // Under the connection's own inbox prefix: its NATS user may subscribe to nothing else (accounts.conf).
    this.prefix = `${createInbox(inboxPrefixOf(nc))}.`;
    nc.subscribe(`${this.prefix}*`, { callback: (err, msg) => this.onReply(err, msg) });
    void nc.closed().then(() => this.failAll(new Error('NATS connection closed')));
  }

  publish(subject: string, data: Uint8Array, opts: JsPublishOptions = {}): Promise<PubAck> {
    if (this.closedError || this.nc.isClosed()) return Promise.reject(this.closedError ?? new Error('NATS connection closed'));
    let block: Uint8Array | null;
    try {
      block = encodeHeaderBlock(opts.msgID, opts.headers);
    } catch (err) {
      return Promise.reject(err);
    }
    const h = block ? preEncoded(block) : undefined;
    const token = String(++this.seq);
    return new Promise<PubAck>((resolve, reject) => {
      this.pending.set(token, { resolve, reject, deadline: Date.now() + (opts.timeout ?? DEFAULT_TIMEOUT_MS), subject });
      // Written with everything else published or acked in this turn of the event loop, in one socket write.
      afterThisTurn(() => this.send(subject, data, this.prefix + token, h));
      this.sweepTimer ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
    });
  }

  /** Publishes still waiting for their PubAck. */
  get inFlight(): number {
    return this.pending.size;
  }

  private send(subject: string, data: Uint8Array, reply: string, headers: MsgHdrs | undefined): void {
    try {
      this.nc.publish(subject, data, { reply, headers });
    } catch (err) {
      this.settle(reply.slice(this.prefix.length))?.reject(err as Error);
    }
  }

  private onReply(err: Error | null, msg: Msg | undefined): void {
    if (err) {
      // The subscription itself failed (e.g. the server refused it: permissions) and comes with no message.
      // Nothing will answer on this inbox any more: fail what waits and refuse what comes, naming the cause.
      this.failAll(err);
      return;
    }
    if (!msg) return;
    const p = this.settle(msg.subject.slice(this.prefix.length));
    if (!p) return; // answered after its deadline: the caller was already told it timed out
    if (msg.data.length === 0 && msg.headers?.code === 503) {
      return p.reject(new NoStreamError(`no JetStream stream answered for ${p.subject} (no stream captures it, or its leader is moving)`));
    }
    let r: {
      stream?: string;
      seq?: number;
      duplicate?: boolean;
      domain?: string;
      error?: { code: number; err_code: number; description: string };
    };
    try {
      r = JSON.parse(decoder.decode(msg.data));
    } catch {
      return p.reject(new Error(`invalid PubAck for ${p.subject}`));
    }
    if (r.error) return p.reject(new JetStreamApiError(r.error));
    if (!r.stream || typeof r.seq !== 'number') return p.reject(new Error(`invalid PubAck for ${p.subject}`));
    p.resolve({ stream: r.stream, seq: r.seq, duplicate: r.duplicate === true, domain: r.domain ?? '' } as PubAck);
  }

  private settle(token: string): Pending | undefined {
    const p = this.pending.get(token);
    if (p) this.pending.delete(token);
    if (this.pending.size === 0 && this.sweepTimer) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
    }
    return p;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, p] of this.pending) {
      if (p.deadline <= now) {
        this.settle(token);
        p.reject(new PublishTimeoutError(`no PubAck for ${p.subject} within the publish timeout`));
      }
    }
  }

  private failAll(err: Error): void {
    this.closedError = err;
    for (const token of [...this.pending.keys()]) this.settle(token)?.reject(err);
  }
}

const publishers = new WeakMap<NatsConnection, JsPublisher>();

/** The one publisher of a connection (its inbox subscription is made on first use). */
export function jsPublisher(nc: NatsConnection): JsPublisher {
  let p = publishers.get(nc);
  if (!p) {
    p = new JsPublisher(nc);
    publishers.set(nc, p);
  }
  return p;
}
