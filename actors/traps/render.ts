// A trap as one readable line for the event's `message` (what rules match and people read):
// '<trap name or OID> from <agent>: name=value ...', skipping the bookkeeping varbinds (uptime, trap OID,
// proxy address) and never showing snmpTrapCommunity (a credential). Values with spaces or quotes are
// JSON-quoted so the line stays one line and unambiguous.
//   renderTrapMessage({ trapOid: '.1.3.6.1.6.3.1.1.5.3', agent: '10.0.0.1', varbinds: [{ oid: '.1.3.6.1.2.1.2.2.1.1.2', type: 'Integer', value: 2 }] })
//     === 'linkDown from 10.0.0.1: ifIndex=2'

import type { Varbind } from '../../protocol/messages.ts';
import { SNMP_TRAP_ADDRESS, SNMP_TRAP_COMMUNITY, SNMP_TRAP_ENTERPRISE, SNMP_TRAP_OID, SYS_UPTIME, trapName, varbindName } from './names.ts';

export const MAX_MESSAGE_LENGTH = 65_536;
const HIDDEN = new Set([SYS_UPTIME, SNMP_TRAP_OID, SNMP_TRAP_ENTERPRISE, SNMP_TRAP_ADDRESS, SNMP_TRAP_COMMUNITY]);

export function renderTrapMessage(t: { trapOid?: string; agent: string; varbinds: Varbind[] }): string {
  const title = `${trapName(t.trapOid) ?? t.trapOid ?? 'trap'} from ${t.agent}`;
  const parts: string[] = [];
  for (const vb of t.varbinds) {
    if (HIDDEN.has(vb.oid)) continue;
    parts.push(`${varbindName(vb.oid) ?? vb.oid}=${showValue(vb.value)}`);
  }
  const line = parts.length > 0 ? `${title}: ${parts.join(' ')}` : title;
  return line.length > MAX_MESSAGE_LENGTH ? line.slice(0, MAX_MESSAGE_LENGTH - 1) + '…' : line;
}

export function showValue(value: Varbind['value']): string {
  if (value === null) return 'null';
  if (typeof value !== 'string') return String(value);
  return value === '' || /[\s"\\=]/.test(value) ? JSON.stringify(value) : value;
}
