// deploy/rsyslog/mutt-forward.conf with the real rsyslogd (Debian 8.2302): messages reach MUTT over TCP,
// octet-counted, in RFC 5424 form that MUTT's parser reads; while MUTT is down rsyslog keeps them in its
// disk-assisted queue — across an rsyslog restart too — and delivers them once MUTT listens again.
// rsyslogd runs in the foreground, unprivileged (as nobody via setpriv when the tests run as root).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { IngestEvent, SyslogEvent } from '../../protocol/messages.ts';
import { parseSyslog } from '../../actors/syslog/parse.ts';
import { startSyslogListener, type SyslogListener } from '../../actors/syslog/listener.ts';
import { freeTcpPort, freeUdpPort, repoPath, requireBinary, run, sleep, tempDir, waitFor } from './helpers.ts';

const CONF = repoPath('deploy/rsyslog/mutt-forward.conf');

/** The shipped action with only its destination changed; everything else (framing, template, queue) as is. */
function forwardAction(target: string, port: number): string {
  const text = readFileSync(CONF, 'utf8');
  const out = text.replace(/target="[^"]*"/, `target="${target}"`).replace(/port="[^"]*"/, `port="${port}"`);
  assert.ok(out.includes(`target="${target}"`) && out.includes(`port="${port}"`), 'mutt-forward.conf has target= and port= to point at MUTT');
  return out;
}

/** Octet-counted frames (RFC 6587): '<len> <msg>' repeated; throws on anything else. */
function splitOctetCounted(bytes: Buffer): string[] {
  const frames: string[] = [];
  let i = 0;
  while (i < bytes.length) {
    const sp = bytes.indexOf(0x20, i);
    const len = Number(bytes.subarray(i, sp).toString('latin1'));
    if (sp < 0 || !/^[1-9][0-9]*$/.test(bytes.subarray(i, sp).toString('latin1'))) {
      throw new Error(`not octet-counted at byte ${i}: ${JSON.stringify(bytes.subarray(i, i + 40).toString())}`);
    }
    if (sp + 1 + len > bytes.length) break; // incomplete last frame
    frames.push(bytes.subarray(sp + 1, sp + 1 + len).toString('utf8'));
    i = sp + 1 + len;
  }
  return frames;
}

/** A bare TCP server that keeps every byte it is sent (to see the framing before anything parses it). */
async function captureServer(port: number) {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', (d) => chunks.push(d));
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    bytes: () => Buffer.concat(chunks),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

interface Rsyslog { child: ChildProcess; log: () => string; stop(): Promise<void> }

function startRsyslog(rsyslogd: string, conf: string, dir: string): Rsyslog {
  const pid = join(dir, 'rsyslogd.pid');
  rmSync(pid, { force: true });
  const direct = process.getuid?.() !== 0 || process.env.MUTT_TEST_RSYSLOG_AS_ROOT === "1";
  const [cmd, args] = direct
    ? [rsyslogd, ['-n', '-f', conf, '-i', pid]]
    : [requireBinary('setpriv', 'util-linux'), ['--reuid=nobody', '--regid=nogroup', '--clear-groups', rsyslogd, '-n', '-f', conf, '-i', pid]];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d.toString()));
  child.stderr!.on('data', (d) => (out += d.toString()));
  return {
    child,
    log: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

test('mutt-forward.conf passes rsyslogd -N1 (config check)', async () => {
  const rsyslogd = requireBinary('rsyslogd', 'rsyslog');
  const dir = tempDir('rsyslog-check');
  try {
    const conf = join(dir, 'rsyslog.conf');
    writeFileSync(conf, `global(workDirectory="${dir}")\n${readFileSync(CONF, 'utf8')}`);
    const r = await run(rsyslogd, ['-N1', '-f', conf]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.not.match(r.stdout + r.stderr, /error|warning/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rsyslog forwards octet-counted RFC 5424 to MUTT and buffers on disk while MUTT is down', async () => {
  const rsyslogd = requireBinary('rsyslogd', 'rsyslog');
  const logger = requireBinary('logger', 'bsdutils');
  const dir = tempDir('rsyslog');
  chmodSync(dir, 0o777); // rsyslogd may run as nobody: its queue files and pid file go here
  const inPort = await freeUdpPort();
  const muttPort = await freeTcpPort();
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(conf, [
    `global(workDirectory="${dir}")`,
    'module(load="imudp")',
    `input(type="imudp" address="127.0.0.1" port="${inPort}")`,
    forwardAction('127.0.0.1', muttPort),
  ].join('\n'));
  chmodSync(conf, 0o644);

  const send = (text: string) => run(logger, ['--server', '127.0.0.1', '--port', String(inPort), '--udp', '--rfc5424', '-t', 'mutt-test', '-p', 'local4.warning', text]);
  let rsyslog: Rsyslog | undefined;
  let listener: SyslogListener | undefined;
  const capture = await captureServer(muttPort);
  let captureOpen = true;
  try {
    rsyslog = startRsyslog(rsyslogd, conf, dir);

    // 1. MUTT up: a line arrives framed and parseable. imudp may not listen yet, so resend until one arrives.
    await waitFor(async () => {
      if (rsyslog!.child.exitCode !== null) throw new Error(`rsyslogd exited ${rsyslog!.child.exitCode}: ${rsyslog!.log()}`);
      await send('phase-one hello from the relay');
      await sleep(150);
      return capture.bytes().includes('phase-one');
    }, 15_000, 'the first line through rsyslog');
    const frames = splitOctetCounted(capture.bytes());
    assert.ok(frames.length >= 1);
    for (const frame of frames) {
      assert.match(frame, /^<\d{1,3}>1 \d{4}-\d\d-\d\dT/, 'RFC 5424 header (version 1, RFC 3339 time)');
      const event = parseSyslog(frame, { receivedAt: Date.now(), input: 'syslog-tcp', address: '127.0.0.1' });
      assert.is(event.parse, 'rfc5424');
      assert.is(event.appName, 'mutt-test');
      assert.is(event.severity, 4);
      assert.is(event.facility, 'local4');
      assert.is(event.host.toLowerCase(), hostname().toLowerCase(), 'the original host, not the relay address');
      assert.is(event.message, 'phase-one hello from the relay');
    }

    // 2. MUTT goes away. Plain TCP syslog has no acknowledgements: the line rsyslog writes into the broken
    // connection can be lost (the kernel accepted it). That send fails the connection, rsyslog suspends the
    // action, and from then on every line waits in the queue. (RELP would close that gap; MUTT speaks TCP.)
    await capture.close();
    captureOpen = false;
    let probes = 0;
    await waitFor(async () => {
      if (/action 'mutt' suspended|cannot connect to 127.0.0.1/.test(rsyslog!.log())) return true;
      await send(`phase-two probe-${probes++}`);
      await sleep(200);
      return false;
    }, 10_000, 'rsyslog to notice MUTT is gone and suspend the action').catch((err) => {
      throw new Error(`${(err as Error).message}\nrsyslogd said:\n${rsyslog!.log().slice(-2000)}`);
    });
    const down = Array.from({ length: 5 }, (_, i) => `phase-two while-down-${i}`);
    for (const line of down) await send(line);
    await sleep(500);
    // ...and rsyslog itself restarts meanwhile: saveOnShutdown writes the queue to disk, the new rsyslogd reads it.
    await rsyslog.stop();
    const queueFiles = readdirSync(dir).filter((f) => f.startsWith('mutt-fwd'));
    assert.ok(queueFiles.some((f) => f.endsWith('.qi')), `queue saved to disk on shutdown (files: ${readdirSync(dir).join(', ')})`);
    rsyslog = startRsyslog(rsyslogd, conf, dir);
    const after = 'phase-two after-restart';
    await sleep(300);
    await send(after);

    // 3. MUTT is back (the real listener, same port): everything buffered arrives, parsed.
    const events: IngestEvent[] = [];
    listener = await startSyslogListener({
      port: muttPort, host: '127.0.0.1', log: pino({ level: 'silent' }), registry: new Registry(),
      publish: async (batch) => { events.push(...batch); },
    });
    const texts = () => events.map((e) => e.message);
    await waitFor(() => [...down, after].every((l) => texts().includes(l)), 20_000, 'the buffered lines').catch((err) => {
      throw new Error(`${(err as Error).message}: got ${JSON.stringify(texts())}\nrsyslogd said:\n${rsyslog!.log().slice(-2000)}`);
    });
    for (const e of events.filter((x) => x.message.startsWith('phase-two'))) {
      const s = e as SyslogEvent;
      assert.is(s.parse, 'rfc5424');
      assert.is(s.source.input, 'syslog-tcp');
      assert.is(s.host.toLowerCase(), hostname().toLowerCase());
    }
    // At-least-once: a batch replayed from the disk queue after a restart can arrive twice (MUTT's dedupe is by
    // event id, and a relayed line gets a new one), and the disk part can overtake the memory part.
    assert.equal([...new Set(texts().filter((t) => t.startsWith('phase-two while-down')))].sort(), down);
  } finally {
    await rsyslog?.stop();
    await listener?.close();
    if (captureOpen) await capture.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
