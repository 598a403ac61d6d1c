// What a real rsyslog relay loses when MUTT's syslog listener closes its idle TCP connection (the quiet timeout,
// or an eviction): rsyslogd with the relay configuration of docs/SYSLOG_AND_TRAPS.md (omfwd, TCP, octet-counted,
// a LinkedList queue, resumeRetryCount -1) forwards to a listener whose quiet timeout is 1 s. Each round sends a
// line, waits until the listener has closed the now idle connection, then sends 10 more lines 50 ms apart and
// counts which of them arrive. `--plain`: omfwd with rsyslog's defaults (no queue, no resume settings) instead.
// Printed for docs/RELIABILITY.md (the syslog TCP policy).
//   node --import tsx bench/rsyslog-reconnect.ts [rounds] [--plain]

import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { startSyslogListener } from '../actors/syslog/listener.ts';
import { recorder, silentLog } from '../tests/syslog/helpers.ts';
import { requireBinary } from '../tests/deploy/helpers.ts';
import { waitFor } from '../tests/helpers/wait.ts';

const rounds = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5);
const plain = process.argv.includes('--plain');
const dir = mkdtempSync(join(tmpdir(), 'mutt-rsyslog-bench-'));
const rec = recorder();
const registry = new Registry();
const listener = await startSyslogListener({
  port: 0,
  host: '127.0.0.1',
  publish: rec.publish,
  log: silentLog,
  registry,
  idleTimeoutMs: 1_000,
});
const udp = dgram.createSocket('udp4');
await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
const inPort = udp.address().port;
await new Promise<void>((r) => udp.close(() => r()));
writeFileSync(
  join(dir, 'rsyslog.conf'),
  `
global(workDirectory="${dir}")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="${inPort}")
action(type="omfwd" target="127.0.0.1" port="${listener.tcpPort}" protocol="tcp"
       tcp_framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format"${
         plain
           ? ''
           : `
       queue.type="LinkedList" queue.size="100000" queue.filename="mutt-fwd" queue.saveOnShutdown="on"
       action.resumeRetryCount="-1" action.resumeInterval="1"`
       })
`,
);
const rsyslogd = spawn(requireBinary('rsyslogd', 'rsyslog'), ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'pid')], {
  stdio: 'ignore',
});
const sender = dgram.createSocket('udp4');
const send = (text: string) =>
  new Promise<void>((r) => sender.send(`<14>Mar  1 12:00:00 dev1 app: ${text}`, inPort, '127.0.0.1', () => r()));
const arrived = (text: string) => rec.events.some((e) => e.message.includes(text));
const timedOut = async () => {
  const m = await registry.getSingleMetric('mutt_syslog_tcp_connections_total')!.get();
  return m.values.find((v) => v.labels.event === 'timed_out')?.value ?? 0;
};

let lost = 0;
let sent = 0;
try {
  for (let round = 0; round < rounds; round++) {
    const first = `round-${round}-first`;
    await waitFor(
      async () => {
        await send(first);
        await new Promise((r) => setTimeout(r, 100));
        return arrived(first);
      },
      20_000,
      `${first} through rsyslog`,
    );
    const closed = await timedOut();
    await waitFor(async () => (await timedOut()) > closed, 10_000, 'the listener to close the idle connection');
    const texts = Array.from({ length: 10 }, (_, i) => `round-${round}-after-${i}`);
    for (const t of texts) {
      await send(t);
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor(() => texts.every(arrived), 5_000, 'the lines after the close').catch(() => undefined);
    const missing = texts.filter((t) => !arrived(t));
    lost += missing.length;
    sent += texts.length;
    console.log(
      `round ${round}: connection closed by the listener; ${texts.length - missing.length}/${texts.length} later lines arrived${missing.length ? ` (lost: ${missing.join(', ')})` : ''}`,
    );
  }
  console.log(
    `rsyslog (${plain ? 'omfwd defaults' : 'relay config of docs/SYSLOG_AND_TRAPS.md'}) ${rounds} idle closes: ${lost} of ${sent} lines sent after a close were lost`,
  );
} finally {
  sender.close();
  rsyslogd.kill('SIGTERM');
  await new Promise((r) => rsyslogd.once('exit', r));
  await listener.close();
  rmSync(dir, { recursive: true, force: true });
}
