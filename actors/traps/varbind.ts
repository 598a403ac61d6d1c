// One SNMP varbind as MUTT stores it: OID with a leading dot, the SMI type by name, and a value a person (and a
// rule) can read — OctetStrings as UTF-8 text when printable, else hex bytes as snmptrapd shows them
// ('00 1A 2B'); Counter64 as a decimal string (it does not fit a double); OIDs normalised.
//   toVarbind({ oid: '1.3.6.1.2.1.2.2.1.2.2', type: 4, value: Buffer.from('Gi0/2') })
//     -> { oid: '.1.3.6.1.2.1.2.2.1.2.2', type: 'OctetString', value: 'Gi0/2' }

import type { Varbind } from '../../protocol/messages.ts';
import { normaliseOid } from '../../protocol/oid.ts';
import type { SnmpVarbind } from './net-snmp.ts';

export const TYPE_NAMES: Record<number, string> = {
  1: 'Boolean',
  2: 'Integer',
  3: 'BitString',
  4: 'OctetString',
  5: 'Null',
  6: 'ObjectIdentifier',
  64: 'IpAddress',
  65: 'Counter32',
  66: 'Gauge32',
  67: 'TimeTicks',
  68: 'Opaque',
  70: 'Counter64',
  128: 'NoSuchObject',
  129: 'NoSuchInstance',
  130: 'EndOfMibView',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });
// Control characters other than tab, CR and LF mark binary data (MAC addresses, bit masks, packed dates).
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function toVarbind(vb: SnmpVarbind): Varbind {
  const type = TYPE_NAMES[vb.type] ?? `Unknown(${vb.type})`;
  return { oid: normaliseOid(vb.oid) ?? String(vb.oid), type, value: renderValue(type, vb.value) };
}

export function renderValue(type: string, value: unknown): Varbind['value'] {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (type === 'Counter64') return counter64(bytes);
    if (type === 'OctetString') return printable(bytes) ?? hex(bytes);
    return hex(bytes);
  }
  if (type === 'ObjectIdentifier' && typeof value === 'string') return normaliseOid(value) ?? value;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  return String(value);
}

export function printable(bytes: Buffer): string | null {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return null;
  }
  return CONTROL.test(text) ? null : text;
}

export function hex(bytes: Buffer): string {
  const out: string[] = [];
  for (const b of bytes) out.push(b.toString(16).toUpperCase().padStart(2, '0'));
  return out.join(' ');
}

/** Big-endian unsigned bytes (any length up to 9: BER may add a leading 0) as a decimal string. */
export function counter64(bytes: Buffer): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n.toString();
}
