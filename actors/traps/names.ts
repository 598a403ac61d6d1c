// Names for the handful of OIDs every network sends, so a trap reads 'linkDown from 10.0.0.1: ifIndex=2'
// without MIB files. Anything not listed is shown as its numeric OID. Table columns are named without their
// instance suffix ('.1.3.6.1.2.1.2.2.1.1.2' is ifIndex), the way operators say it.
//   trapName('.1.3.6.1.6.3.1.1.5.3') === 'linkDown'; varbindName('.1.3.6.1.2.1.2.2.1.2.7') === 'ifDescr'

export const TRAP_NAMES: Record<string, string> = {
  '.1.3.6.1.6.3.1.1.5.1': 'coldStart',
  '.1.3.6.1.6.3.1.1.5.2': 'warmStart',
  '.1.3.6.1.6.3.1.1.5.3': 'linkDown',
  '.1.3.6.1.6.3.1.1.5.4': 'linkUp',
  '.1.3.6.1.6.3.1.1.5.5': 'authenticationFailure',
  '.1.3.6.1.6.3.1.1.5.6': 'egpNeighborLoss',
  '.1.3.6.1.2.1.15.7.1': 'bgpEstablished',
  '.1.3.6.1.2.1.15.7.2': 'bgpBackwardTransition',
  '.1.3.6.1.2.1.15.0.1': 'bgpEstablishedNotification',
  '.1.3.6.1.2.1.15.0.2': 'bgpBackwardTransNotification',
  '.1.3.6.1.2.1.14.16.2.2': 'ospfNbrStateChange',
  '.1.3.6.1.2.1.14.16.2.16': 'ospfIfStateChange',
  '.1.3.6.1.2.1.47.2.0.1': 'entConfigChange',
  '.1.3.6.1.4.1.9.9.41.2.0.1': 'clogMessageGenerated',
  '.1.3.6.1.4.1.9.9.43.2.0.1': 'ciscoConfigManEvent',
  '.1.3.6.1.4.1.8072.4.0.1': 'nsNotifyStart',
  '.1.3.6.1.4.1.8072.4.0.2': 'nsNotifyShutdown',
  '.1.3.6.1.4.1.8072.4.0.3': 'nsNotifyRestart',
};

/** Scalars ('.0' included) and table columns (instance excluded). */
export const VARBIND_NAMES: Record<string, string> = {
  '.1.3.6.1.2.1.1.1.0': 'sysDescr',
  '.1.3.6.1.2.1.1.3.0': 'sysUpTime',
  '.1.3.6.1.2.1.1.5.0': 'sysName',
  '.1.3.6.1.2.1.1.6.0': 'sysLocation',
  '.1.3.6.1.6.3.1.1.4.1.0': 'snmpTrapOID',
  '.1.3.6.1.6.3.1.1.4.3.0': 'snmpTrapEnterprise',
  '.1.3.6.1.6.3.18.1.3.0': 'snmpTrapAddress',
  '.1.3.6.1.6.3.18.1.4.0': 'snmpTrapCommunity',
  '.1.3.6.1.2.1.2.2.1.1': 'ifIndex',
  '.1.3.6.1.2.1.2.2.1.2': 'ifDescr',
  '.1.3.6.1.2.1.2.2.1.3': 'ifType',
  '.1.3.6.1.2.1.2.2.1.7': 'ifAdminStatus',
  '.1.3.6.1.2.1.2.2.1.8': 'ifOperStatus',
  '.1.3.6.1.2.1.31.1.1.1.1': 'ifName',
  '.1.3.6.1.2.1.31.1.1.1.18': 'ifAlias',
  '.1.3.6.1.2.1.15.3.1.2': 'bgpPeerState',
  '.1.3.6.1.2.1.15.3.1.7': 'bgpPeerRemoteAddr',
  '.1.3.6.1.2.1.15.3.1.14': 'bgpPeerLastError',
  '.1.3.6.1.4.1.9.9.41.1.2.3.1.2': 'clogHistFacility',
  '.1.3.6.1.4.1.9.9.41.1.2.3.1.3': 'clogHistSeverity',
  '.1.3.6.1.4.1.9.9.41.1.2.3.1.4': 'clogHistMsgName',
  '.1.3.6.1.4.1.9.9.41.1.2.3.1.5': 'clogHistMsgText',
  '.1.3.6.1.4.1.9.9.41.1.2.3.1.6': 'clogHistTimestamp',
};

export const SNMP_TRAP_OID = '.1.3.6.1.6.3.1.1.4.1.0';
export const SNMP_TRAP_ENTERPRISE = '.1.3.6.1.6.3.1.1.4.3.0';
export const SNMP_TRAP_ADDRESS = '.1.3.6.1.6.3.18.1.3.0';
export const SNMP_TRAP_COMMUNITY = '.1.3.6.1.6.3.18.1.4.0';
export const SYS_UPTIME = '.1.3.6.1.2.1.1.3.0';

export function trapName(oid: string | undefined): string | undefined {
  return oid ? TRAP_NAMES[oid] : undefined;
}

/** Name of a varbind OID: exact, or the longest listed prefix (its column) when the rest is the instance. */
export function varbindName(oid: string): string | undefined {
  return VARBIND_NAMES[longestListedPrefix(oid, VARBIND_NAMES) ?? ''];
}

/** The longest whole-component prefix of `oid` that is a key of `table`. */
export function longestListedPrefix(oid: string, table: Record<string, unknown>): string | undefined {
  let candidate = oid;
  for (;;) {
    if (Object.hasOwn(table, candidate)) return candidate;
    const dot = candidate.lastIndexOf('.');
    if (dot <= 0) return undefined;
    candidate = candidate.slice(0, dot);
  }
}
