import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { IngestEvent, TrapEvent } from '../../protocol/messages.ts';
import { startTrapReceiver } from '../../actors/traps/receiver.ts';
import { freeUdpPort } from '../../actors/traps/port.ts';
import { waitFor } from '../helpers/wait.ts';

const run = promisify(execFile);
const SCRIPT = resolve('deploy/snmptrapd/mutt-traphandle');
const dir = mkdtempSync(join(tmpdir(), 'mutt-snmptrapd-'));
const snmpEnv = { ...process.env, SNMP_PERSISTENT_DIR: dir, SNMPCONFPATH: dir, HOME: dir };
const NUMERIC = ['-M', '/dev/null', '-m', ''];

// Captured from Debian snmptrapd 5.9.3 (-On) for `snmptrap -v 1 ... 6 17 ...` and a v2c linkDown with a
// two-line string: what a traphandle really gets on stdin.
const V1_SAMPLE = `localhost
UDP: [127.0.0.1]:34373->[127.0.0.1]:16162
.1.3.6.1.2.1.1.3.0 0:0:16:48.75
.1.3.6.1.6.3.1.1.4.1.0 .1.3.6.1.4.1.8072.3.2.10.0.17
.1.3.6.1.2.1.2.2.1.1.2 2
.1.3.6.1.4.1.9.9.3 10.1.2.3
.1.3.6.1.4.1.9.9.4 .1.3.6.1.4.1.9
.1.3.6.1.4.1.9.9.5 123456789012
.1.3.6.1.6.3.18.1.3.0 10.0.0.5
.1.3.6.1.6.3.18.1.4.0 "public"
.1.3.6.1.6.3.1.1.4.3.0 .1.3.6.1.4.1.8072.3.2.10
`;
const V2_SAMPLE = `router1.example.com
UDP: [192.0.2.10]:50863->[127.0.0.1]:162
.1.3.6.1.2.1.1.3.0 0:0:16:48.72
.1.3.6.1.6.3.1.1.4.1.0 .1.3.6.1.6.3.1.1.5.3
.1.3.6.1.2.1.2.2.1.1.2 2
.1.3.6.1.2.1.2.2.1.2.2 "Gi0/2 uplink"
.1.3.6.1.4.1.9.9.1 "0A 1B 2C "
.1.3.6.1.4.1.9.9.2 "multi
.1.3.6.1.9 line that looks like a varbind"
`;

interface Received {
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  path: string;
}

/** A tiny stand-in for the gateway's POST /api/v2/events: records requests, answers from a script. */
async function fakeGateway(statuses: number[] = []) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(text), path: req.url ?? '' });
      const status = statuses.shift() ?? 202;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(status < 300 ? { accepted: 1 } : { error: 'nope' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/events`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function runHandler(stdin: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(SCRIPT, [], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => res({ code, stderr }));
    child.stdin.end(stdin);
  });
}

test('traphandle: a captured v1 trap becomes one JSON trap event with the agent as host and no community', async () => {
  const gw = await fakeGateway();
  const keyFile = join(dir, 'key');
  writeFileSync(keyFile, 'sekrit-key\n', { mode: 0o400 });
  try {
    const r = await runHandler(V1_SAMPLE, { MUTT_EVENTS_URL: gw.url, MUTT_API_KEY_FILE: keyFile });
    assert.is(r.code, 0, r.stderr);
    assert.is(gw.received.length, 1);
    const { headers, body, path } = gw.received[0];
    assert.is(path, '/api/v2/events');
    assert.is(headers['x-api-key'], 'sekrit-key');
    assert.is(headers['content-type'], 'application/json');
    assert.is(body.kind, 'trap');
    assert.is(body.hostname, '10.0.0.5', 'v1 agent address (snmpTrapAddress.0), not the resolved collector name');
    assert.is(body.agent_address, '10.0.0.5');
    assert.is(body.trap_oid, '.1.3.6.1.4.1.8072.3.2.10.0.17');
    assert.is(body.source, 'snmptrapd');
    assert.ok(!Number.isNaN(Date.parse(String(body.timestamp))));
    assert.is(
      body.message,
      '.1.3.6.1.4.1.8072.3.2.10.0.17 from 10.0.0.5: ifIndex=2 .1.3.6.1.4.1.9.9.3=10.1.2.3 .1.3.6.1.4.1.9.9.4=.1.3.6.1.4.1.9 .1.3.6.1.4.1.9.9.5=123456789012',
    );
    const text = JSON.stringify(body);
    assert.not.match(text, /public/, 'the community is never sent');
    assert.not.match(text, /sekrit/, 'nor the key, in the body');
    const varbinds = body.varbinds as { oid: string; value: unknown }[];
    assert.equal(
      varbinds.find((v) => v.oid === '.1.3.6.1.2.1.2.2.1.1.2'),
      { oid: '.1.3.6.1.2.1.2.2.1.1.2', value: 2 },
    );
    assert.is(varbinds.length, 8);
  } finally {
    await gw.close();
  }
});

test('traphandle: v2c sample with a multi-line string; host from the transport line, or the name when asked', async () => {
  const gw = await fakeGateway();
  try {
    assert.is((await runHandler(V2_SAMPLE, { MUTT_EVENTS_URL: gw.url, MUTT_API_KEY: 'k' })).code, 0);
    const body = gw.received[0].body;
    assert.is(body.hostname, '192.0.2.10');
    assert.is(body.trap_oid, '.1.3.6.1.6.3.1.1.5.3');
    assert.is(body.agent_address, undefined);
    assert.is(
      body.message,
      'linkDown from 192.0.2.10: ifIndex=2 ifDescr="Gi0/2 uplink" .1.3.6.1.4.1.9.9.1="0A 1B 2C" .1.3.6.1.4.1.9.9.2="multi\\n.1.3.6.1.9 line that looks like a varbind"',
    );
    assert.is((body.varbinds as unknown[]).length, 6);
    assert.is((await runHandler(V2_SAMPLE, { MUTT_EVENTS_URL: gw.url, MUTT_API_KEY: 'k', MUTT_TRAPHANDLE_HOST: 'name' })).code, 0);
    assert.is(gw.received[1].body.hostname, 'router1.example.com');
  } finally {
    await gw.close();
  }
});

test('traphandle: symbolic OIDs (snmptrapd without -On) still give trap_oid when numeric, and hide bookkeeping', async () => {
  const gw = await fakeGateway();
  try {
    const sample =
      'h\nUDP: [10.1.1.1]:1->[10.1.1.2]:162\nDISMAN-EVENT-MIB::sysUpTimeInstance 1:2:3\nSNMPv2-MIB::snmpTrapOID.0 IF-MIB::linkUp\nIF-MIB::ifIndex.4 4\n';
    assert.is((await runHandler(sample, { MUTT_EVENTS_URL: gw.url, MUTT_API_KEY: 'k' })).code, 0);
    const body = gw.received[0].body;
    assert.is(body.trap_oid, undefined, 'a symbolic trap OID is not sent as trap_oid (the gateway wants numbers)');
    assert.is(body.message, 'IF-MIB::linkUp from 10.1.1.1: IF-MIB::ifIndex.4=4');
  } finally {
    await gw.close();
  }
});

test('traphandle: retries 5xx then succeeds; a 4xx is final; no key is an error; the key never reaches stderr', async () => {
  const gw = await fakeGateway([503, 503, 202]);
  try {
    const ok = await runHandler(V2_SAMPLE, { MUTT_EVENTS_URL: gw.url, MUTT_API_KEY: 'k', MUTT_TRAPHANDLE_RETRY_MS: '5' });
    assert.is(ok.code, 0);
    assert.is(gw.received.length, 3);
  } finally {
    await gw.close();
  }
  const refusing = await fakeGateway([400, 202]);
  try {
    const bad = await runHandler(V2_SAMPLE, { MUTT_EVENTS_URL: refusing.url, MUTT_API_KEY: 'the-secret', MUTT_TRAPHANDLE_RETRY_MS: '5' });
    assert.is(bad.code, 1);
    assert.is(refusing.received.length, 1, '4xx is not retried');
    assert.match(bad.stderr, /HTTP 400/);
    assert.not.match(bad.stderr, /the-secret/);
  } finally {
    await refusing.close();
  }
  const noKey = await runHandler(V2_SAMPLE, { MUTT_EVENTS_URL: 'http://127.0.0.1:9/' });
  assert.is(noKey.code, 1);
  assert.match(noKey.stderr, /no API key/);
  const down = await runHandler(V2_SAMPLE, {
    MUTT_EVENTS_URL: 'http://127.0.0.1:9/',
    MUTT_API_KEY: 'k',
    MUTT_TRAPHANDLE_RETRIES: '2',
    MUTT_TRAPHANDLE_RETRY_MS: '5',
  });
  assert.is(down.code, 1);
  assert.match(down.stderr, /gave up after 2 attempts/);
});

async function startSnmptrapd(conf: string, port: number, env: Record<string, string | undefined>): Promise<ChildProcess> {
  const confPath = join(dir, `snmptrapd-${port}.conf`);
  writeFileSync(confPath, conf);
  const child = spawn('snmptrapd', ['-f', '-Lo', '-On', '-n', '-C', '-c', confPath, ...NUMERIC, `udp:127.0.0.1:${port}`], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((res, rej) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('NET-SNMP version')) res();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => rej(new Error(`snmptrapd exited ${code}: ${out}`)));
    // Not installed: fail this test with the package name instead of crashing the run on an unhandled 'error'.
    child.once('error', (err) => rej(new Error(`snmptrapd could not start (${err.message}): apt-get install snmptrapd`)));
  });
  return child;
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

test('shipped snmptrapd-traphandle.conf: real snmptrapd runs mutt-traphandle, which posts the trap', async () => {
  const gw = await fakeGateway();
  const port = await freeUdpPort('127.0.0.1', 'udp4');
  const conf = readFileSync('deploy/snmptrapd/snmptrapd-traphandle.conf', 'utf8').replace('/usr/local/bin/mutt-traphandle', SCRIPT);
  const trapd = await startSnmptrapd(conf, port, { ...snmpEnv, MUTT_EVENTS_URL: gw.url, MUTT_API_KEY: 'k' });
  try {
    await run(
      'snmptrap',
      [...NUMERIC, '-v', '2c', '-c', 'public', `127.0.0.1:${port}`, '', '.1.3.6.1.6.3.1.1.5.3', '.1.3.6.1.2.1.2.2.1.1.7', 'i', '7'],
      { env: snmpEnv },
    );
    await waitFor(() => gw.received.length === 1, 10_000, 'the handler to post');
    assert.is(gw.received[0].body.trap_oid, '.1.3.6.1.6.3.1.1.5.3');
    assert.is(gw.received[0].body.message, 'linkDown from 127.0.0.1: ifIndex=7');
  } finally {
    await stop(trapd);
    await gw.close();
  }
});

test('shipped snmptrapd-forward.conf: real snmptrapd forwards to the MUTT trap receiver', async () => {
  const events: IngestEvent[] = [];
  const receiver = await startTrapReceiver({
    port: 0,
    host: '127.0.0.1',
    communities: ['public'],
    log: pino({ level: 'silent' }),
    registry: new Registry(),
    publish: async (batch) => {
      events.push(...batch);
    },
  });
  const port = await freeUdpPort('127.0.0.1', 'udp4');
  const conf = readFileSync('deploy/snmptrapd/snmptrapd-forward.conf', 'utf8').replace(
    'udp:127.0.0.1:1162',
    `udp:127.0.0.1:${receiver.port}`,
  );
  const trapd = await startSnmptrapd(conf, port, snmpEnv);
  try {
    await run(
      'snmptrap',
      [...NUMERIC, '-v', '2c', '-c', 'public', `127.0.0.1:${port}`, '', '.1.3.6.1.6.3.1.1.5.4', '.1.3.6.1.2.1.2.2.1.1.9', 'i', '9'],
      { env: snmpEnv },
    );
    await waitFor(() => events.length === 1, 10_000, 'the forwarded trap');
    const e = events[0] as TrapEvent;
    assert.is(e.trapOid, '.1.3.6.1.6.3.1.1.5.4');
    assert.ok(e.varbinds.some((v) => v.oid === '.1.3.6.1.2.1.2.2.1.1.9' && v.value === 9));
  } finally {
    await stop(trapd);
    await receiver.close();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
