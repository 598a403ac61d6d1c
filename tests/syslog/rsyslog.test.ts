import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { SyslogEvent } from '../../protocol/messages.ts';
import { startSyslogListener } from '../../actors/syslog/listener.ts';
import { recorder, sendUdp, silentLog } from './helpers.ts';
import { waitFor } from '../helpers/wait.ts';
import { requireBinary } from '../deploy/helpers.ts';
import { freeUdpPort } from '../helpers/ports.ts';

// The relay setup docs/SYSLOG_AND_TRAPS.md recommends, with a real rsyslogd: devices send to rsyslog, which
// forwards over TCP with octet counting in RFC 5424 — the original host must survive the relay.

const dir = mkdtempSync(join(tmpdir(), 'mutt-rsyslog-'));

function rsyslogConf(inPort: number, muttPort: number): string {
  return `
global(workDirectory="${dir}")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="${inPort}")
action(type="omfwd" target="127.0.0.1" port="${muttPort}" protocol="tcp"
       tcp_framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format"
       queue.type="LinkedList" queue.size="100000" queue.filename="mutt-fwd" queue.saveOnShutdown="on"
       action.resumeRetryCount="-1" action.resumeInterval="1")
`;
}

test('rsyslog omfwd (TCP, octet-counted, RFC 5424) relays device lines with their original host', async () => {
  const rec = recorder();
  const listener = await startSyslogListener({
    port: 0,
    host: '127.0.0.1',
    publish: rec.publish,
    log: silentLog,
    registry: new Registry(),
  });
  const inPort = await freeUdpPort();
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(conf, rsyslogConf(inPort, listener.tcpPort));
  // A missing binary fails this test with the package to install instead of crashing the whole run (spawn ENOENT).
  const bin = requireBinary('rsyslogd', 'rsyslog');
  let rsyslogd: ChildProcess | undefined;
  try {
    rsyslogd = spawn(bin, ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdio: 'ignore' });
    const lines = [
      '<38>Mar  1 12:00:00 origin-host sshd[77]: Failed password for root from 203.0.113.9',
      '<187>Mar  1 00:01:02 core-sw1 123: *Mar  1 00:01:02.123: %LINK-3-UPDOWN: Interface Gi0/2, changed state to down',
    ];
    // imudp may not be listening yet: resend until the relay delivers (each copy is a distinct event, so count by message).
    await waitFor(
      async () => {
        await sendUdp(inPort, lines);
        await new Promise((r) => setTimeout(r, 200));
        return (
          rec.events.some((e) => e.message.includes('Failed password')) && rec.events.some((e) => e.message.includes('%LINK-3-UPDOWN'))
        );
      },
      15_000,
      'rsyslog to relay both lines',
    );
    const ssh = rec.events.find((e) => e.message.includes('Failed password')) as SyslogEvent;
    assert.is(ssh.host, 'origin-host', 'the device, not the relay (127.0.0.1)');
    assert.is(ssh.parse, 'rfc5424');
    assert.is(ssh.appName, 'sshd');
    assert.is(ssh.procId, '77');
    assert.is(ssh.severity, 6);
    assert.is(ssh.facility, 'auth');
    assert.is(ssh.source.input, 'syslog-tcp');
    const link = rec.events.find((e) => e.message.includes('%LINK-3-UPDOWN')) as SyslogEvent;
    assert.is(link.severity, 3);
    assert.is(link.host, 'core-sw1');
    assert.is(link.message, '%LINK-3-UPDOWN: Interface Gi0/2, changed state to down', 'the device clock rsyslog left in MSG is dropped');
    assert.equal(link.fields?.cisco, { facility: 'LINK', mnemonic: 'UPDOWN' });
  } finally {
    if (rsyslogd && rsyslogd.exitCode === null) {
      const exited = new Promise((r) => rsyslogd!.once('exit', r));
      rsyslogd.kill('SIGTERM');
      await exited;
    }
    await listener.close();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
