// Helpers for the deployment tests: find the real tools they drive (a missing one is a failure that says how to
// install it, never a silent skip), run them, pick free ports, read YAML without a YAML dependency.
//   const promtool = requireBinary('promtool', 'prometheus'); const r = await run(promtool, ['check', 'rules', f])

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
export { freeTcpPort, freeUdpPort } from '../helpers/ports.ts';
export { waitFor } from '../helpers/wait.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const repoPath = (...parts: string[]) => join(ROOT, ...parts);

const SEARCH = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];

/** Absolute path of a tool, or an Error naming the Debian package that provides it (.ci/run installs them). */
export function requireBinary(name: string, debianPackage: string): string {
  // Two nats-servers on one machine (CI runs the current release and Debian's): MUTT_NATS_SERVER names the one.
  if (name === 'nats-server' && process.env.MUTT_NATS_SERVER) return process.env.MUTT_NATS_SERVER;
  for (const dir of SEARCH) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`'${name}' is not installed: apt-get install ${debianPackage} (CI installs it in .ci/run); this test needs the real tool`);
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd ?? ROOT, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d.toString()));
    child.stderr!.on('data', (d) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.once('close', (code) => { clearTimeout(timer); resolvePromise({ code, stdout, stderr }); });
    if (opts.input !== undefined) {
      child.stdin!.on('error', () => {}); // a tool that exits without reading its input
      child.stdin!.end(opts.input);
    }
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `mutt-${prefix}-`));
}

/**
 * Parses YAML files (every document of each) with python3's yaml module, which Debian's docker-compose depends
 * on: the repository carries no YAML parser and adds none for tests. One python run for all the files.
 */
export function readYamlFiles(files: string[]): Map<string, unknown[]> {
  const python = requireBinary('python3', 'python3-yaml');
  const script = 'import sys, json, yaml; json.dump({f: [d for d in yaml.safe_load_all(open(f)) if d is not None] for f in sys.argv[1:]}, sys.stdout)';
  const r = spawnSync(python, ['-c', script, ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    if (/No module named .?yaml/.test(r.stderr)) throw new Error('python3 has no yaml module: apt-get install python3-yaml (docker-compose pulls it in)');
    throw new Error(`cannot parse ${files.join(', ')} as YAML:\n${r.stderr.trim()}`);
  }
  return new Map(Object.entries(JSON.parse(r.stdout) as Record<string, unknown[]>));
}

export function readYamlDocuments(file: string): unknown[] {
  return readYamlFiles([file]).get(file)!;
}

export function readYaml(file: string): unknown {
  const docs = readYamlDocuments(file);
  if (docs.length !== 1) throw new Error(`${file}: expected one YAML document, found ${docs.length}`);
  return docs[0];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Certs {
  ca: string;
  cert: string;
  key: string;
}

/** A throw-away CA and a server certificate for 127.0.0.1 / localhost, made with the real openssl. */
export async function makeCerts(dir: string): Promise<Certs> {
  const openssl = requireBinary('openssl', 'openssl');
  const p = (f: string) => join(dir, f);
  const steps: string[][] = [
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=MUTT test CA', '-keyout', p('ca-key.pem'), '-out', p('ca.pem')],
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', p('server-key.pem'), '-out', p('server.csr')],
    ['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca-key.pem'), '-CAcreateserial', '-days', '2', '-out', p('server.pem'), '-extfile', p('san.ext')],
  ];
  writeFileSync(p('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  for (const args of steps) {
    const r = await run(openssl, args);
    if (r.code !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  }
  return { ca: p('ca.pem'), cert: p('server.pem'), key: p('server-key.pem') };
}
