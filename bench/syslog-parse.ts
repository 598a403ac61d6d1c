// Throughput of parseSyslog over a realistic mix of device lines (Cisco, ASA, NX-OS, Juniper, FortiGate,
// Palo Alto, Linux, Windows/NXLog, F5, RFC 5424 with SD, relayed and PRI-less lines, some garbage), plus the
// worst case: hostile 64 KB lines. Prints lines/s and MB/s; nothing is asserted.
//   npx tsx bench/syslog-parse.ts [seconds per run, default 3]

import { parseSyslog } from '../actors/syslog/parse.ts';

const MIX = [
  '<187>123: *Mar  1 00:01:02.123: %LINK-3-UPDOWN: Interface GigabitEthernet0/2, changed state to down',
  '<189>57: R1: Mar  1 00:35:40.111: %SYS-5-CONFIG_I: Configured from console by console',
  '<164>Mar 01 2024 12:00:00: %ASA-4-106023: Deny tcp src outside:203.0.113.5/4455 dst inside:10.0.0.5/443 by access-group "OUTSIDE_IN" [0x0, 0x0]',
  '<166>Mar 01 2024 12:00:00 edge-fw-02 : %ASA-6-302013: Built inbound TCP connection 1 for outside:198.51.100.4/5 to inside:10.0.0.1/80',
  '<189>: 2024 Mar  1 12:00:00 UTC: %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/1 is down (Link failure)',
  '<28>Mar  1 12:00:00 mx1 mib2d[1234]: SNMP_TRAP_LINK_DOWN: ifIndex 527, ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/1',
  '<165>1 2024-03-01T12:00:00.123Z mx1 rpd 1234 RPD_BGP_NEIGHBOR_STATE_CHANGED [junos@2636.1.1.1.2.9 peer-name="10.0.0.2" old-state="Established" new-state="Idle"] BGP peer 10.0.0.2 changed state',
  '<189>date=2024-03-01 time=12:00:00 devname="FGT-01" devid="FG100E0000000000" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" srcip=10.0.0.5 dstip=8.8.8.8 action="accept"',
  '<14>Mar  1 12:00:00 PA-3220 1,2024/03/01 12:00:00,012801000000,TRAFFIC,end,2305,2024/03/01 12:00:00,10.0.0.5,8.8.8.8',
  '<38>Mar  1 12:00:00 web01 sshd[2345]: Failed password for invalid user admin from 203.0.113.9 port 52222 ssh2',
  '<78>Mar  1 12:00:01 web01 CRON[9876]: (root) CMD (run-parts /etc/cron.hourly)',
  '<4>Mar  1 12:00:00 db01 kernel: [12345.678901] EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2',
  '<14>1 2024-03-01T12:00:00.000000+01:00 WIN-SRV01.corp.example.com Microsoft-Windows-Security-Auditing 588 - [NXLOG@14506 EventReceivedTime="2024-03-01 12:00:01"] An account failed to log on.',
  '<182>Mar  1 12:00:00 bigip1.example.com info tmm[12345]: Rule /Common/irule_log <HTTP_REQUEST>: client 10.0.0.5',
  '<187>Mar  1 00:01:02 10.1.1.1 123: *Mar  1 00:01:02.123: %LINK-3-UPDOWN: Interface Gi0/2, changed state to down',
  '<13>1 2024-03-01T12:00:00.123456+00:00 web01 app 2345 - - plain relayed rsyslog line',
  'Mar  1 12:00:00 web01 sshd[2345]: Accepted publickey for deploy',
  '000123: *Mar  1 00:01:02.123: %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/1, changed state to up',
  'garbage without any structure at all %%% {"x": 1}',
];

const N = 65_536;
const rep = (s: string) => s.repeat(Math.ceil(N / s.length)).slice(0, N);
const HOSTILE = [
  rep('<'),
  '<13>1 2024-03-01T00:00:00Z h a p m ' + rep('[a b="c"]'),
  'a=b c=d e="' + rep('\\"'),
  '<13>' + rep(' ') + 'x',
  rep('%A-'),
];

function measure(name: string, lines: string[], seconds: number): void {
  const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0) / lines.length;
  const ctx = { receivedAt: Date.now(), address: '192.0.2.1', input: 'syslog-udp' as const };
  for (let i = 0; i < 20_000; i++) parseSyslog(lines[i % lines.length], ctx); // warm-up (JIT)
  let count = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 1000; i++) parseSyslog(lines[(count + i) % lines.length], ctx);
    count += 1000;
    now = process.hrtime.bigint();
  }
  const elapsed = Number(now - start) / 1e9;
  const perSecond = count / elapsed;
  console.log(
    `${name.padEnd(22)} ${Math.round(perSecond).toLocaleString('en-US').padStart(12)} lines/s  ${((perSecond * bytes) / 1e6).toFixed(1).padStart(7)} MB/s  (${count.toLocaleString('en-US')} lines, avg ${Math.round(bytes)} B)`,
  );
}

const seconds = Number(process.argv[2] ?? 3);
console.log(`parseSyslog on Node ${process.version}, ${seconds}s per run`);
measure('realistic mix', MIX, seconds);
measure('hostile 64 KB lines', HOSTILE, Math.min(seconds, 2));
