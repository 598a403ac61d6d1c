// Start-up of the shipped `mutt up` (bin/mutt.js as a process, npm start's node flags) that explains instead of
// crashing: nats-server is found in the sbin directories when PATH lacks them; the embedded nats-server dies with
// a `mutt up` killed by SIGKILL (and with a clean stop); a busy port is one line naming the port and its variable,
// exit 1, no stack trace.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { spawnNode, type Spawned } from '../helpers/processes.ts';
import { waitFor } from '../helpers/wait.ts';
import { ROOT, startNodeFlags } from '../helpers/shipped.ts';
import { freeTcpPort as freePort } from '../helpers/ports.ts';

const t = suite('mutt up start-up');
let nats: TestNats;
const dirs: string[] = [];
const procs: Spawned[] = [];
const closers: (() => Promise<void>)[] = [];

/** `mutt up` as npm start runs it, in a fresh directory (an empty installation). */
function up(env: Record<string, string>): Spawned {
  const cwd = mkdtempSync(join(tmpdir(), 'mutt-startup-'));
  dirs.push(cwd);
  const p = spawnNode(
    join(ROOT, 'bin/mutt.js'),
    ['up'],
    {
      MUTT_API_KEYS: 'ops:ingest+read+admin:startup-test-Key-0123456789abcdef',
      MUTT_HTTP_HOST: '127.0.0.1',
      MOOG_WEBHOOK_URL: '',
      MOOG_API_KEY: '',
      MUTT_SHUTDOWN_GRACE_MS: '3000',
      ...env,
    },
    { cwd, nodeArgs: startNodeFlags() },
  );
  procs.push(p);
  return p;
}

/** A process is gone when signalling it fails, or it is a zombie waiting for its parent to read its status. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function embeddedNatsPid(p: Spawned): Promise<number> {
  const line = await p.waitForOutput(/"natsPid":\d+/, 60_000);
  return Number(line.split(':')[1]);
}

t.before(async () => {
  nats = await startNats();
});

t.after(async () => {
  for (const p of procs) await p.kill('SIGKILL');
  for (const c of closers) await c();
  await nats.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

t('nats-server is found in /usr/sbin or /sbin when PATH lacks them, and dies with a SIGKILLed mutt up', async () => {
  const port = await freePort();
  const p = up({ NATS_URL: '', MUTT_NATS_PORT: String(port), PATH: '/usr/bin:/bin' });
  const pid = await embeddedNatsPid(p);
  await p.waitForOutput(/HTTP listening on/, 60_000);
  assert.ok(!gone(pid), 'the embedded nats-server runs');
  await p.kill('SIGKILL');
  await waitFor(() => gone(pid), 15_000, `nats-server ${pid} to exit after mutt up was SIGKILLed`);
  // And the port is free again for the next `mutt up`.
  await waitFor(
    async () => {
      try {
        await freePortIs(port);
        return true;
      } catch {
        return false;
      }
    },
    15_000,
    `port ${port} released`,
  );
});

async function freePortIs(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
  });
}

t('a clean stop (SIGTERM) stops the embedded nats-server too', async () => {
  const p = up({ NATS_URL: '', MUTT_NATS_PORT: String(await freePort()) });
  const pid = await embeddedNatsPid(p);
  // The signal handlers are in place once the actors run (an earlier SIGTERM kills the process outright).
  await p.waitForOutput(/SNMP traps listening/, 60_000);
  const { code } = await p.kill('SIGTERM');
  assert.is(code, 0);
  await waitFor(() => gone(pid), 15_000, `nats-server ${pid} to exit`);
});

async function busy(protocol: 'tcp' | 'udp'): Promise<number> {
  if (protocol === 'tcp') {
    const s = net.createServer((sock) => sock.on('error', () => {}));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise((r) => s.close(() => r())));
    return (s.address() as net.AddressInfo).port;
  }
  const u = dgram.createSocket('udp4');
  await new Promise<void>((r) => u.bind(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise((r) => u.close(() => r())));
  return u.address().port;
}

async function expectOneLine(env: Record<string, string>, port: number, variable: string): Promise<void> {
  const p = up(env);
  // An actor restarting forever on the busy port never exits: that fails here rather than hanging the suite.
  const { code } = await Promise.race([p.exited, new Promise<{ code: null }>((r) => setTimeout(() => r({ code: null }), 30_000))]);
  const out = p.output().trim();
  assert.is(code, 1, out);
  const lines = out.split('\n');
  assert.is(lines.length, 1, out);
  assert.match(lines[0], new RegExp(`^mutt up: .*\\b${port}\\b.*${variable}`));
  assert.not.match(out, /\n\s+at /);
}

t('busy MUTT_HTTP_PORT: one line naming the port and MUTT_HTTP_PORT, exit 1', async () => {
  const port = await busy('tcp');
  await expectOneLine({ NATS_URL: nats.url, MUTT_HTTP_PORT: String(port) }, port, 'MUTT_HTTP_PORT');
});

t('busy MUTT_SYSLOG_PORT (tcp, and udp): one line naming it, exit 1', async () => {
  const tcp = await busy('tcp');
  await expectOneLine({ NATS_URL: nats.url, MUTT_SYSLOG_PORT: String(tcp) }, tcp, 'MUTT_SYSLOG_PORT');
  const udp = await busy('udp');
  await expectOneLine({ NATS_URL: nats.url, MUTT_SYSLOG_PORT: String(udp) }, udp, 'MUTT_SYSLOG_PORT');
});

t('busy MUTT_TRAP_PORT: one line naming it, exit 1', async () => {
  const port = await busy('udp');
  await expectOneLine({ NATS_URL: nats.url, MUTT_TRAP_PORT: String(port) }, port, 'MUTT_TRAP_PORT');
});

t('NATS port taken by something that is not NATS: one line naming it and MUTT_NATS_PORT / NATS_URL, exit 1', async () => {
  const port = await busy('tcp');
  await expectOneLine({ NATS_URL: '', MUTT_NATS_PORT: String(port) }, port, 'MUTT_NATS_PORT.*NATS_URL');
});

t.run();
