import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { promisify } from 'node:util';
import { Registry } from 'prom-client';
import { SyslogEvent, type IngestEvent } from '../../protocol/messages.ts';
import { startSyslogListener, type SyslogListenerOptions } from '../../actors/syslog/listener.ts';
import { PortBindError } from '../../actors/syslog/bind.ts';
import { metricValue, recorder, sendTcp, sendUdp, silentLog, type Recorder } from './helpers.ts';
import { waitFor } from '../helpers/wait.ts';

const run = promisify(execFile);

async function start(rec: Recorder, extra: Partial<SyslogListenerOptions> = {}) {
  const registry = new Registry();
  const listener = await startSyslogListener({ port: 0, host: '127.0.0.1', publish: rec.publish, log: silentLog, registry, ...extra });
  return { listener, registry };
}

const messages = (events: IngestEvent[]) => events.map((e) => e.message);

test('UDP and TCP listen on the same free port and deliver parsed events', async () => {
  const rec = recorder();
  const { listener, registry } = await start(rec);
  try {
    assert.is(listener.udpPort, listener.tcpPort);
    assert.ok(listener.udpPort > 0);
    await sendUdp(listener.udpPort, ['<38>Mar  1 12:00:00 web01 sshd[1]: over udp\n']);
    await sendTcp(listener.tcpPort, '<38>Mar  1 12:00:00 web02 sshd[2]: over tcp\n');
    await waitFor(() => rec.events.length === 2, 10_000, 'two events');
    const byMessage = new Map(rec.events.map((e) => [e.message, e]));
    const udp = byMessage.get('over udp')!;
    const tcp = byMessage.get('over tcp')!;
    assert.is(udp.host, 'web01');
    assert.equal(udp.source, { input: 'syslog-udp', address: '127.0.0.1' });
    assert.is(tcp.host, 'web02');
    assert.equal(tcp.source, { input: 'syslog-tcp', address: '127.0.0.1' });
    for (const e of rec.events) assert.ok(SyslogEvent.safeParse(e).success);
    assert.is(await metricValue(registry, 'mutt_syslog_lines_received_total', { transport: 'udp' }), 1);
    assert.is(await metricValue(registry, 'mutt_syslog_lines_received_total', { transport: 'tcp' }), 1);
    assert.is(await metricValue(registry, 'mutt_syslog_events_published_total', { transport: 'tcp' }), 1);
    assert.is(await metricValue(registry, 'mutt_syslog_lines_parsed_total', { status: 'rfc3164' }), 2);
  } finally {
    await listener.close();
  }
});

test('real senders: logger --udp --rfc5424 and logger --tcp --octet-count --rfc3164 each arrive as one event', async () => {
  const rec = recorder();
  const { listener } = await start(rec);
  try {
    const port = String(listener.udpPort);
    await run('logger', [
      '--server',
      '127.0.0.1',
      '--port',
      port,
      '--udp',
      '--rfc5424',
      '-t',
      'mutt-test',
      '-p',
      'local3.err',
      'udp 5424 message',
    ]);
    await run('logger', [
      '--server',
      '127.0.0.1',
      '--port',
      port,
      '--tcp',
      '--octet-count',
      '--rfc3164',
      '-t',
      'mutt-test',
      '-p',
      'auth.warning',
      'tcp 3164 message',
    ]);
    await run('logger', ['--server', '127.0.0.1', '--port', port, '--tcp', '--rfc5424', 'tcp lf-framed 5424']);
    await waitFor(() => rec.events.length === 3, 10_000, 'three events from logger');
    const byMessage = new Map(rec.events.map((e) => [e.message, e as SyslogEvent]));
    const u = byMessage.get('udp 5424 message');
    assert.ok(u, `udp event: ${JSON.stringify(messages(rec.events))}`);
    assert.is(u!.parse, 'rfc5424');
    assert.is(u!.appName, 'mutt-test');
    assert.is(u!.severity, 3);
    assert.is(u!.facility, 'local3');
    assert.ok(u!.fields?.structuredData, 'logger sends timeQuality SD');
    const t = byMessage.get('tcp 3164 message');
    assert.ok(t, 'tcp octet-counted event');
    assert.is(t!.parse, 'rfc3164');
    assert.is(t!.severity, 4);
    assert.is(t!.facility, 'auth');
    assert.is(t!.appName, 'mutt-test');
    assert.ok(byMessage.get('tcp lf-framed 5424'), 'LF-framed 5424 over TCP');
  } finally {
    await listener.close();
  }
});

test('TCP: a publish that fails several times loses no line, and order within a connection is kept', async () => {
  const rec = recorder();
  let failures = 0;
  rec.before = () => {
    if (failures < 4) {
      failures++;
      throw new Error('nats: no responders');
    }
  };
  const { listener, registry } = await start(rec, { retryMinMs: 5, retryMaxMs: 20 });
  try {
    const lines = Array.from({ length: 300 }, (_, i) => `<13>Mar  1 12:00:00 h app: line ${i}`);
    await sendTcp(listener.tcpPort, lines.join('\n') + '\n');
    await waitFor(() => rec.events.length === 300, 10_000, '300 events after retries');
    assert.equal(
      messages(rec.events),
      lines.map((_, i) => `line ${i}`),
    );
    assert.is(failures, 4);
    assert.is(await metricValue(registry, 'mutt_syslog_publish_errors_total', { transport: 'tcp' }), 4);
    assert.is(await metricValue(registry, 'mutt_syslog_events_published_total', { transport: 'tcp' }), 300);
    assert.is(await metricValue(registry, 'mutt_syslog_in_flight_events'), 0);
  } finally {
    await listener.close();
  }
});

test('TCP backpressure: while publishing is stuck the socket is paused, nothing is dropped, and it resumes', async () => {
  const rec = recorder();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  rec.before = () => gate;
  const { listener, registry } = await start(rec, { maxInFlight: 50, maxBatch: 20 });
  const total = 20_000;
  const payload = Array.from({ length: total }, (_, i) => `<13>Mar  1 12:00:00 h app: bp ${i} ${'p'.repeat(60)}`).join('\n') + '\n';
  const client = net.connect({ port: listener.tcpPort, host: '127.0.0.1' });
  try {
    await new Promise<void>((r) => client.once('connect', () => r()));
    client.end(payload);
    await waitFor(async () => (await metricValue(registry, 'mutt_syslog_tcp_paused_connections')) === 1, 10_000, 'the connection to pause');
    // Give the sender every chance to push more: a paused listener must not keep reading.
    await new Promise((r) => setTimeout(r, 200));
    const receivedWhileStuck = await metricValue(registry, 'mutt_syslog_lines_received_total', { transport: 'tcp' });
    assert.ok(receivedWhileStuck < total, `reading stopped (${receivedWhileStuck} of ${total} read)`);
    assert.is(rec.events.length, 0);
    release();
    await waitFor(() => rec.events.length === total, 30_000, 'every line after release');
    const seen = new Set(rec.events.map((e) => e.message.split(' ')[1]));
    assert.is(seen.size, total, 'no line lost or duplicated');
    assert.is(await metricValue(registry, 'mutt_syslog_tcp_paused_connections'), 0);
  } finally {
    client.destroy();
    await listener.close();
  }
});

test('UDP: failed publishes and an over-full pipeline drop datagrams, counted by reason', async () => {
  const rec = recorder();
  rec.before = () => {
    throw new Error('stream full');
  };
  const { listener, registry } = await start(rec);
  try {
    await sendUdp(listener.udpPort, ['<13>one', '<13>two', '<13>three']);
    await waitFor(
      async () => (await metricValue(registry, 'mutt_syslog_udp_datagrams_dropped_total', { reason: 'publish_failed' })) === 3,
      10_000,
      'publish_failed drops',
    );
    assert.ok((await metricValue(registry, 'mutt_syslog_publish_errors_total', { transport: 'udp' })) >= 1);
  } finally {
    await listener.close();
  }

  const stuck = recorder();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  stuck.before = () => gate;
  const second = await start(stuck, { maxInFlight: 5 });
  try {
    await sendUdp(
      second.listener.udpPort,
      Array.from({ length: 30 }, (_, i) => `<13>dgram ${i}`),
    );
    await waitFor(
      async () => (await metricValue(second.registry, 'mutt_syslog_lines_received_total', { transport: 'udp' })) === 30,
      10_000,
      '30 datagrams read',
    );
    const dropped = await metricValue(second.registry, 'mutt_syslog_udp_datagrams_dropped_total', { reason: 'backpressure' });
    assert.is(dropped, 25, 'all beyond the in-flight cap are dropped');
    release();
    await waitFor(() => stuck.events.length === 5, 10_000, 'the accepted five stored');
  } finally {
    await second.listener.close();
  }
});

test('fuzz: 2,000 random datagrams and TCP garbage never crash the listener; a good line still gets through', async () => {
  const rec = recorder();
  const { listener, registry } = await start(rec, { maxFrameBytes: 1024 });
  try {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const datagrams: Buffer[] = [];
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.alloc(Math.floor(next() * 1400));
      for (let j = 0; j < b.length; j++) b[j] = Math.floor(next() * 256);
      datagrams.push(b);
    }
    for (let i = 0; i < datagrams.length; i += 200) await sendUdp(listener.udpPort, datagrams.slice(i, i + 200));
    const garbage = Buffer.alloc(200_000);
    for (let j = 0; j < garbage.length; j++) garbage[j] = Math.floor(next() * 256);
    await sendTcp(listener.tcpPort, garbage);
    await sendTcp(listener.tcpPort, '99999999 <' + 'x'.repeat(5000)); // an octet count the stream never fills
    const socket = net.connect({ port: listener.tcpPort, host: '127.0.0.1' });
    socket.on('error', () => {});
    socket.write('<13>half a line');
    socket.destroy(); // reset mid-line
    await waitFor(
      async () => (await metricValue(registry, 'mutt_syslog_lines_received_total', { transport: 'udp' })) > 1500,
      10_000,
      'datagrams read',
    );
    await sendUdp(listener.udpPort, ['<13>Mar  1 12:00:00 good app: still alive udp']);
    await sendTcp(listener.tcpPort, '<13>Mar  1 12:00:00 good app: still alive tcp\n');
    await waitFor(
      () => rec.events.some((e) => e.message === 'still alive udp') && rec.events.some((e) => e.message === 'still alive tcp'),
      10_000,
      'good lines after garbage',
    );
    for (const e of rec.events) assert.ok(SyslogEvent.safeParse(e).success);
    assert.ok(
      rec.events.some((e) => e.fields?.truncated === true),
      'oversized garbage frames were cut and flagged',
    );
    assert.ok((await metricValue(registry, 'mutt_syslog_lines_truncated_total', { transport: 'tcp' })) > 0);
  } finally {
    await listener.close();
  }
});

test('close() waits for in-flight publishes', async () => {
  const rec = recorder();
  rec.before = () => new Promise((r) => setTimeout(r, 150));
  const { listener } = await start(rec);
  await sendUdp(listener.udpPort, ['<13>udp in flight']);
  await sendTcp(listener.tcpPort, '<13>tcp in flight\n');
  await waitFor(() => rec.calls >= 2, 10_000, 'both publishes started');
  await listener.close();
  assert.equal(messages(rec.events).sort(), ['tcp in flight', 'udp in flight']);
  await listener.close(); // idempotent
});

test('close() with the store down keeps trying until its deadline, then gives up and counts the lines', async () => {
  const rec = recorder();
  rec.before = () => {
    throw new Error('nats down');
  };
  const { listener, registry } = await start(rec, { retryMinMs: 5, retryMaxMs: 10, closeTimeoutMs: 200 });
  const client = net.connect({ port: listener.tcpPort, host: '127.0.0.1' });
  client.on('error', () => {});
  await new Promise<void>((r) => client.once('connect', () => r()));
  client.write('<13>first\n<13>partial without newline');
  await waitFor(
    async () => (await metricValue(registry, 'mutt_syslog_publish_errors_total', { transport: 'tcp' })) >= 2,
    10_000,
    'retries',
  );
  await listener.close();
  assert.is(await metricValue(registry, 'mutt_syslog_tcp_lines_abandoned_total'), 2, 'both lines, the partial one included');
  assert.is(rec.events.length, 0);
  client.destroy();
});

test('a given port is used for both transports; a taken port is a PortBindError', async () => {
  const rec = recorder();
  const { listener } = await start(rec);
  try {
    const registry = new Registry();
    try {
      await startSyslogListener({ port: listener.tcpPort, host: '127.0.0.1', publish: rec.publish, log: silentLog, registry });
      assert.unreachable('second bind on the same port');
    } catch (err) {
      assert.instance(err, PortBindError);
    }
  } finally {
    await listener.close();
  }
  // UDP taken, TCP free, fixed port: refused as well.
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  try {
    await startSyslogListener({
      port: udp.address().port,
      host: '127.0.0.1',
      publish: rec.publish,
      log: silentLog,
      registry: new Registry(),
    });
    assert.unreachable('udp port taken');
  } catch (err) {
    assert.instance(err, PortBindError);
  } finally {
    udp.close();
  }
});

test('two listeners on one registry share the metrics instead of failing to register them', async () => {
  const registry = new Registry();
  const a = await startSyslogListener({ port: 0, host: '127.0.0.1', publish: recorder().publish, log: silentLog, registry });
  const b = await startSyslogListener({ port: 0, host: '127.0.0.1', publish: recorder().publish, log: silentLog, registry });
  await sendUdp(a.udpPort, ['<13>a']);
  await sendUdp(b.udpPort, ['<13>b']);
  await waitFor(
    async () => (await metricValue(registry, 'mutt_syslog_lines_received_total', { transport: 'udp' })) === 2,
    10_000,
    'both counted',
  );
  await a.close();
  await b.close();
  const text = await registry.metrics();
  for (const name of [
    'mutt_syslog_lines_received_total',
    'mutt_syslog_events_published_total',
    'mutt_syslog_udp_datagrams_dropped_total',
    'mutt_syslog_lines_parsed_total',
    'mutt_syslog_publish_errors_total',
    'mutt_syslog_in_flight_events',
  ]) {
    assert.ok(text.includes(`# TYPE ${name}`), name);
  }
});

test.run();
