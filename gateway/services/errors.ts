// Failures of the management services as data: one ServiceError whose `reason` says what went wrong, so the
// HTTP layer maps it to a status in one place (gateway/api/service-errors.ts) and the web UI can switch on it.
//   throw new ServiceError('not_found', `rule 'r1' not found`)
//   throw new ServiceError('invalid', 'rule is invalid', [{ path: 'match_string', message: 'catastrophic …' }])

export const ServiceFailure = {
  /** The input breaks a constraint; `issues` names the fields. */
  invalid: 'invalid',
  notFound: 'not_found',
  /** Creating something that is already there. */
  exists: 'exists',
  /** An If-Match revision that is no longer current (someone else changed it). */
  revisionMismatch: 'revision_mismatch',
  /** NATS refused the operation to this process's user (deploy/nats/accounts.conf), e.g. replaying an alert. */
  forbidden: 'forbidden',
} as const;
export type ServiceFailure = (typeof ServiceFailure)[keyof typeof ServiceFailure];

export interface ServiceIssue {
  /** Dotted path of the field, as the caller named it ('' for the whole input). */
  path: string;
  message: string;
}

export class ServiceError extends Error {
  readonly reason: ServiceFailure;
  readonly issues?: ServiceIssue[];
  /** Extra facts for the caller (e.g. the current revision on a mismatch). */
  readonly details: Record<string, unknown>;
  constructor(reason: ServiceFailure, message: string, issues?: ServiceIssue[], details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, { cause });
    this.name = 'ServiceError';
    this.reason = reason;
    this.issues = issues;
    this.details = details;
  }
}

/** zod issues → ServiceIssue list (paths dotted, array indexes as numbers). */
export function zodIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[], prefix = ''): ServiceIssue[] {
  return issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter((p) => p !== '').join('.'), message: i.message }));
}
