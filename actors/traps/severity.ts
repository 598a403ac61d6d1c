// Severity of a trap, when one of its varbinds states it; otherwise null (a trap says nothing about severity
// by itself, and MUTT does not guess). Known carriers: Cisco clogHistSeverity (CISCO-SYSLOG-MIB, 1 emergency
// … 8 debug) in clogMessageGenerated traps, and any varbind whose value is a severity word under a column
// listed here.
//   trapSeverity([{ oid: '.1.3.6.1.4.1.9.9.41.1.2.3.1.3.12', type: 'Integer', value: 4 }]) === 3

import type { Varbind } from '../../protocol/messages.ts';
import { normaliseSeverity } from '../../protocol/severity.ts';
import { longestListedPrefix } from './names.ts';

type Reader = (value: Varbind['value']) => number | null;

const oneToEight: Reader = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 8 ? v - 1 : null);

export const SEVERITY_VARBINDS: Record<string, Reader> = {
  '.1.3.6.1.4.1.9.9.41.1.2.3.1.3': oneToEight, // CISCO-SYSLOG-MIB clogHistSeverity
};

export function trapSeverity(varbinds: Varbind[]): number | null {
  for (const vb of varbinds) {
    const column = longestListedPrefix(vb.oid, SEVERITY_VARBINDS);
    if (!column) continue;
    const s = SEVERITY_VARBINDS[column](vb.value) ?? normaliseSeverity(vb.value);
    if (s !== null) return s;
  }
  return null;
}
