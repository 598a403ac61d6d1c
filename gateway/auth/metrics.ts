// `mutt_gateway_auth_failures_total{reason}` on a registry, created once and shared by every route that
// authenticates. reason: missing | invalid | scope | throttled.
//   authFailures(registry).inc({ reason: 'invalid' })

import { Counter, type Registry } from 'prom-client';

export const AuthFailure = { missing: 'missing', invalid: 'invalid', scope: 'scope', throttled: 'throttled' } as const;
export type AuthFailure = (typeof AuthFailure)[keyof typeof AuthFailure];

const NAME = 'mutt_gateway_auth_failures_total';

export function authFailures(registry: Registry): Counter<'reason'> {
  const existing = registry.getSingleMetric(NAME);
  if (existing) return existing as Counter<'reason'>;
  const c = new Counter({ name: NAME, help: 'Refused authentications by reason.', labelNames: ['reason'] as const, registers: [registry] });
  for (const reason of Object.values(AuthFailure)) c.inc({ reason }, 0);
  return c;
}
