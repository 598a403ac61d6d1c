// The Moogsoft signature: the key Moogsoft de-duplicates events into one alert by. v2.5 used the bare host
// name, so every problem on a router collapsed into one alert; the default here keeps host, rule and message
// fingerprint, so distinct problems stay distinct and repeats of one problem still de-duplicate.
//   renderSignature('{host}:{rule}:{fingerprint}', alert) === 'sw1.lab:bgp-down:3f2a9c1d0b7e4a56'
//   renderSignature('{host}::{oid}', trapAlert) === 'sw1.lab::.1.3.6.1.6.3.1.1.5.3'

import { createHash } from 'node:crypto';
import type { Alert } from '../../protocol/messages.ts';

export const DEFAULT_SIGNATURE = '{host}:{rule}:{fingerprint}';
/** Moogsoft stores signatures as VARBINARY(767). */
export const SIGNATURE_MAX_BYTES = 767;

const PLACEHOLDER = /\{(host|rule|fingerprint|team|oid)\}/g;

export type SignatureFields = Pick<Alert, 'host' | 'ruleId' | 'fingerprint' | 'team' | 'trapOid'>;

export function renderSignature(template: string, alert: SignatureFields): string {
  const values: Record<string, string> = {
    // Host names are case-insensitive; 'SW1' and 'sw1' are one device and must land in one alert.
    host: alert.host.toLowerCase(),
    rule: alert.ruleId,
    fingerprint: alert.fingerprint,
    team: alert.team,
    oid: alert.trapOid ?? '',
  };
  // Unknown placeholders stay visible in the output, so a typo in the template is noticed, not silently empty.
  return fitSignature(template.replace(PLACEHOLDER, (_m, name: string) => values[name]));
}

/** Over-long signatures keep a readable prefix plus a hash of the whole, so two long ones stay distinct. */
export function fitSignature(sig: string): string {
  if (Buffer.byteLength(sig, 'utf8') <= SIGNATURE_MAX_BYTES) return sig;
  const hash = createHash('sha256').update(sig).digest('hex').slice(0, 32);
  let prefix = sig.slice(0, SIGNATURE_MAX_BYTES - 34);
  while (Buffer.byteLength(prefix, 'utf8') > SIGNATURE_MAX_BYTES - 34) prefix = prefix.slice(0, -1);
  return `${prefix}#${hash}`;
}
