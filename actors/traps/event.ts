// A received SNMP trap or inform (as net-snmp decodes it) turned into MUTT's TrapEvent. Pure: plain PDU data,
// source address and receive time in; a schema-valid event out.
//   toTrapEvent({ pdu, source: { address: '10.0.0.1', port: 50000 }, receivedAt: Date.now() })
//     -> { kind: 'trap', version: 'v2c', trapOid: '.1.3.6.1.6.3.1.1.5.3', host: '10.0.0.1', message: 'linkDown from 10.0.0.1: ifIndex=2', ... }

import { randomUUID } from 'node:crypto';
import type { TrapEvent, Varbind } from '../../protocol/messages.ts';
import { normaliseOid } from '../../protocol/oid.ts';
import { PDU_INFORM, PDU_TRAP_V1, PDU_TRAP_V2, type SnmpPdu } from './net-snmp.ts';
import { SNMP_TRAP_ADDRESS, SNMP_TRAP_COMMUNITY, SNMP_TRAP_ENTERPRISE, SNMP_TRAP_OID } from './names.ts';
import { renderTrapMessage } from './render.ts';
import { trapSeverity } from './severity.ts';
import { toVarbind } from './varbind.ts';
import { v1TrapOid } from './v1-to-v2.ts';

const MAX_RAW_LENGTH = 131_072;

export interface ReceivedTrap {
  pdu: SnmpPdu;
  source: { address: string; port: number };
  receivedAt: number;
}

export function trapVersion(pduType: number): TrapEvent['version'] {
  if (pduType === PDU_TRAP_V1) return 'v1';
  if (pduType === PDU_TRAP_V2) return 'v2c';
  if (pduType === PDU_INFORM) return 'inform';
  return 'unknown';
}

export function toTrapEvent({ pdu, source, receivedAt }: ReceivedTrap): TrapEvent {
  const version = trapVersion(pdu.type);
  // A proxy may forward the community it received as a varbind: a credential, so never stored.
  const varbinds: Varbind[] = (Array.isArray(pdu.varbinds) ? pdu.varbinds : [])
    .map(toVarbind)
    .map((vb) => (vb.oid === SNMP_TRAP_COMMUNITY ? { ...vb, value: '[redacted]' } : vb));
  const valueOf = (oid: string) => varbinds.find((vb) => vb.oid === oid)?.value;
  const asOid = (v: unknown) => (typeof v === 'string' ? (normaliseOid(v) ?? undefined) : undefined);

  let trapOid: string | undefined;
  let enterprise: string | undefined;
  let agentAddress: string | undefined;
  if (version === 'v1') {
    trapOid = v1TrapOid(pdu.enterprise, pdu.generic, pdu.specific) ?? undefined;
    enterprise = normaliseOid(pdu.enterprise) ?? undefined;
    agentAddress = typeof pdu.agentAddr === 'string' && pdu.agentAddr.length > 0 ? pdu.agentAddr : undefined;
  } else {
    trapOid = asOid(valueOf(SNMP_TRAP_OID));
    enterprise = asOid(valueOf(SNMP_TRAP_ENTERPRISE));
    const proxied = valueOf(SNMP_TRAP_ADDRESS);
    agentAddress = typeof proxied === 'string' ? proxied : undefined;
  }
  // A v1 agent may say 0.0.0.0 (unconfigured); then the packet's source is the better name.
  const host = (version === 'v1' && agentAddress && agentAddress !== '0.0.0.0' ? agentAddress : source.address) || 'unknown';

  const id = randomUUID();
  const event: TrapEvent = {
    kind: 'trap',
    id,
    correlationId: id,
    host,
    message: renderTrapMessage({ trapOid, agent: host, varbinds }),
    severity: trapSeverity(varbinds),
    time: receivedAt,
    receivedAt,
    source: { input: 'snmp', address: source.address },
    version,
    varbinds,
  };
  if (trapOid) event.trapOid = trapOid;
  if (enterprise) event.enterprise = enterprise;
  if (agentAddress) event.agentAddress = agentAddress;
  if (version === 'v1') {
    if (Number.isInteger(pdu.generic)) event.genericTrap = pdu.generic;
    if (Number.isInteger(pdu.specific)) event.specificTrap = pdu.specific;
  }
  const raw = JSON.stringify({
    pduType: pdu.type,
    version,
    requestId: pdu.id,
    enterprise: pdu.enterprise,
    agentAddr: pdu.agentAddr,
    generic: pdu.generic,
    specific: pdu.specific,
    upTime: pdu.upTime,
    source: `${source.address}:${source.port}`,
    varbinds,
  });
  if (raw.length <= MAX_RAW_LENGTH) event.raw = raw;
  else event.fields = { rawOmitted: true };
  if (version === 'v1' && Number.isInteger(pdu.upTime)) event.fields = { ...event.fields, upTime: pdu.upTime };
  return event;
}
