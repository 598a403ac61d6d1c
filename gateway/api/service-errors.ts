// The one mapping from a service failure (gateway/services/errors.ts) to an HTTP answer:
// invalid → 400 with issues, forbidden → 403, not_found → 404, exists → 409, revision_mismatch → 412 with the current ETag.
//   catch (err) { throw toHttpError(err) }

import { ServiceError } from '../services/errors.ts';
import { httpError, type ApiHttpError } from '../http-error.ts';
import { etag } from './common.ts';

const STATUS = { invalid: 400, forbidden: 403, not_found: 404, exists: 409, revision_mismatch: 412 } as const;

export function toHttpError(err: unknown): unknown {
  if (!(err instanceof ServiceError)) return err;
  const headers: Record<string, string> = {};
  const current = err.details.current;
  if (err.reason === 'revision_mismatch' && typeof current === 'number') headers.ETag = etag(current);
  const out: ApiHttpError = httpError(STATUS[err.reason], {
    message: err.message,
    issues: err.issues,
    headers,
    body: err.details,
    cause: err,
  });
  return out;
}
