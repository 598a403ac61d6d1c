// The one place that decides what an attempt to deliver to Moogsoft means: success, retry later, or dead-letter
// now. v2.5 dead-lettered 202/204 and 408 and retried nothing else in 4xx; here every 2xx is success, the
// configured statuses and every 5xx are retried (honouring Retry-After), transport failures and timeouts are
// retried, and any other status is a permanent rejection carrying a bounded, scrubbed excerpt.
//   classifyOutcome({ status: 429, headers: { 'retry-after': '5' } }, { retryStatuses: [429] })
//     -> { kind: 'retry', reason: 'status', retryAfterMs: 5000, detail: 'HTTP 429' }
//   classifyOutcome({ error: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }, cfg)
//     -> { kind: 'retry', reason: 'transport', detail: 'ECONNREFUSED: x' }

import { PermanentError, RetryableError } from '../runtime/errors.ts';
import { excerpt } from './scrub.ts';

export type Outcome = {
  status?: number;
  headers?: Headers | Record<string, string | string[] | undefined>;
  bodyExcerpt?: string;
  error?: Error;
};

export type Classification =
  | { kind: 'success' }
  | { kind: 'retry'; reason: 'transport' | 'timeout' | 'status'; retryAfterMs?: number; detail: string; status?: number }
  | { kind: 'permanent'; reason: 'rejected'; status: number; excerpt: string };

export interface ClassifyConfig {
  retryStatuses: readonly number[];
  /** Exact secret values to scrub from excerpts, in addition to credential-shaped text. */
  secrets?: readonly string[];
}

/** A Retry-After longer than this is treated as this: a confused server must not park alerts for days. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

export type DeliveryReason = 'transport' | 'timeout' | 'status' | 'rejected';

/** Every failure to deliver, whatever its cause: the reason says which, retryable says what to do. */
export class DeliveryError extends Error {
  readonly reason: DeliveryReason;
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly excerpt?: string;
  /** Node's errno-style code of a transport failure (ECONNREFUSED, ECONNRESET, ...). */
  readonly code?: string;
  constructor(
    reason: DeliveryReason,
    message: string,
    opts: { retryable?: boolean; status?: number; retryAfterMs?: number; excerpt?: string; code?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'DeliveryError';
    this.reason = reason;
    this.retryable = opts.retryable ?? reason !== 'rejected';
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
    this.excerpt = opts.excerpt;
    this.code = opts.code;
  }
}

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ABORT_ERR_TIMEOUT',
]);

export function classifyOutcome(outcome: Outcome, cfg: ClassifyConfig, now: number = Date.now()): Classification {
  if (outcome.error) return classifyError(outcome.error);
  const status = outcome.status;
  if (status === undefined) return { kind: 'retry', reason: 'transport', detail: 'no response' };
  if (status >= 200 && status < 300) return { kind: 'success' };
  if (status >= 500 || cfg.retryStatuses.includes(status)) {
    const retryAfterMs = parseRetryAfter(headerValue(outcome.headers, 'retry-after'), now);
    return { kind: 'retry', reason: 'status', status, detail: `HTTP ${status}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  // 1xx as a final answer, 3xx (redirects are not followed: a moved endpoint is a configuration error) and 4xx.
  return { kind: 'permanent', reason: 'rejected', status, excerpt: excerpt(outcome.bodyExcerpt ?? '', cfg.secrets) };
}

function classifyError(err: Error): Classification {
  if (err instanceof DeliveryError) {
    if (err.reason === 'timeout') return { kind: 'retry', reason: 'timeout', detail: err.message };
    if (err.reason === 'transport') return { kind: 'retry', reason: 'transport', detail: err.message };
  }
  const code = (err as { code?: unknown }).code;
  const isTimeout = err.name === 'TimeoutError' || (typeof code === 'string' && TIMEOUT_CODES.has(code));
  const detail = `${typeof code === 'string' ? code + ': ' : ''}${err.message}`.slice(0, 300);
  // Anything else that went wrong before a status arrived (refused, reset, DNS, TLS) may heal: retry it.
  return { kind: 'retry', reason: isTimeout ? 'timeout' : 'transport', detail };
}

function headerValue(headers: Outcome['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const rec = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : rec[key];
  return Array.isArray(v) ? v[0] : v;
}

/** Retry-After as delta-seconds or an HTTP date, in ms from now (≥ 0, capped); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(ms)));
}

/** The error to throw for a failed attempt, so the caller handles every cause with one instanceof. */
export function toDeliveryError(c: Exclude<Classification, { kind: 'success' }>): DeliveryError {
  if (c.kind === 'permanent') {
    return new DeliveryError('rejected', `Moogsoft rejected the alert: HTTP ${c.status}`, { status: c.status, excerpt: c.excerpt });
  }
  return new DeliveryError(c.reason, `Moogsoft delivery failed: ${c.detail}`, { status: c.status, retryAfterMs: c.retryAfterMs });
}

/** Maps a DeliveryError onto the actor runtime's retry / dead-letter errors. */
export function toHandlerError(err: DeliveryError): RetryableError | PermanentError {
  if (!err.retryable) return new PermanentError('rejected', err.message, { status: err.status, excerpt: err.excerpt, cause: err });
  const reason = err.status === 429 ? 'rate_limited' : err.reason === 'rejected' ? 'status' : err.reason;
  return new RetryableError(reason, err.message, { retryAfterMs: err.retryAfterMs, cause: err });
}

/**
 * What an attempt tells the circuit breaker: retryable failures say Moogsoft is unwell; a permanent
 * rejection (a bad alert, a wrong key) says nothing about its health and is not counted.
 */
export function breakerOutcome(c: Classification): 'ok' | 'fail' | null {
  return c.kind === 'success' ? 'ok' : c.kind === 'retry' ? 'fail' : null;
}
