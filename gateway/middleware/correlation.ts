// Correlation id of a request: the sender's `X-Correlation-ID` when it is a sane token (1–200 visible ASCII
// characters), else a new UUID. Stored as c.get('correlationId') and echoed as a response header, so a
// sender can find its request in MUTT's logs and on the events (Mutt-Correlation-Id).
//   app.use(correlationId())

import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';

const TOKEN = /^[\x21-\x7e]{1,200}$/;

/** True for ids MUTT accepts from outside (correlation ids, event ids, idempotency keys). */
export function isSafeToken(value: unknown, max = 200): value is string {
  return typeof value === 'string' && value.length <= max && TOKEN.test(value);
}

export function correlationId() {
  return async function correlationId(c: Context, next: () => Promise<void>) {
    const given = c.req.header('x-correlation-id');
    const id = isSafeToken(given) ? given : randomUUID();
    c.set('correlationId', id);
    c.header('X-Correlation-ID', id);
    await next();
  };
}
