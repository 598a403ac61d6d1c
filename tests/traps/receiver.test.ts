import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { TrapEvent, type IngestEvent } from '../../protocol/messages.ts';
import { startTrapReceiver, TrapReceiverError, type TrapReceiverOptions } from '../../actors/traps/receiver.ts';
import { waitFor } from '../helpers/wait.ts';

const run = promisify(execFile);
const log = pino({ level: 'silent' });
const snmpDir = mkdtempSync(join(tmpdir(), 'mutt-snmp-'));
// No MIBs on this machine and none wanted: numeric OIDs only, state in a throwaway directory.
const env = { ...process.env, SNMP_PERSISTENT_DIR: snmpDir, SNMPCONFPATH: snmpDir, HOME: snmpDir };
const NUMERIC = ['-M', '/dev/null', '-m', ''];

interface Started {
  port: number;
  close(): Promise<void>;
  registry: Registry;
  events: IngestEvent[];
}

async function start(extra: Partial<TrapReceiverOptions> = {}): Promise<Started> {
  const events: IngestEvent[] = [];
  const registry = new Registry();
  const r = await startTrapReceiver({
    port: 0,
    host: '127.0.0.1',
    communities: ['public', 'second'],
    log,
    registry,
    publish: async (batch) => {
      events.push(...batch);
    },
    ...extra,
  });
  return { ...r, registry, events };
}

async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) return 0;
  const data = await m.get();
  return data.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value ?? 0;
}

const snmptrap = (args: string[]) => run('snmptrap', [...NUMERIC, ...args], { env });

test('port 0 gives a real free port, never 162', async () => {
  const r = await start();
  try {
    assert.ok(r.port > 0 && r.port !== 162);
  } finally {
    await r.close();
  }
});

test('a v1 enterprise-specific trap from snmptrap arrives with RFC 3584 trap OID, agent address and varbinds', async () => {
  const r = await start();
  try {
    await snmptrap([
      '-v',
      '1',
      '-c',
      'public',
      `127.0.0.1:${r.port}`,
      '.1.3.6.1.4.1.8072.3.2.10',
      '10.0.0.5',
      '6',
      '17',
      '',
      '.1.3.6.1.2.1.2.2.1.1.2',
      'i',
      '2',
      '.1.3.6.1.2.1.2.2.1.2.2',
      's',
      'Gi0/2',
      '.1.3.6.1.4.1.9.9.3',
      'a',
      '10.1.2.3',
      '.1.3.6.1.4.1.9.9.4',
      'o',
      '.1.3.6.1.4.1.9',
      '.1.3.6.1.4.1.9.9.5',
      'C',
      '123456789012',
    ]);
    await waitFor(() => r.events.length === 1, 10_000, 'the v1 trap');
    const e = r.events[0] as TrapEvent;
    assert.ok(TrapEvent.safeParse(e).success);
    assert.is(e.kind, 'trap');
    assert.is(e.version, 'v1');
    assert.is(e.trapOid, '.1.3.6.1.4.1.8072.3.2.10.0.17');
    assert.is(e.enterprise, '.1.3.6.1.4.1.8072.3.2.10');
    assert.is(e.agentAddress, '10.0.0.5');
    assert.is(e.host, '10.0.0.5');
    assert.is(e.genericTrap, 6);
    assert.is(e.specificTrap, 17);
    assert.equal(e.varbinds, [
      { oid: '.1.3.6.1.2.1.2.2.1.1.2', type: 'Integer', value: 2 },
      { oid: '.1.3.6.1.2.1.2.2.1.2.2', type: 'OctetString', value: 'Gi0/2' },
      { oid: '.1.3.6.1.4.1.9.9.3', type: 'IpAddress', value: '10.1.2.3' },
      { oid: '.1.3.6.1.4.1.9.9.4', type: 'ObjectIdentifier', value: '.1.3.6.1.4.1.9' },
      { oid: '.1.3.6.1.4.1.9.9.5', type: 'Counter64', value: '123456789012' },
    ]);
    assert.is(
      e.message,
      '.1.3.6.1.4.1.8072.3.2.10.0.17 from 10.0.0.5: ifIndex=2 ifDescr=Gi0/2 .1.3.6.1.4.1.9.9.3=10.1.2.3 .1.3.6.1.4.1.9.9.4=.1.3.6.1.4.1.9 .1.3.6.1.4.1.9.9.5=123456789012',
    );
    assert.equal(e.source, { input: 'snmp', address: '127.0.0.1' });
    assert.is(await metric(r.registry, 'mutt_traps_received_total', { version: 'v1' }), 1);
    await waitFor(async () => (await metric(r.registry, 'mutt_traps_published_total')) === 1, 10_000, 'published metric');
  } finally {
    await r.close();
  }
});

test('a v1 generic linkDown maps to the standard linkDown OID', async () => {
  const r = await start();
  try {
    await snmptrap([
      '-v',
      '1',
      '-c',
      'public',
      `127.0.0.1:${r.port}`,
      '.1.3.6.1.4.1.9',
      '10.0.0.6',
      '2',
      '0',
      '',
      '.1.3.6.1.2.1.2.2.1.1.3',
      'i',
      '3',
    ]);
    await waitFor(() => r.events.length === 1, 10_000, 'linkDown');
    const e = r.events[0] as TrapEvent;
    assert.is(e.trapOid, '.1.3.6.1.6.3.1.1.5.3');
    assert.is(e.message, 'linkDown from 10.0.0.6: ifIndex=3');
  } finally {
    await r.close();
  }
});

test('a v2c trap from snmptrap arrives with snmpTrapOID.0, typed varbinds and a readable message', async () => {
  const r = await start();
  try {
    await snmptrap([
      '-v',
      '2c',
      '-c',
      'second',
      `127.0.0.1:${r.port}`,
      '',
      '.1.3.6.1.6.3.1.1.5.3',
      '.1.3.6.1.2.1.2.2.1.1.2',
      'i',
      '2',
      '.1.3.6.1.2.1.2.2.1.2.2',
      's',
      'Gi0/2 uplink',
      '.1.3.6.1.2.1.2.2.1.7.2',
      'i',
      '2',
      '.1.3.6.1.4.1.9.9.1',
      'x',
      '001A2B3C4D5E',
      '.1.3.6.1.4.1.9.9.2',
      't',
      '12345',
      '.1.3.6.1.4.1.9.9.6',
      'c',
      '42',
      '.1.3.6.1.4.1.9.9.7',
      'u',
      '7',
    ]);
    await waitFor(() => r.events.length === 1, 10_000, 'the v2c trap');
    const e = r.events[0] as TrapEvent;
    assert.ok(TrapEvent.safeParse(e).success);
    assert.is(e.version, 'v2c');
    assert.is(e.trapOid, '.1.3.6.1.6.3.1.1.5.3');
    assert.is(e.host, '127.0.0.1');
    assert.is(e.severity, null);
    assert.is(e.varbinds[0].oid, '.1.3.6.1.2.1.1.3.0');
    assert.is(e.varbinds[0].type, 'TimeTicks');
    assert.equal(e.varbinds[1], { oid: '.1.3.6.1.6.3.1.1.4.1.0', type: 'ObjectIdentifier', value: '.1.3.6.1.6.3.1.1.5.3' });
    const byOid = new Map(e.varbinds.map((v) => [v.oid, v]));
    assert.equal(byOid.get('.1.3.6.1.4.1.9.9.1'), { oid: '.1.3.6.1.4.1.9.9.1', type: 'OctetString', value: '00 1A 2B 3C 4D 5E' });
    assert.equal(byOid.get('.1.3.6.1.4.1.9.9.2'), { oid: '.1.3.6.1.4.1.9.9.2', type: 'TimeTicks', value: 12345 });
    assert.equal(byOid.get('.1.3.6.1.4.1.9.9.6'), { oid: '.1.3.6.1.4.1.9.9.6', type: 'Counter32', value: 42 });
    assert.equal(byOid.get('.1.3.6.1.4.1.9.9.7'), { oid: '.1.3.6.1.4.1.9.9.7', type: 'Gauge32', value: 7 });
    assert.is(
      e.message,
      'linkDown from 127.0.0.1: ifIndex=2 ifDescr="Gi0/2 uplink" ifAdminStatus=2 .1.3.6.1.4.1.9.9.1="00 1A 2B 3C 4D 5E" .1.3.6.1.4.1.9.9.2=12345 .1.3.6.1.4.1.9.9.6=42 .1.3.6.1.4.1.9.9.7=7',
    );
    assert.not.match(e.raw!, /second/, 'the community is not stored');
  } finally {
    await r.close();
  }
});

test('an inform is acknowledged (snmpinform exits 0) and stored', async () => {
  const r = await start();
  try {
    await run(
      'snmpinform',
      [
        ...NUMERIC,
        '-v',
        '2c',
        '-c',
        'public',
        '-r',
        '2',
        '-t',
        '2',
        `127.0.0.1:${r.port}`,
        '',
        '.1.3.6.1.6.3.1.1.5.4',
        '.1.3.6.1.2.1.2.2.1.1.2',
        'i',
        '2',
      ],
      { env },
    );
    await waitFor(() => r.events.length === 1, 10_000, 'the inform');
    const e = r.events[0] as TrapEvent;
    assert.is(e.version, 'inform');
    assert.is(e.trapOid, '.1.3.6.1.6.3.1.1.5.4');
    assert.is(e.message, 'linkUp from 127.0.0.1: ifIndex=2');
    assert.is(await metric(r.registry, 'mutt_traps_received_total', { version: 'inform' }), 1);
  } finally {
    await r.close();
  }
});

test('wrong community and garbage are rejected, counted, and the receiver keeps working', async () => {
  const r = await start();
  try {
    await snmptrap(['-v', '2c', '-c', 'wrong', `127.0.0.1:${r.port}`, '', '.1.3.6.1.6.3.1.1.5.3']);
    await snmptrap(['-v', '1', '-c', 'wrong', `127.0.0.1:${r.port}`, '.1.3.6.1.4.1.9', '10.0.0.6', '2', '0', '']);
    await waitFor(
      async () => (await metric(r.registry, 'mutt_traps_rejected_total', { reason: 'community' })) === 2,
      10_000,
      'community rejects',
    );
    await assertInformRefused(r.port);
    const sock = dgram.createSocket('udp4');
    let seed = 3;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 300; i++) {
      const b = Buffer.alloc(1 + Math.floor(next() * 500));
      for (let j = 0; j < b.length; j++) b[j] = Math.floor(next() * 256);
      if (i % 3 === 0) b[0] = 0x30; // looks like a BER SEQUENCE, so decoding gets further before failing
      await new Promise<void>((res) => sock.send(b, r.port, '127.0.0.1', () => res()));
    }
    sock.close();
    await waitFor(
      async () => (await metric(r.registry, 'mutt_traps_rejected_total', { reason: 'malformed' })) > 250,
      10_000,
      'malformed rejects',
    );
    assert.is(r.events.length, 0);
    await snmptrap(['-v', '2c', '-c', 'public', `127.0.0.1:${r.port}`, '', '.1.3.6.1.6.3.1.1.5.1']);
    await waitFor(() => r.events.length === 1, 10_000, 'a good trap after the garbage');
    assert.is((r.events[0] as TrapEvent).trapOid, '.1.3.6.1.6.3.1.1.5.1');
  } finally {
    await r.close();
  }
});

async function assertInformRefused(port: number) {
  try {
    await run(
      'snmpinform',
      [...NUMERIC, '-v', '2c', '-c', 'wrong', '-r', '0', '-t', '0.3', `127.0.0.1:${port}`, '', '.1.3.6.1.6.3.1.1.5.4'],
      { env },
    );
    assert.unreachable('an inform with a wrong community must not be acknowledged');
  } catch (err) {
    assert.ok((err as { code?: number }).code !== 0);
  }
}

test('a failing publish drops the traps and counts them; the receiver goes on', async () => {
  let fail = true;
  const events: IngestEvent[] = [];
  const r = await start({
    publish: async (batch) => {
      if (fail) throw new Error('stream full');
      events.push(...batch);
    },
  });
  try {
    await snmptrap(['-v', '2c', '-c', 'public', `127.0.0.1:${r.port}`, '', '.1.3.6.1.6.3.1.1.5.3']);
    await waitFor(
      async () => (await metric(r.registry, 'mutt_traps_dropped_total', { reason: 'publish_failed' })) === 1,
      10_000,
      'dropped',
    );
    assert.is(await metric(r.registry, 'mutt_traps_publish_errors_total'), 1);
    fail = false;
    await snmptrap(['-v', '2c', '-c', 'public', `127.0.0.1:${r.port}`, '', '.1.3.6.1.6.3.1.1.5.4']);
    await waitFor(() => events.length === 1, 10_000, 'stored after recovery');
  } finally {
    await r.close();
  }
});

test('beyond the in-flight cap traps are dropped as backpressure; close() waits for publishes in flight', async () => {
  let release!: () => void;
  const gate = new Promise<void>((res) => (release = res));
  const stored: IngestEvent[] = [];
  const r = await start({
    maxInFlight: 1,
    publish: async (batch) => {
      await gate;
      stored.push(...batch);
    },
  });
  await snmptrap(['-v', '2c', '-c', 'public', `127.0.0.1:${r.port}`, '', '.1.3.6.1.6.3.1.1.5.1']);
  await snmptrap(['-v', '2c', '-c', 'public', `127.0.0.1:${r.port}`, '', '.1.3.6.1.6.3.1.1.5.2']);
  await waitFor(
    async () => (await metric(r.registry, 'mutt_traps_dropped_total', { reason: 'backpressure' })) === 1,
    10_000,
    'backpressure drop',
  );
  const closed = r.close();
  setTimeout(release, 50);
  await closed;
  assert.is(stored.length, 1, 'close() returned only after the in-flight trap was stored');
  await r.close();
});

test('configuration errors are named: no community, port in use', async () => {
  try {
    await startTrapReceiver({ port: 0, host: '127.0.0.1', communities: [''], publish: async () => {}, log, registry: new Registry() });
    assert.unreachable('no community');
  } catch (err) {
    assert.instance(err, TrapReceiverError);
  }
  const r = await start();
  try {
    await startTrapReceiver({
      port: r.port,
      host: '127.0.0.1',
      communities: ['public'],
      publish: async () => {},
      log,
      registry: new Registry(),
    });
    assert.unreachable('port taken');
  } catch (err) {
    assert.instance(err, TrapReceiverError);
  } finally {
    await r.close();
  }
});

test.after(() => rmSync(snmpDir, { recursive: true, force: true }));

test.run();
