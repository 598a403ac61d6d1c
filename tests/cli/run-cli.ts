// Runs the real `mutt` command (`node bin/mutt.js ...`) as a child process, as an operator would, and returns
// its exit code, stdout and stderr separately. NATS_URL etc. come from `env`; stdin can be fed.
//   const r = await mutt(['config', 'set', 'moog_rate_limit', '0'], { NATS_URL }); assert.is(r.code, 2)

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function mutt(
  args: string[],
  env: Record<string, string> = {},
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/mutt.js', ...args], {
      cwd: ROOT,
      // A developer's MUTT_URL / NATS_URL must never leak into a test, nor may a test without NATS_URL reach a
      // server on the default port: each test names its own (port 1 refuses connections).
      env: { ...process.env, NATS_URL: 'nats://127.0.0.1:1', MUTT_URL: '', MUTT_API_KEY: '', LOG_LEVEL: 'warn', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d.toString()));
    child.stderr.on('data', (d) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`mutt ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 60_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`),
      );
    }, opts.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}
