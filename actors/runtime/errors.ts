// Failure as data: a handler throws RetryableError (try again later) or PermanentError (dead-letter now),
// each with a reason from a closed union. Anything else thrown counts as retryable 'handler_error'.
//   throw new RetryableError('transport', 'Moogsoft unreachable', { retryAfterMs: 5000 })
//   throw new PermanentError('rejected', 'Moogsoft answered 400', { status: 400, excerpt })

import type { DlqReason } from '../../protocol/messages.ts';

export type RetryReason = 'transport' | 'timeout' | 'status' | 'rate_limited' | 'dependency' | 'handler_error' | 'deadline';

export class RetryableError extends Error {
  readonly retryable = true;
  readonly reason: RetryReason;
  readonly retryAfterMs?: number;
  constructor(reason: RetryReason, message: string, opts: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'RetryableError';
    this.reason = reason;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export class PermanentError extends Error {
  readonly retryable = false;
  readonly reason: DlqReason;
  readonly status?: number;
  readonly excerpt?: string;
  constructor(reason: DlqReason, message: string, opts: { status?: number; excerpt?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'PermanentError';
    this.reason = reason;
    this.status = opts.status;
    this.excerpt = opts.excerpt;
  }
}

/** One line describing an error for DLQ entries and headers (no stack, bounded). */
export function describeError(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 500 ? text.slice(0, 497) + '...' : text;
}

/**
 * Did a handler reject because `signal` (the process's stop signal) aborted it? True for the signal's own
 * reason (`signal.throwIfAborted()`, an abort listener rejecting with it) and for Node's AbortError that
 * carries it as its cause (`timers/promises` with the signal).
 */
export function isShutdownAbort(err: unknown, signal: AbortSignal): boolean {
  if (!signal.aborted) return false;
  return err === signal.reason || (err instanceof Error && err.cause === signal.reason);
}

/** A handler call that did not settle within its actor's deadline (the runtime stopped waiting for it). */
export class HandlerDeadlineError extends RetryableError {
  readonly deadlineMs: number;
  constructor(actor: string, deadlineMs: number) {
    super('deadline', `${actor} handler did not settle within its deadline of ${deadlineMs} ms`);
    this.name = 'HandlerDeadlineError';
    this.deadlineMs = deadlineMs;
  }
}
