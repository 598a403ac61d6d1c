// net-snmp (no type declarations of its own) loaded with the few types MUTT relies on. Kept in one file so
// the untyped boundary is one place: everything else sees plain PDUs.
//   const receiver = snmp.createReceiver({ port, address, transport: 'udp4' }, callback)

import type dgram from 'node:dgram';
import { createRequire } from 'node:module';

export interface SnmpVarbind {
  oid: string;
  /** ASN.1 tag: 2 Integer, 4 OctetString, 6 OID, 64 IpAddress, 67 TimeTicks, 70 Counter64, ... */
  type: number;
  value: unknown;
}

/** A trap, TrapV2 or InformRequest PDU as net-snmp decodes it. */
export interface SnmpPdu {
  /** 164 Trap (v1), 166 InformRequest, 167 TrapV2. */
  type: number;
  id?: number;
  enterprise?: string;
  agentAddr?: string;
  generic?: number;
  specific?: number;
  upTime?: number;
  varbinds: SnmpVarbind[];
}

export interface SnmpReceiver {
  getAuthorizer(): { addCommunity(community: string): void };
  close(callback?: () => void): void;
  listener: { sockets: Record<string, dgram.Socket> };
}

export type ReceiverCallback = (err: (Error & { code?: string }) | null, data?: { pdu: SnmpPdu; rinfo: dgram.RemoteInfo }) => void;

interface NetSnmp {
  createReceiver(
    options: { port: number; address: string | null; transport: 'udp4' | 'udp6'; disableAuthorization?: boolean },
    callback: ReceiverCallback,
  ): SnmpReceiver;
}

export const snmp = createRequire(import.meta.url)('net-snmp') as NetSnmp;

export const PDU_TRAP_V1 = 164;
export const PDU_INFORM = 166;
export const PDU_TRAP_V2 = 167;
