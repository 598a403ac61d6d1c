import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SyslogEvent } from '../../protocol/messages.ts';
import { MAX_LINE_LENGTH, parseSyslog, type SyslogContext } from '../../actors/syslog/parse.ts';

const RECEIVED = Date.parse('2024-03-02T00:00:00Z');
const ctx: SyslogContext = { receivedAt: RECEIVED, address: '192.0.2.1', input: 'syslog-udp' };
const at = (iso: string) => Date.parse(iso);

interface Case {
  name: string;
  line: string;
  host: string;
  severity: number | null;
  message: string;
  parse: SyslogEvent['parse'];
  time?: number;
  facility?: string;
  appName?: string;
  procId?: string;
  fields?: Record<string, unknown>;
}

// Lines as devices send them (captured or taken from vendor documentation), one per dialect.
const CASES: Case[] = [
  {
    name: 'Cisco IOS: sequence number, unsynchronised clock, %FAC-SEV-MNEMONIC',
    line: '<187>123: *Mar  1 00:01:02.123: %LINK-3-UPDOWN: Interface GigabitEthernet0/2, changed state to down',
    host: '192.0.2.1',
    severity: 3,
    parse: 'cisco',
    facility: 'local7',
    time: at('2024-03-01T00:01:02.123Z'),
    message: '%LINK-3-UPDOWN: Interface GigabitEthernet0/2, changed state to down',
    fields: { sequence: 123, cisco: { facility: 'LINK', mnemonic: 'UPDOWN' } },
  },
  {
    name: 'Cisco IOS with logging origin-id hostname',
    line: '<189>57: R1: Mar  1 00:35:40.111: %SYS-5-CONFIG_I: Configured from console by console',
    host: 'R1',
    severity: 5,
    parse: 'cisco',
    message: '%SYS-5-CONFIG_I: Configured from console by console',
    time: at('2024-03-01T00:35:40.111Z'),
  },
  {
    name: 'Cisco IOS XE with year and time zone',
    line: '<189>1042: Mar  1 2023 10:15:30.456 CET: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.0.0.9)',
    host: '192.0.2.1',
    severity: 5,
    parse: 'cisco',
    time: at('2023-03-01T09:15:30.456Z'),
    message: '%SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.0.0.9)',
  },
  {
    name: 'Cisco IOS without PRI: severity from the SEV digit',
    line: '000123: *Mar  1 00:01:02.123: %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/1, changed state to up',
    host: '192.0.2.1',
    severity: 5,
    parse: 'cisco',
    message: '%LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/1, changed state to up',
    fields: { sequence: 123, cisco: { facility: 'LINEPROTO', mnemonic: 'UPDOWN' } },
  },
  {
    name: 'Cisco ASA without device id',
    line: '<164>Mar 01 2024 12:00:00: %ASA-4-106023: Deny tcp src outside:203.0.113.5/4455 dst inside:10.0.0.5/443 by access-group "OUTSIDE_IN" [0x0, 0x0]',
    host: '192.0.2.1',
    severity: 4,
    parse: 'cisco',
    facility: 'local4',
    time: at('2024-03-01T12:00:00Z'),
    message: '%ASA-4-106023: Deny tcp src outside:203.0.113.5/4455 dst inside:10.0.0.5/443 by access-group "OUTSIDE_IN" [0x0, 0x0]',
    fields: { cisco: { facility: 'ASA', mnemonic: '106023' } },
  },
  {
    name: 'Cisco ASA with logging device-id hostname',
    line: '<166>Mar 01 2024 12:00:00 edge-fw-02 : %ASA-6-302013: Built inbound TCP connection 1 for outside:198.51.100.4/5 to inside:10.0.0.1/80',
    host: 'edge-fw-02',
    severity: 6,
    parse: 'cisco',
    message: '%ASA-6-302013: Built inbound TCP connection 1 for outside:198.51.100.4/5 to inside:10.0.0.1/80',
  },
  {
    name: 'Cisco NX-OS',
    line: '<189>: 2024 Mar  1 12:00:00 UTC: %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/1 is down (Link failure)',
    host: '192.0.2.1',
    severity: 5,
    parse: 'cisco',
    time: at('2024-03-01T12:00:00Z'),
    message: '%ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/1 is down (Link failure)',
  },
  {
    name: 'Cisco IOS XR: node name and process tag',
    line: '<187>1234: RP/0/RSP0/CPU0:Mar  1 12:00:00.123 UTC: ifmgr[123]: %PKT_INFRA-LINK-3-UPDOWN : Interface GigabitEthernet0/0/0/0, changed state to Down',
    host: '192.0.2.1',
    severity: 3,
    parse: 'cisco',
    appName: 'ifmgr',
    procId: '123',
    message: '%PKT_INFRA-LINK-3-UPDOWN : Interface GigabitEthernet0/0/0/0, changed state to Down',
    fields: { sequence: 1234, node: 'RP/0/RSP0/CPU0', cisco: { facility: 'PKT_INFRA-LINK', mnemonic: 'UPDOWN' } },
  },
  {
    name: 'Cisco line relayed by rsyslog (relay header in front)',
    line: '<187>Mar  1 00:01:02 10.1.1.1 123: *Mar  1 00:01:02.123: %LINK-3-UPDOWN: Interface Gi0/2, changed state to down',
    host: '10.1.1.1',
    severity: 3,
    parse: 'cisco',
    message: '%LINK-3-UPDOWN: Interface Gi0/2, changed state to down',
  },
  {
    name: 'Juniper Junos (BSD format)',
    line: '<28>Mar  1 12:00:00 mx1 mib2d[1234]: SNMP_TRAP_LINK_DOWN: ifIndex 527, ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/1',
    host: 'mx1',
    severity: 4,
    parse: 'rfc3164',
    facility: 'daemon',
    appName: 'mib2d',
    procId: '1234',
    message: 'SNMP_TRAP_LINK_DOWN: ifIndex 527, ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/1',
  },
  {
    name: 'Juniper Junos structured (RFC 5424 with SD)',
    line: '<165>1 2024-03-01T12:00:00.123Z mx1 rpd 1234 RPD_BGP_NEIGHBOR_STATE_CHANGED [junos@2636.1.1.1.2.9 peer-name="10.0.0.2" old-state="Established" new-state="Idle"] BGP peer 10.0.0.2 changed state from Established to Idle',
    host: 'mx1',
    severity: 5,
    parse: 'rfc5424',
    appName: 'rpd',
    procId: '1234',
    time: at('2024-03-01T12:00:00.123Z'),
    message: 'BGP peer 10.0.0.2 changed state from Established to Idle',
    fields: { structuredData: { 'junos@2636.1.1.1.2.9': { 'peer-name': '10.0.0.2', 'old-state': 'Established', 'new-state': 'Idle' } } },
  },
  {
    name: 'FortiGate key=value with PRI',
    line: '<189>date=2024-03-01 time=12:00:00 devname="FGT-01" devid="FG100E0000000000" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" srcip=10.0.0.5 dstip=8.8.8.8 action="accept"',
    host: 'FGT-01',
    severity: 5,
    parse: 'lenient',
    time: at('2024-03-01T12:00:00Z'),
    message:
      'date=2024-03-01 time=12:00:00 devname="FGT-01" devid="FG100E0000000000" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" srcip=10.0.0.5 dstip=8.8.8.8 action="accept"',
  },
  {
    name: 'FortiGate without PRI: severity from level=, zone from tz=',
    line: 'date=2024-03-01 time=12:00:00 devname="FGT-02" logid="0100032001" type="event" subtype="system" level="warning" tz="+0100" msg="Administrator admin login failed"',
    host: 'FGT-02',
    severity: 4,
    parse: 'lenient',
    time: at('2024-03-01T11:00:00Z'),
    message:
      'date=2024-03-01 time=12:00:00 devname="FGT-02" logid="0100032001" type="event" subtype="system" level="warning" tz="+0100" msg="Administrator admin login failed"',
  },
  {
    name: 'Palo Alto PAN-OS CSV (no tag)',
    line: '<14>Mar  1 12:00:00 PA-3220 1,2024/03/01 12:00:00,012801000000,TRAFFIC,end,2305,2024/03/01 12:00:00,10.0.0.5,8.8.8.8',
    host: 'PA-3220',
    severity: 6,
    parse: 'rfc3164',
    facility: 'user',
    message: '1,2024/03/01 12:00:00,012801000000,TRAFFIC,end,2305,2024/03/01 12:00:00,10.0.0.5,8.8.8.8',
  },
  {
    name: 'Linux sshd',
    line: '<38>Mar  1 12:00:00 web01 sshd[2345]: Failed password for invalid user admin from 203.0.113.9 port 52222 ssh2',
    host: 'web01',
    severity: 6,
    parse: 'rfc3164',
    facility: 'auth',
    appName: 'sshd',
    procId: '2345',
    time: at('2024-03-01T12:00:00Z'),
    message: 'Failed password for invalid user admin from 203.0.113.9 port 52222 ssh2',
  },
  {
    name: 'Linux cron',
    line: '<78>Mar  1 12:00:01 web01 CRON[9876]: (root) CMD (run-parts /etc/cron.hourly)',
    host: 'web01',
    severity: 6,
    parse: 'rfc3164',
    facility: 'cron',
    appName: 'CRON',
    message: '(root) CMD (run-parts /etc/cron.hourly)',
  },
  {
    name: 'Linux kernel',
    line: '<4>Mar  1 12:00:00 db01 kernel: [12345.678901] EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0',
    host: 'db01',
    severity: 4,
    parse: 'rfc3164',
    facility: 'kern',
    appName: 'kernel',
    message: '[12345.678901] EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0',
  },
  {
    name: 'Windows via NXLog (RFC 5424, offset time)',
    line: '<14>1 2024-03-01T12:00:00.000000+01:00 WIN-SRV01.corp.example.com Microsoft-Windows-Security-Auditing 588 - [NXLOG@14506 EventReceivedTime="2024-03-01 12:00:01" SourceModuleName="eventlog"] An account failed to log on.',
    host: 'WIN-SRV01.corp.example.com',
    severity: 6,
    parse: 'rfc5424',
    appName: 'Microsoft-Windows-Security-Auditing',
    procId: '588',
    time: at('2024-03-01T11:00:00Z'),
    message: 'An account failed to log on.',
  },
  {
    name: 'Windows via NXLog (BSD format)',
    line: '<13>Mar  1 12:00:00 WIN-SRV02 Service_Control_Manager[680]: The Windows Update service entered the running state.',
    host: 'WIN-SRV02',
    severity: 5,
    parse: 'rfc3164',
    appName: 'Service_Control_Manager',
    procId: '680',
    message: 'The Windows Update service entered the running state.',
  },
  {
    name: 'F5 BIG-IP: level word before the tag',
    line: '<182>Mar  1 12:00:00 bigip1.example.com info tmm[12345]: Rule /Common/irule_log <HTTP_REQUEST>: client 10.0.0.5',
    host: 'bigip1.example.com',
    severity: 6,
    parse: 'rfc3164',
    appName: 'tmm',
    procId: '12345',
    message: 'Rule /Common/irule_log <HTTP_REQUEST>: client 10.0.0.5',
    fields: { level: 'info' },
  },
  {
    name: 'HPE Comware (year after the time)',
    line: '<188>Mar  1 12:00:00 2023 HP-5130 %%10IFNET/3/PHY_UPDOWN: Physical state on the interface GigabitEthernet1/0/1 changed to down.',
    host: 'HP-5130',
    severity: 4,
    parse: 'rfc3164',
    time: at('2023-03-01T12:00:00Z'),
    message: '%%10IFNET/3/PHY_UPDOWN: Physical state on the interface GigabitEthernet1/0/1 changed to down.',
  },
  {
    name: 'Aruba mobility controller',
    line: '<143>Mar  1 12:00:00 2024 aruba-mc1 stm[1234]: <501106> <NOTI> |AP ap-01@10.1.1.50 stm| Deauth to sta: 00:11:22:33:44:55',
    host: 'aruba-mc1',
    severity: 7,
    parse: 'rfc3164',
    appName: 'stm',
    message: '<501106> <NOTI> |AP ap-01@10.1.1.50 stm| Deauth to sta: 00:11:22:33:44:55',
  },
  {
    name: 'HP/Aruba switch (event id, IP as host)',
    line: '<134>Mar  1 12:00:00 10.10.1.2 00076 ports: port 12 is now off-line',
    host: '10.10.1.2',
    severity: 6,
    parse: 'rfc3164',
    facility: 'local0',
    message: '00076 ports: port 12 is now off-line',
  },
  {
    name: 'rsyslog relay, RFC 5424 (original host kept, not the relay address)',
    line: '<38>1 2024-03-01T12:00:00.123456+00:00 web01 sshd 2345 - - Failed password for root from 203.0.113.9 port 22 ssh2',
    host: 'web01',
    severity: 6,
    parse: 'rfc5424',
    appName: 'sshd',
    procId: '2345',
    message: 'Failed password for root from 203.0.113.9 port 22 ssh2',
  },
  {
    name: 'rsyslog relay, high-precision timestamp in a BSD layout',
    line: '<13>2024-03-01T12:00:00.123+01:00 host1 app: message text',
    host: 'host1',
    severity: 5,
    parse: 'rfc3164',
    appName: 'app',
    time: at('2024-03-01T11:00:00.123Z'),
    message: 'message text',
  },
  {
    name: 'Cisco line re-framed by rsyslog as RFC 5424 (device clock left in MSG)',
    line: '<187>1 2024-03-01T00:01:02+00:00 core-sw1 123 - - -  *Mar  1 00:01:02.123: %LINK-3-UPDOWN: Interface Gi0/2, changed state to down',
    host: 'core-sw1',
    severity: 3,
    parse: 'rfc5424',
    message: '%LINK-3-UPDOWN: Interface Gi0/2, changed state to down',
    fields: { cisco: { facility: 'LINK', mnemonic: 'UPDOWN' } },
  },
  {
    name: 'RFC 5424 whose MSG starts with a date but no Cisco tag keeps its MSG',
    line: '<14>1 2024-03-01T12:00:00Z app1 backup - - - Mar  1 11:00:00 job finished',
    host: 'app1',
    severity: 6,
    parse: 'rfc5424',
    message: 'Mar  1 11:00:00 job finished',
  },
  {
    name: 'RFC 5424 example with two SD elements and a BOM',
    line: '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] \uFEFFAn application event log entry...',
    host: 'mymachine.example.com',
    severity: 5,
    parse: 'rfc5424',
    appName: 'evntslog',
    time: at('2003-10-11T22:14:15.003Z'),
    message: 'An application event log entry...',
    fields: {
      structuredData: {
        'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
        'examplePriority@32473': { class: 'high' },
      },
    },
  },
  {
    name: 'RFC 5424 with escapes in SD values',
    line: '<14>1 2024-03-01T12:00:00Z h app - - [x@1 q="a \\"quoted\\" \\]value\\\\ \\n"] body',
    host: 'h',
    severity: 6,
    parse: 'rfc5424',
    message: 'body',
    fields: { structuredData: { 'x@1': { q: 'a "quoted" ]value\\ \\n' } } },
  },
  {
    name: 'RFC 5424, every field NIL',
    line: '<34>1 - - - - - -',
    host: '192.0.2.1',
    severity: 2,
    parse: 'rfc5424',
    facility: 'auth',
    time: RECEIVED,
    message: '',
  },
  {
    name: 'RFC 5424 with an unbalanced SD: kept as text',
    line: '<13>1 2024-03-01T12:00:00Z h a - - [bad="x" no close',
    host: 'h',
    severity: 5,
    parse: 'lenient',
    message: '[bad="x" no close',
  },
  {
    name: 'BSD line without PRI',
    line: 'Mar  1 12:00:00 web01 sshd[2345]: Accepted publickey for deploy',
    host: 'web01',
    severity: null,
    parse: 'lenient',
    appName: 'sshd',
    message: 'Accepted publickey for deploy',
  },
  {
    name: 'PRI and free text only',
    line: '<13>hello world',
    host: '192.0.2.1',
    severity: 5,
    parse: 'lenient',
    time: RECEIVED,
    message: 'hello world',
  },
  {
    name: 'a PRI above 191 is not a PRI',
    line: '<999>not a pri',
    host: '192.0.2.1',
    severity: null,
    parse: 'unparsed',
    message: '<999>not a pri',
  },
  {
    name: 'garbage is kept whole as the message',
    line: '\u0001garbage%%% {"json": true}\r\n',
    host: '192.0.2.1',
    severity: null,
    parse: 'unparsed',
    time: RECEIVED,
    message: '\u0001garbage%%% {"json": true}',
  },
];

for (const c of CASES) {
  test(`device line: ${c.name}`, () => {
    const e = parseSyslog(c.line, ctx);
    assert.ok(SyslogEvent.safeParse(e).success, 'schema-valid');
    assert.is(e.parse, c.parse, 'parse status');
    assert.is(e.host, c.host, 'host');
    assert.is(e.severity, c.severity, 'severity');
    assert.is(e.message, c.message, 'message');
    assert.is(e.raw, c.line, 'raw is the line as received');
    if (c.time !== undefined) assert.is(e.time, c.time, 'time');
    if (c.facility !== undefined) assert.is(e.facility, c.facility, 'facility');
    if (c.appName !== undefined) assert.is(e.appName, c.appName, 'appName');
    if (c.procId !== undefined) assert.is(e.procId, c.procId, 'procId');
    for (const [k, v] of Object.entries(c.fields ?? {})) assert.equal(e.fields?.[k], v, `fields.${k}`);
  });
}

test('there are at least 20 real device lines in the table', () => {
  assert.ok(CASES.length >= 20);
});

test('identity, source and defaults: id = correlationId, address kept, nothing invented', () => {
  const a = parseSyslog('<13>hello', ctx);
  const b = parseSyslog('<13>hello', ctx);
  assert.match(a.id, /^[0-9a-f-]{36}$/);
  assert.is(a.correlationId, a.id);
  assert.is.not(a.id, b.id);
  assert.equal(a.source, { input: 'syslog-udp', address: '192.0.2.1' });
  assert.is(a.receivedAt, RECEIVED);
  assert.is(a.fields, undefined, 'no fields when the line has none');
  assert.is(a.appName, undefined);
  const noAddress = parseSyslog('plain text', { receivedAt: RECEIVED, input: 'syslog-tcp' });
  assert.is(noAddress.host, 'unknown');
  assert.equal(noAddress.source, { input: 'syslog-tcp' });
  assert.is(noAddress.facility, undefined);
  assert.is(noAddress.severity, null);
});

test('facility names follow PRI >> 3', () => {
  const names = [
    'kern',
    'user',
    'mail',
    'daemon',
    'auth',
    'syslog',
    'lpr',
    'news',
    'uucp',
    'cron',
    'authpriv',
    'ftp',
    'ntp',
    'audit',
    'alert',
    'clock',
  ];
  names.forEach((name, code) => assert.is(parseSyslog(`<${code * 8 + 3}>x`, ctx).facility, name));
  for (let i = 0; i < 8; i++) assert.is(parseSyslog(`<${(16 + i) * 8}>x`, ctx).facility, `local${i}`);
  assert.is(parseSyslog('<191>x', ctx).severity, 7);
  assert.is(parseSyslog('<0>x', ctx).severity, 0);
});

test('a BSD timestamp without a year takes the year of receipt, or the year before when > 1 day ahead', () => {
  const newYear = { ...ctx, receivedAt: Date.parse('2025-01-01T00:10:00Z') };
  assert.is(parseSyslog('<13>Dec 31 23:59:00 h app: x', newYear).time, Date.parse('2024-12-31T23:59:00Z'));
  assert.is(
    parseSyslog('<13>Jan  1 00:20:00 h app: x', newYear).time,
    Date.parse('2025-01-01T00:20:00Z'),
    'slightly ahead is clock skew, same year',
  );
  assert.is(parseSyslog('<13>Jan  3 00:00:00 h app: x', newYear).time, Date.parse('2024-01-03T00:00:00Z'));
});

test('timestamps that have the shape but not a real date fall back to the receive time', () => {
  assert.is(parseSyslog('<13>Feb 30 12:00:00 h app: x', ctx).time, RECEIVED);
  assert.is(parseSyslog('<13>1 2024-02-30T12:00:00Z h app - - - x', ctx).time, RECEIVED);
  assert.is(parseSyslog('<13>Mar  1 25:00:00 h app: x', ctx).time, RECEIVED);
  assert.is(
    parseSyslog('<13>Feb 29 12:00:00 h app: x', { ...ctx, receivedAt: Date.parse('2025-03-01T00:00:00Z') }).time,
    Date.parse('2025-03-01T00:00:00Z'),
  );
});

test('time zones: numeric offsets and known abbreviations are applied', () => {
  assert.is(parseSyslog('<13>Mar  1 2024 12:00:00 EST: %SYS-5-X: y', ctx).time, at('2024-03-01T17:00:00Z'));
  assert.is(parseSyslog('<13>Mar  1 2024 12:00:00 +0530: %SYS-5-X: y', ctx).time, at('2024-03-01T06:30:00Z'));
  assert.is(parseSyslog('<13>2024-03-01 12:00:00 UTC host app: y', ctx).time, at('2024-03-01T12:00:00Z'));
  assert.is(parseSyslog('<13>Mar  1 2024 12:00:00 IST: %SYS-5-X: y', ctx).time, at('2024-03-01T12:00:00Z'), 'ambiguous zone read as UTC');
});

test('RFC 5424 lines that end early keep the header they have', () => {
  const e = parseSyslog('<13>1 2024-03-01T12:00:00Z onlyhost', ctx);
  assert.is(e.host, 'onlyhost');
  assert.is(e.parse, 'lenient');
  assert.is(e.message, '');
  const noSd = parseSyslog('<13>1 2024-03-01T12:00:00Z h a p m', ctx);
  assert.is(noSd.parse, 'rfc5424');
  assert.is(noSd.msgId, 'm');
  assert.is(noSd.procId, 'p');
  const notReally = parseSyslog('<13>1 apple pie', ctx);
  assert.is(notReally.parse, 'lenient', 'a version digit without a timestamp is a BSD message');
  assert.is(notReally.message, '1 apple pie');
});

test('SD keys named __proto__ are skipped, not turned into prototypes', () => {
  const e = parseSyslog('<13>1 - h a - - [__proto__ x="1"][s __proto__="2" constructor="3"] m', ctx);
  const sd = e.fields?.structuredData as Record<string, Record<string, string>>;
  assert.is(Object.getPrototypeOf(sd), Object.prototype);
  assert.not.ok(Object.hasOwn(sd, '__proto__'));
  assert.equal(Object.keys(sd.s), ['constructor']);
  assert.is(sd.s.constructor, '3');
});

test('lines over 64 KiB are cut, flagged, and still parsed', () => {
  const body = 'x'.repeat(200_000);
  const e = parseSyslog(`<38>Mar  1 12:00:00 web01 sshd[1]: ${body}`, ctx);
  assert.is(e.raw!.length, MAX_LINE_LENGTH);
  assert.is(e.fields?.truncated, true);
  assert.is(e.host, 'web01');
  assert.ok(e.message.length < MAX_LINE_LENGTH);
  assert.ok(SyslogEvent.safeParse(e).success);
  // A surrogate pair straddling the cut is not split into a lone half.
  const emoji = parseSyslog('a'.repeat(MAX_LINE_LENGTH - 1) + '😀tail', ctx);
  assert.is(emoji.raw!.length, MAX_LINE_LENGTH - 1);
});

test('non-string input and odd receive times still give a valid event', () => {
  const e = parseSyslog(undefined as unknown as string, { receivedAt: Number.NaN, input: 'syslog-udp' });
  assert.ok(SyslogEvent.safeParse(e).success);
  assert.is(e.time, 0);
  assert.is(e.message, '');
});

test('F5-like level word without a following tag stays in the message', () => {
  const e = parseSyslog('<13>Mar  1 12:00:00 host1 info just words', ctx);
  assert.is(e.fields, undefined);
  assert.is(e.message, 'info just words');
});

test('a lone token after the timestamp is the message, not a host', () => {
  const e = parseSyslog('<13>Mar  1 12:00:00 hello', ctx);
  assert.is(e.host, '192.0.2.1');
  assert.is(e.message, 'hello');
  assert.is(e.parse, 'lenient');
});

test('key=value needs three pairs at the start to count as a record', () => {
  assert.is(parseSyslog('<13>user=root logged in', ctx).fields, undefined);
  const e = parseSyslog('<13>a=1 b="two words" c=3 loose-token d="unterminated', ctx);
  assert.equal(e.fields?.kv, { a: '1', b: 'two words', c: '3', d: 'unterminated' });
  assert.is(e.host, '192.0.2.1', 'no devname, no host invented');
  const q = parseSyslog('<13>a="say \\"hi\\"" b=2 c=3 __proto__=4', ctx);
  assert.equal(q.fields?.kv, { a: 'say "hi"', b: '2', c: '3' });
  const badTime = parseSyslog('date=2024-3-1 time=noon devname=x level=bogus severity=err', ctx);
  assert.is(badTime.time, RECEIVED);
  assert.is(badTime.severity, 3, 'severity= used when level= is not a severity');
});

test.run();
