// Starts bench/hop-tracer.ts as its own process and collects what it saw. See hops.ts for what is made of it.
//   const t = await startHopTracer(root, natsUrl, '/tmp/hops.json'); ...; const { events, alerts } = await t.stop()

import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface HopTracer {
  /** Ends the trace: first-seen times (epoch ms) by event id, of events and of their alerts. */
  stop(): Promise<{ events: Map<string, number>; alerts: Map<string, number> }>;
  kill(): void;
}

export async function startHopTracer(root: string, natsUrl: string, outFile: string, timeoutMs = 30_000): Promise<HopTracer> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/hop-tracer.ts'), natsUrl, outFile], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hop tracer did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('tracing')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hop tracer exited (code ${code}) before it started:\n${output}`));
    });
  });
  return {
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`hop tracer exited with code ${code}:\n${output}`);
      const seen = JSON.parse(readFileSync(outFile, 'utf8')) as { events: [string, number][]; alerts: [string, number][] };
      rmSync(outFile, { force: true });
      return { events: new Map(seen.events), alerts: new Map(seen.alerts) };
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
