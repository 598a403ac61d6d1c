// The alert rule and host-map entries as stored in KV (mutt_rules, mutt_hosts). Input is lenient where v2.5
// data is (handling case, OID leading dot); what is stored is canonical. Invalid rules are refused on write.

import { z } from 'zod';
import { Handling } from './messages.ts';
import { normaliseOid } from './oid.ts';

/** Rule ids are KV keys and subject tokens: no dots, not starting with '_' (reserved for _unhandled, _meta). */
export const RuleId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'rule id: 1–64 letters, digits, _ or -, not starting with _ or -');

const handlingInput = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .trim()
          .toLowerCase()
          .replace(/[\s-]+/g, '_')
      : v,
  Handling,
);
const oidInput = z
  .preprocess((v) => (v === '' ? null : v), z.string().nullable().optional())
  .transform((v, ctx) => {
    if (v == null) return null;
    const oid = normaliseOid(v);
    if (!oid) ctx.addIssue({ code: 'custom', message: `not a dotted-decimal OID: '${v}'` });
    return oid;
  });

export const RuleInput = z
  .object({
    id: RuleId,
    match_type: z.enum(['contains', 'regex', 'oid_prefix']).default('contains'),
    match_string: z.preprocess((v) => (v === '' ? null : v), z.string().max(1000).nullable().optional()).transform((v) => v ?? null),
    trap_oid: oidInput,
    syslog_severity: z
      .preprocess((v) => (v === '' ? null : v), z.coerce.number().int().min(0).max(7).nullable().optional())
      .transform((v) => v ?? null),
    priority: z.coerce.number().int().min(0).max(1_000_000).default(100),
    prod_handling: handlingInput,
    dev_handling: handlingInput,
    team_assignment: z.string().trim().min(1).max(100),
    is_active: z.preprocess((v) => (v === 't' || v === 'true' ? true : v === 'f' || v === 'false' ? false : v), z.boolean()).default(true),
    description: z.string().max(2000).default(''),
    created_at: z.number().int().optional(),
    created_by: z.string().optional(),
    updated_at: z.number().int().optional(),
    updated_by: z.string().optional(),
  })
  .superRefine((r, ctx) => {
    if (r.match_type === 'oid_prefix') {
      if (!r.trap_oid) ctx.addIssue({ code: 'custom', path: ['trap_oid'], message: 'oid_prefix rules need trap_oid' });
    } else if (!r.match_string) {
      ctx.addIssue({ code: 'custom', path: ['match_string'], message: `${r.match_type} rules need match_string` });
    }
  });
export type Rule = z.output<typeof RuleInput>;

export const HostName = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[^\s]+$/, 'host names have no whitespace');

export const TeamName = z.string().trim().min(1).max(100);

/** Keys of mutt_hosts: 'dev.<host>' (value: DevHost) and 'team.<host>' (value: DeviceTeam). Host is lower-cased and
 *  KV-safe encoded; the value carries the host as written. */
export const DevHost = z.object({
  hostname: HostName,
  note: z.string().max(500).default(''),
  updated_at: z.number().int().optional(),
  updated_by: z.string().optional(),
});
export const DeviceTeam = z.object({
  hostname: HostName,
  team_assignment: TeamName,
  updated_at: z.number().int().optional(),
  updated_by: z.string().optional(),
});
export type DevHost = z.output<typeof DevHost>;
export type DeviceTeam = z.output<typeof DeviceTeam>;

/** KV keys allow [-/_=.a-zA-Z0-9]; host names keep their dots, anything else is %XX-style escaped with '='. */
export function hostKey(kind: 'dev' | 'team', host: string): string {
  const safe = host
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, (c) => '=' + c.charCodeAt(0).toString(16).padStart(2, '0'));
  return `${kind}.${safe}`;
}
