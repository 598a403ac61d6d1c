// The product as it ships, started as a user starts it: `node <npm start's flags> bin/mutt.js up` (or
// `gateway` / `run <actor>`) as a child process, in a working directory of its own, on a throwaway
// nats-server, with the fake Moogsoft. The heap cap and other node flags are read from package.json's
// `start` script, so a test runs the process exactly as `npm start` does.
//   const m = await startShipped(); await m.canary(); ...; await m.stop()
//   const m = await startShipped({ command: ['gateway'], env: { MUTT_BODY_LIMIT_BYTES: '1024' } })

import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNats, type TestNats } from './nats-server.ts';
import { startFakeMoog, type FakeMoog } from '../../bench/fake-moog.ts';
import { waitFor } from './wait.ts';
import { spawnNode, type Spawned } from './processes.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SHIPPED_ADMIN_KEY = 'shipped-admin-Key-0123456789abcdef';
export const SHIPPED_MOOG_KEY = 'shipped-moog-credential';

/** The node flags of package.json's `start` script (e.g. ['--max-old-space-size=128']). */
export function startNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.trim().split(/\s+/);
  if (words[0] !== 'node') throw new Error(`package.json start script does not start with node: ${pkg.scripts.start}`);
  return words.slice(1, words.indexOf('bin/mutt.js'));
}

export interface ShippedOptions {
  /** What to run (default ['up']). */
  command?: string[];
  /** Environment on top of the defaults below (a value of '' removes the variable). */
  env?: Record<string, string>;
  /** Use this NATS instead of starting one. */
  natsUrl?: string;
  /** Start no fake Moogsoft (MOOG_WEBHOOK_URL then comes from env, or is absent). */
  noMoog?: boolean;
  /** Wait for /readyz to answer 200 (default true). */
  waitReady?: boolean;
}

export interface Shipped {
  proc: Spawned;
  nats: TestNats | null;
  natsUrl: string;
  moog: FakeMoog | null;
  /** http://127.0.0.1:<port> of the process's HTTP server. */
  url: string;
  httpPort: number;
  /** Syslog UDP/TCP port and trap port when the process runs those actors. */
  syslogPort?: number;
  trapPort?: number;
  cwd: string;
  adminKey: string;
  /** fetch() against the process with the admin key (unless headers say otherwise). */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Creates (once) a rule matching `mutt-canary`, sends one such event over HTTP and waits until it reaches the fake Moogsoft. */
  canary(timeoutMs?: number): Promise<void>;
  /** SIGTERM (or the given signal) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startShipped(opts: ShippedOptions = {}): Promise<Shipped> {
  const nats = opts.natsUrl ? null : await startNats();
  const natsUrl = opts.natsUrl ?? nats!.url;
  const moog = opts.noMoog ? null : await startFakeMoog({ apiKey: SHIPPED_MOOG_KEY, auth: 'bearer' });
  const cwd = mkdtempSync(join(tmpdir(), 'mutt-shipped-'));
  const env: Record<string, string> = {
    NATS_URL: natsUrl,
    MUTT_API_KEYS: `ops:ingest+read+admin:${SHIPPED_ADMIN_KEY}`,
    LOG_LEVEL: 'info',
    MUTT_HTTP_HOST: '127.0.0.1',
    MUTT_HTTP_PORT: '0',
    MUTT_SYSLOG_PORT: '0',
    MUTT_TRAP_PORT: '0',
    MUTT_SHUTDOWN_GRACE_MS: '5000',
    ...(moog ? { MOOG_WEBHOOK_URL: `${moog.url}/events/mutt`, MOOG_API_KEY: SHIPPED_MOOG_KEY } : {}),
    ...opts.env,
  };
  const command = opts.command ?? ['up'];
  const proc = spawnNode(join(ROOT, 'bin/mutt.js'), command, env, { cwd, nodeArgs: startNodeFlags() });
  const cleanup = async () => {
    await proc.kill('SIGKILL');
    await moog?.close();
    await nats?.stop();
    rmSync(cwd, { recursive: true, force: true });
  };
  try {
    const line = await proc.waitForOutput(/HTTP listening on [^"]*:(\d+)/, 60_000);
    const httpPort = Number(/:(\d+)$/.exec(line)![0].slice(1));
    const url = `http://127.0.0.1:${httpPort}`;
    const runsSyslog = command[0] === 'up' || (command[0] === 'run' && command[1] === 'syslog');
    const runsTraps = command[0] === 'up' || (command[0] === 'run' && command[1] === 'traps');
    const syslogPort = runsSyslog
      ? Number(/syslog listening on udp\/tcp (\d+)/.exec(await proc.waitForOutput(/syslog listening on udp\/tcp \d+/, 30_000))![1])
      : undefined;
    const trapPort = runsTraps
      ? Number(/SNMP traps listening on udp (\d+)/.exec(await proc.waitForOutput(/SNMP traps listening on udp \d+/, 30_000))![1])
      : undefined;
    if (opts.waitReady !== false) {
      await waitFor(
        () =>
          fetch(`${url}/readyz`)
            .then((r) => r.status === 200)
            .catch(() => false),
        30_000,
        `${command.join(' ')} ready on ${url}`,
      );
    }
    const adminKey = SHIPPED_ADMIN_KEY;
    let canaryRule = false;
    const request = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}${path}`, {
        method,
        headers: { 'x-api-key': adminKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    return {
      proc,
      nats,
      natsUrl,
      moog,
      url,
      httpPort,
      syslogPort,
      trapPort,
      cwd,
      adminKey,
      request,
      async canary(timeoutMs = 20_000) {
        if (!moog) throw new Error('canary needs the fake Moogsoft');
        if (!canaryRule) {
          const r = await request('POST', '/api/v2/rules', {
            id: 'mutt-canary',
            match_type: 'contains',
            match_string: 'mutt-canary',
            prod_handling: 'page_and_ticket',
            dev_handling: 'page_and_ticket',
            team_assignment: 'CANARY',
          });
          if (r.status >= 300 && r.status !== 409) throw new Error(`canary rule refused: ${r.status} ${await r.text()}`);
          canaryRule = true;
        }
        const marker = `mutt-canary-${Date.now()}-${Math.random().toString(36).slice(2)}`;
        // A rule just written reaches the alerter through a KV watch: resend until one arrives.
        const deadline = Date.now() + timeoutMs;
        const arrived = () => moog.events(0, 1_000_000).some((e) => JSON.stringify(e.event).includes(marker));
        while (!arrived()) {
          if (Date.now() > deadline)
            throw new Error(`canary ${marker} did not reach the fake Moogsoft within ${timeoutMs} ms\n${proc.output().slice(-3000)}`);
          const r = await request('POST', '/api/v2/events', { host: 'canary-host', message: `${marker} link down`, severity: 'critical' });
          if (r.status !== 202) throw new Error(`canary POST answered ${r.status}: ${await r.text()}`);
          await waitFor(arrived, 2_000, 'canary').catch(() => undefined);
        }
      },
      async stop(signal: NodeJS.Signals = 'SIGTERM') {
        await proc.kill(signal);
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
