// SNMPv1 trap identity as the SNMPv2 snmpTrapOID.0 it maps to (RFC 3584 §3.1), so v1 and v2c traps of the same
// event match the same rules: generic 0–5 are the standard traps under snmpTraps; enterpriseSpecific(6) is the
// enterprise OID, then 0, then the specific-trap number.
//   v1TrapOid('.1.3.6.1.4.1.9', 2, 0) === '.1.3.6.1.6.3.1.1.5.3'            (linkDown)
//   v1TrapOid('.1.3.6.1.4.1.8072.3.2.10', 6, 17) === '.1.3.6.1.4.1.8072.3.2.10.0.17'

import { normaliseOid } from '../../protocol/oid.ts';

/** snmpTraps: coldStart(1) … egpNeighborLoss(6) are generic 0 … 5 plus one. */
export const SNMP_TRAPS_PREFIX = '.1.3.6.1.6.3.1.1.5';
export const ENTERPRISE_SPECIFIC = 6;

/** The v2 trap OID, or null when the v1 fields cannot name one (generic out of range, bad enterprise). */
export function v1TrapOid(enterprise: string | undefined, generic: number | undefined, specific: number | undefined): string | null {
  if (generic === undefined || !Number.isInteger(generic)) return null;
  if (generic >= 0 && generic < ENTERPRISE_SPECIFIC) return `${SNMP_TRAPS_PREFIX}.${generic + 1}`;
  if (generic !== ENTERPRISE_SPECIFIC || specific === undefined || !Number.isInteger(specific) || specific < 0) return null;
  const base = normaliseOid(enterprise);
  return base ? `${base}.0.${specific}` : null;
}
