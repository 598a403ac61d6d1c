// deploy/systemd: `systemd-analyze verify` (Debian's systemd 252) accepts every unit with no unknown key or
// warning, and the units keep MUTT's hardening, secrets handling and per-actor layout.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { ACTOR_NAMES } from '../../bin/actors.ts';
import { repoPath, requireBinary, run } from './helpers.ts';

const dir = repoPath('deploy/systemd');
const read = (f: string) => readFileSync(`${dir}/${f}`, 'utf8');

/** key -> values of the [Service] (or another) section; repeated keys keep every value. */
function section(unit: string, name: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let inside = false;
  for (const raw of unit.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) { inside = line === `[${name}]`; continue; }
    if (!inside || !line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

const HARDENING: Record<string, string> = {
  DynamicUser: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes', NoNewPrivileges: 'yes',
  RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX', CapabilityBoundingSet: '', AmbientCapabilities: '',
};

test('systemd-analyze verify accepts every unit (instances of the template included) without warnings', async () => {
  const analyze = requireBinary('systemd-analyze', 'systemd');
  const units = ['mutt-gateway.service', 'mutt-setup.service', 'mutt.target', ...ACTOR_NAMES.map((a) => `mutt@${a}.service`)];
  const r = await run(analyze, ['verify', ...units.map((u) => `./${u}`)], { cwd: dir });
  assert.is(r.code, 0, r.stdout + r.stderr);
  // Unknown keys and bad values are only warnings to systemd ("... ignoring"): treat any output as a failure.
  assert.is((r.stdout + r.stderr).trim(), '', r.stdout + r.stderr);
});

test('the actor template runs `mutt run %i` with the shared and the per-actor environment file', () => {
  const s = section(read('mutt@.service'), 'Service');
  assert.equal(s.get('ExecStart'), ['/usr/bin/node /opt/mutt/bin/mutt.js run %i']);
  assert.equal(s.get('EnvironmentFile'), ['/etc/mutt/mutt.env', '/etc/mutt/%i.env']);
  assert.equal(section(read('mutt-gateway.service'), 'Service').get('ExecStart'), ['/usr/bin/node /opt/mutt/bin/mutt.js gateway']);
  assert.equal(section(read('mutt-setup.service'), 'Service').get('ExecStart'), ['/usr/bin/node /opt/mutt/bin/mutt.js setup']);
  const wants = section(read('mutt.target'), 'Unit').get('Wants')?.[0].split(/\s+/) ?? [];
  for (const a of ACTOR_NAMES) assert.ok(wants.includes(`mutt@${a}.service`), `mutt.target wants mutt@${a}`);
  assert.ok(wants.includes('mutt-gateway.service') && wants.includes('mutt-setup.service'));
});

test('every unit is hardened: dynamic user, read-only system, no capabilities, IP and UNIX sockets only', () => {
  for (const f of ['mutt@.service', 'mutt-gateway.service', 'mutt-setup.service']) {
    const s = section(read(f), 'Service');
    for (const [k, v] of Object.entries(HARDENING)) assert.equal(s.get(k), [v], `${f}: ${k}=${v}`);
    assert.not.ok(s.has('MemoryDenyWriteExecute'), `${f}: V8's JIT needs W+X pages`);
    assert.not.ok(s.has('User'), `${f}: DynamicUser, no fixed user`);
  }
});

test('secrets: every unit loads its own NATS password, the forwarder alone the Moogsoft credential, the gateway the API keys, all as *_FILE', () => {
  const drop = section(read('mutt@forwarder.service.d/credentials.conf'), 'Service');
  assert.equal(drop.get('LoadCredential'), ['moog_api_key:/etc/mutt/credentials/moog_api_key']);
  assert.equal(drop.get('Environment'), ['MOOG_API_KEY_FILE=%d/moog_api_key']);
  const gw = section(read('mutt-gateway.service'), 'Service');
  assert.equal(gw.get('LoadCredential'), ['nats_pass:/etc/mutt/credentials/gateway.nats_pass', 'mutt_api_keys:/etc/mutt/credentials/mutt_api_keys']);
  assert.ok(gw.get('Environment')?.includes('MUTT_API_KEYS_FILE=%d/mutt_api_keys'));
  assert.ok(gw.get('Environment')?.includes('NATS_PASS_FILE=%d/nats_pass'));
  const template = section(read('mutt@.service'), 'Service');
  assert.equal(template.get('LoadCredential'), ['nats_pass:/etc/mutt/credentials/%i.nats_pass'], 'the template loads only the instance\'s NATS password');
  assert.ok(template.get('Environment')?.includes('NATS_PASS_FILE=%d/nats_pass'));
  const setup = section(read('mutt-setup.service'), 'Service');
  assert.equal(setup.get('LoadCredential'), ['nats_pass:/etc/mutt/credentials/setup.nats_pass']);
  assert.ok(setup.get('Environment')?.includes('NATS_PASS_FILE=%d/nats_pass'));
  for (const example of ['mutt.env.example', 'instance.env.example']) {
    assert.not.match(read(example), /^(NATS_PASS|MOOG_API_KEY|MUTT_API_KEYS)=/m, `no secret in ${example}`);
  }
  const shared = read('mutt.env.example');
  for (const line of shared.split('\n').filter((l) => /^[A-Z_]+=/.test(l))) {
    const key = line.split('=')[0];
    assert.ok(/^(NATS_|MUTT_|LOG_|MOOG_WEBHOOK_URL|MOOG_AUTH)/.test(key), `mutt.env.example sets a MUTT variable: ${key}`);
  }
});

test('ports above 1024 (no capability) and a distinct /metrics port per process on one host', () => {
  const env = read('mutt.env.example');
  assert.match(env, /^MUTT_SYSLOG_PORT=5514$/m);
  assert.match(env, /^MUTT_TRAP_PORT=1162$/m);
  const table = read('instance.env.example');
  const ports = [...table.matchAll(/^#\s+(\w+)\.env\s+(\w+)\s+(\d+)$/gm)].map((m) => Number(m[3]));
  assert.is(ports.length, 6, 'gateway + five actors');
  assert.is(new Set(ports).size, ports.length, 'distinct ports');
});

test.run();
