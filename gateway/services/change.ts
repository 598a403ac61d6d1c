// Who makes a configuration change and why: every write of the management services takes one, and it ends up
// in the config-audit record (MUTT_AUDIT_CONFIG). `actor` is the API key's NAME (or 'cli', 'ui'), never a secret.
//   await rules.create(input, { actor: principal.name, correlationId, reason: 'new core switch' })

export interface Change {
  actor: string;
  correlationId: string;
  reason?: string;
  /** Expected current revision (If-Match): the write fails with 'revision_mismatch' when it moved on. */
  ifMatch?: number;
}
