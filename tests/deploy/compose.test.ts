// docker-compose.yml, its listener override, the Dockerfile and deploy/compose/init-secrets.sh, checked with
// the real docker-compose (Debian 1.29: `config` validates and resolves without an engine) and read back as
// the resolved configuration.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTOR_NAMES } from '../../bin/actors.ts';
import { readYaml, readYamlFiles, repoPath, requireBinary, run, tempDir } from './helpers.ts';
import { ROLES, passwordVar } from './nats-server.ts';

interface Service {
  image?: string;
  command?: string[];
  container_name?: string;
  ports?: ({ target: number; published?: number | string; protocol?: string } | string)[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  profiles?: string[];
  secrets?: (string | { source: string })[];
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
  cap_drop?: string[];
  volumes?: unknown[];
}
interface Compose { services: Record<string, Service>; secrets?: Record<string, { file: string }>; volumes?: Record<string, unknown> }

const COMPOSE = repoPath('docker-compose.yml');
const LISTENERS = repoPath('deploy/compose/listeners.yml');
// Values compose interpolates (the :? forms refuse to run without them); a test stands in for .env.
const env = { ...process.env, ...Object.fromEntries(ROLES.map((r) => [passwordVar(r), `p-test-${r}`])) };

async function compose(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dc = requireBinary('docker-compose', 'docker-compose');
  return run(dc, args, { env });
}

const LAYOUTS = {
  base: [[COMPOSE], []],
  profiles: [[COMPOSE], ['demo', 'observability']],
  listeners: [[COMPOSE, LISTENERS], []],
} as const;
let layouts: Record<keyof typeof LAYOUTS, Compose>;

/** `docker-compose config` of each layout (validated and resolved), parsed in one go. */
async function resolveAll(): Promise<Record<keyof typeof LAYOUTS, Compose>> {
  const dir = tempDir('compose');
  try {
    const names = Object.keys(LAYOUTS) as (keyof typeof LAYOUTS)[];
    const outputs = await Promise.all(names.map(async (name) => {
      const [files, profiles] = LAYOUTS[name];
      const r = await compose([...files.flatMap((f) => ['-f', f]), ...profiles.flatMap((p) => ['--profile', p]), 'config']);
      assert.is(r.code, 0, `docker-compose config (${name}):\n${r.stderr}`);
      const file = join(dir, `${name}.yml`);
      writeFileSync(file, r.stdout);
      return file;
    }));
    const parsed = readYamlFiles(outputs);
    return Object.fromEntries(names.map((n, i) => [n, parsed.get(outputs[i])![0] as Compose])) as Record<keyof typeof LAYOUTS, Compose>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const actorServices = [...ACTOR_NAMES, 'gateway'];

test.before(async () => {
  // docker-compose takes a second or two per run: resolve the layouts the tests read once, in parallel.
  layouts = await resolveAll();
});

test('docker-compose config -q accepts the file alone and with the demo and observability profiles (and config resolves the listener override)', async () => {
  // (The before hook already resolved all three with `config`; -q is the documented check.)
  const variants = [
    ['-f', COMPOSE, 'config', '-q'],
    ['-f', COMPOSE, '--profile', 'demo', '--profile', 'observability', 'config', '-q'],
  ];
  const results = await Promise.all(variants.map((args) => compose(args)));
  results.forEach((r, i) => assert.is(r.code, 0, `docker-compose ${variants[i].join(' ')}:\n${r.stderr}`));
});

test('without the NATS passwords compose refuses to run (no default secret)', async () => {
  const dc = requireBinary('docker-compose', 'docker-compose');
  const bare = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^MUTT_.*_PASS$/.test(k)));
  const r = await run(dc, ['-f', COMPOSE, 'config', '-q'], { env: { ...bare, COMPOSE_PROJECT_NAME: 'mutt-test' }, cwd: tempDir('compose-noenv') });
  assert.is.not(r.code, 0);
  assert.match(r.stderr, /MUTT_\w+_PASS|init-secrets/);
});

test('every actor and the gateway is its own service running the mutt image with the right command', async () => {
  const c = layouts.base;
  for (const name of ACTOR_NAMES) {
    const s = c.services[name];
    assert.ok(s, `service ${name}`);
    assert.equal(s.command, ['run', name]);
  }
  assert.equal(c.services.gateway.command, ['gateway']);
  assert.equal(c.services.setup.command, ['setup']);
  const image = c.services.gateway.image;
  for (const name of [...actorServices, 'setup']) assert.is(c.services[name].image, image, `${name} uses the MUTT image`);
});

test('actors scale: no container_name anywhere, no host port on any actor', async () => {
  const c = layouts.profiles;
  for (const [name, s] of Object.entries(c.services)) assert.is(s.container_name, undefined, `${name} has no container_name`);
  for (const name of ACTOR_NAMES) assert.is(c.services[name].ports, undefined, `${name} publishes no port`);
  assert.ok(c.services.gateway.ports?.length, 'the gateway is published');
});

test('health checks GET /healthz on the process port (never a metrics port); nats and setup are handled', async () => {
  const c = layouts.profiles;
  for (const name of actorServices) {
    const s = c.services[name];
    const hc = ([] as string[]).concat(s.healthcheck?.test ?? []).join(' ');
    assert.match(hc, /deploy\/docker\/healthcheck\.mjs \/healthz/, `${name} health check`);
    assert.not.match(hc, /metrics|9090|9091|9092|8081|8083|8086/, `${name} must not probe a metrics endpoint`);
    assert.is(s.environment?.MUTT_HTTP_PORT, '8080', `${name} serves /healthz and /metrics on MUTT_HTTP_PORT`);
  }
  assert.match(([] as string[]).concat(c.services.nats.healthcheck?.test ?? []).join(' '), /8222\/healthz/);
  const setupCheck = c.services.setup.healthcheck;
  assert.ok(setupCheck?.disable === true || JSON.stringify(setupCheck?.test) === '["NONE"]', 'setup exits: no health check');
  assert.match(([] as string[]).concat(c.services['fake-moog'].healthcheck?.test ?? []).join(' '), /18083\/health/);
  // The script the checks run derives its URL from MUTT_HTTP_PORT.
  assert.match(readFileSync(repoPath('deploy/docker/healthcheck.mjs'), 'utf8'), /MUTT_HTTP_PORT/);
});

test('each MUTT process connects as its own NATS user; only setup is admin; processes wait for setup', async () => {
  const c = layouts.base;
  for (const name of actorServices) {
    assert.is(c.services[name].environment?.NATS_USER, name);
    assert.is(c.services[name].environment?.NATS_PASS, `p-test-${name}`);
    assert.is(c.services[name].depends_on?.setup?.condition, 'service_completed_successfully');
  }
  assert.is(c.services.setup.environment?.NATS_USER, 'admin');
  assert.is(c.services.nats.image, 'nats:2.10-alpine');
  for (const r of ROLES) assert.ok(c.services.nats.environment?.[passwordVar(r)], `nats-server gets ${passwordVar(r)}`);
});

test('no secret is written in the compose file: passwords are interpolated, credentials are compose secrets', () => {
  const text = readFileSync(COMPOSE, 'utf8');
  for (const line of text.split('\n')) {
    const m = /^\s*(\w*(?:PASS|PASSWORD|KEY|KEYS|SECRET|TOKEN)\w*):\s*(.+)$/.exec(line);
    if (!m || m[1].endsWith('_FILE') || m[1].endsWith('__FILE')) continue;
    assert.match(m[2], /^\$\{\w+:\?[^}]*\}$/, `${m[1]} must come from the environment (\${VAR:?...}), not the file: ${line.trim()}`);
  }
});

test('the Moogsoft credential and API keys reach only their service, as files', async () => {
  const c = layouts.profiles;
  const secretsOf = (s: Service) => (s.secrets ?? []).map((x) => (typeof x === 'string' ? x : x.source));
  assert.equal(secretsOf(c.services.forwarder), ['moog_api_key']);
  assert.is(c.services.forwarder.environment?.MOOG_API_KEY_FILE, '/run/secrets/moog_api_key');
  assert.equal(secretsOf(c.services.gateway), ['mutt_api_keys']);
  assert.is(c.services.gateway.environment?.MUTT_API_KEYS_FILE, '/run/secrets/mutt_api_keys');
  for (const [name, s] of Object.entries(c.services)) {
    if (name !== 'forwarder') assert.not.ok(secretsOf(s).includes('moog_api_key'), `${name} has no Moogsoft credential`);
    assert.is(s.environment?.MOOG_API_KEY, undefined);
    assert.is(s.environment?.MUTT_API_KEYS, undefined);
  }
  assert.is(c.services.grafana.environment?.GF_SECURITY_ADMIN_PASSWORD__FILE, '/run/secrets/grafana_admin_password');
});

test('profiles: fake Moogsoft in demo; Prometheus and Grafana in observability, provisioned from deploy/', async () => {
  const c = layouts.profiles;
  assert.equal(c.services['fake-moog'].profiles, ['demo']);
  assert.equal(c.services['fake-moog'].command, ['fake-moog', '--port', '18083', '--host', '0.0.0.0']);
  assert.equal(c.services.prometheus.profiles, ['observability']);
  assert.equal(c.services.grafana.profiles, ['observability']);
  const vols = JSON.stringify([c.services.prometheus.volumes, c.services.grafana.volumes]);
  assert.match(vols, /deploy\/prometheus/);
  assert.match(vols, /deploy\/grafana\/provisioning/);
  assert.match(vols, /deploy\/grafana\/dashboards/);
  // Prometheus finds every replica of every MUTT service by its compose name.
  const prom = readYaml(repoPath('deploy/prometheus/prometheus.yml')) as { scrape_configs: { job_name: string; dns_sd_configs?: { names: string[]; port: number }[] }[] };
  for (const name of actorServices) {
    const job = prom.scrape_configs.find((j) => j.job_name === `mutt-${name}`);
    assert.ok(job, `scrape job mutt-${name}`);
    assert.equal(job!.dns_sd_configs?.[0].names, [name]);
    assert.is(job!.dns_sd_configs?.[0].port, 8080);
  }
});

test('the listener override publishes syslog (UDP+TCP) and traps only', async () => {
  const c = layouts.listeners;
  const ports = (s: Service) => (s.ports ?? []).map((p) => (typeof p === 'string' ? p : `${p.published}:${p.target}/${p.protocol ?? 'tcp'}`));
  assert.equal(ports(c.services.syslog).sort(), ['514:5514/tcp', '514:5514/udp']);
  assert.equal(ports(c.services.traps), ['162:1162/udp']);
  for (const name of ['alerter', 'forwarder', 'remediation']) assert.is(c.services[name].ports, undefined);
});

test('init-secrets.sh writes .env and secrets/ that compose accepts, never overwrites, keeps them private', async () => {
  const dir = tempDir('init-secrets');
  try {
    const sh = requireBinary('sh', 'dash');
    const first = await run(sh, [repoPath('deploy/compose/init-secrets.sh'), dir]);
    assert.is(first.code, 0, first.stderr);
    const dotenv = readFileSync(join(dir, '.env'), 'utf8');
    for (const r of ROLES) assert.match(dotenv, new RegExp(`^${passwordVar(r)}=p[0-9a-f]{64}$`, 'm'), `${passwordVar(r)}: letters+digits, starting with a letter (nats-server parses it)`);
    assert.is(statSync(join(dir, '.env')).mode & 0o077, 0, '.env is private');
    assert.is(statSync(join(dir, 'secrets')).mode & 0o777, 0o700);
    assert.match(readFileSync(join(dir, 'secrets/mutt_api_keys'), 'utf8'), /^rsyslog:ingest:[0-9a-f]{64}\nops:admin:[0-9a-f]{64}\n$/);
    const again = await run(sh, [repoPath('deploy/compose/init-secrets.sh'), dir]);
    assert.match(again.stdout, /keep\s+.*\.env/);
    assert.is(readFileSync(join(dir, '.env'), 'utf8'), dotenv, 'not overwritten');
    const dc = requireBinary('docker-compose', 'docker-compose');
    const bare = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^MUTT_/.test(k)));
    const r = await run(dc, ['--env-file', join(dir, '.env'), '-f', COMPOSE, '--profile', 'demo', '--profile', 'observability', 'config', '-q'], { env: bare });
    assert.is(r.code, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Dockerfile: node:20-slim, production deps only (tsx is one), non-root, HEALTHCHECK on /healthz, node bin/mutt.js', () => {
  const df = readFileSync(repoPath('Dockerfile'), 'utf8');
  const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  assert.ok(pkg.dependencies.tsx, 'tsx is a runtime dependency, so --omit=dev keeps it');
  assert.match(df, /^FROM node:20-slim\b/m);
  assert.match(df, /npm ci --omit=dev/);
  assert.match(df, /^USER node$/m);
  assert.match(df, /^HEALTHCHECK .*"\/healthz"\]$/m);
  assert.match(df, /^ENTRYPOINT \["node", "bin\/mutt\.js"\]$/m);
  for (const dir of ['protocol', 'actors', 'gateway', 'bin', 'bench']) assert.match(df, new RegExp(`^COPY ${dir} \\./${dir}$`, 'm'), `${dir}/ is in the image`);
  const ignore = readFileSync(repoPath('.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  for (const entry of ['node_modules', '.git', '.env', 'secrets', 'tests']) assert.ok(ignore.includes(entry), `.dockerignore: ${entry}`);
});

test.run();
