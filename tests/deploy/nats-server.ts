// Runs the shipped nats.conf (and deploy/nats/accounts.conf) with a real nats-server for the deployment tests:
// copied into a temp directory with the same layout (nats.conf includes accounts.conf by relative path), its
// store_dir pointed at the temp directory (the command line cannot override a store_dir the file sets), on free
// ports, with generated passwords in the environment.
//   const nats = await startShippedNats(); const nc = await nats.connectAs('alerter'); ...; await nats.stop()

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { inboxPrefixFor } from '../../actors/runtime/connect.ts';
import { freeTcpPort, repoPath, requireBinary, tempDir, waitFor } from './helpers.ts';

export const ROLES = ['admin', 'operator', 'gateway', 'alerter', 'forwarder', 'remediation', 'syslog', 'traps'] as const;
export type Role = (typeof ROLES)[number];

export const passwordVar = (role: string) => `MUTT_${role.toUpperCase()}_PASS`;

export function generatePasswords(): Record<Role, string> {
  // A leading letter: nats-server parses the variable's value like a config value (see accounts.conf).
  return Object.fromEntries(ROLES.map((r) => [r, `p${randomBytes(18).toString('hex')}`])) as Record<Role, string>;
}

/** nats.conf copied into dir (with accounts.conf beside it as deploy/nats/accounts.conf), store under dir. */
export function stageNatsConf(dir: string, transform: (conf: string) => string = (c) => c): string {
  const original = readFileSync(repoPath('nats.conf'), 'utf8');
  if (!/store_dir: "\/data"/.test(original)) throw new Error('nats.conf: expected store_dir: "/data" (the compose volume)');
  const conf = transform(original.replace(/store_dir: "\/data"/, `store_dir: "${join(dir, 'store')}"`));
  mkdirSync(join(dir, 'deploy/nats'), { recursive: true });
  copyFileSync(repoPath('deploy/nats/accounts.conf'), join(dir, 'deploy/nats/accounts.conf'));
  const path = join(dir, 'nats.conf');
  writeFileSync(path, conf);
  return path;
}

export interface ShippedNats {
  url: string;
  port: number;
  passwords: Record<Role, string>;
  /** Everything nats-server logged so far (permission violations are logged as [ERR] ... Violation). */
  log(): string;
  /** Connects as a user with that user's inbox prefix, as MUTT does (override with opts.inboxPrefix). */
  connectAs(role: Role | string, opts?: Partial<ConnectionOptions>): Promise<NatsConnection>;
  stop(): Promise<void>;
}

async function answers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = net.createConnection({ host: '127.0.0.1', port });
    s.setTimeout(500);
    s.once('data', (d) => { s.destroy(); done(d.toString().startsWith('INFO')); });
    s.once('error', () => done(false));
    s.once('timeout', () => { s.destroy(); done(false); });
  });
}

export async function startShippedNats(opts: { transform?: (conf: string) => string; scheme?: 'nats' | 'tls' } = {}): Promise<ShippedNats> {
  const natsServer = requireBinary('nats-server', 'nats-server');
  const dir = tempDir('nats-conf');
  const confPath = stageNatsConf(dir, opts.transform);
  const passwords = generatePasswords();
  const port = await freeTcpPort();
  const monitor = await freeTcpPort();
  const env = { ...process.env, ...Object.fromEntries(ROLES.map((r) => [passwordVar(r), passwords[r]])) };
  const child: ChildProcess = spawn(natsServer, ['-c', confPath, '-a', '127.0.0.1', '-p', String(port), '-m', String(monitor)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d.toString()));
  child.stderr!.on('data', (d) => (out += d.toString()));
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`nats-server -c nats.conf exited ${child.exitCode}:\n${out.slice(-2000)}`);
    return /Server is ready/.test(out) && (await answers(port));
  }, 10_000, 'nats-server with nats.conf');
  const url = `${opts.scheme ?? 'nats'}://127.0.0.1:${port}`;
  return {
    url,
    port,
    passwords,
    log: () => out,
    connectAs: (role, extra = {}) => connect({ servers: url, user: role, pass: (passwords as Record<string, string>)[role] ?? 'not-a-password', timeout: 3000, inboxPrefix: inboxPrefixFor(role), ...extra }),
    stop: async () => {
      if (child.exitCode === null && !child.signalCode) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
