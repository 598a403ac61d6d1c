// How long a big device_teams import takes on `mutt up` as it ships (npm start's heap cap), and how long until
// the alerter routes by it: `mutt hosts import teams.csv` with N lines (default 200,000), then an unmatched event
// from the last host (unhandled_threshold 1) must reach the fake Moogsoft as a meta-alert of that host's team.
// Prints the import time, entries/s, the time to the routed meta-alert, and the RSS of `mutt up` before/after.
//   npx tsx bench/teams-import.ts [--lines 200000]

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startShipped, ROOT } from '../tests/helpers/shipped.ts';
import { waitFor } from '../tests/helpers/wait.ts';
import { rssMb } from './proc-stats.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

export const teamOf = (i: number) => `TEAM-${i % 50}`;
export const hostOf = (i: number) => `dev-${String(i).padStart(7, '0')}.bench.example.com`;

/** `hostname,team_assignment` CSV of n device teams, as psql's \copy ... csv header writes it. */
export function teamsCsv(n: number): string {
  const lines = ['hostname,team_assignment'];
  for (let i = 0; i < n; i++) lines.push(`${hostOf(i)},${teamOf(i)}`);
  return lines.join('\n') + '\n';
}

function runMutt(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/mutt.js'), ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

async function main(): Promise<void> {
  const lines = arg('lines', 200_000);
  const m = await startShipped();
  try {
    const file = join(m.cwd, 'device_teams.csv');
    writeFileSync(file, teamsCsv(lines));
    const r = await m.request('PUT', '/api/v2/config/unhandled_threshold', { value: 1, reason: 'bench' });
    if (r.status !== 200) throw new Error(`config: ${r.status} ${await r.text()}`);
    const pid = m.proc.child.pid!;
    const rssBefore = rssMb(pid);
    const started = performance.now();
    const imported = await runMutt(['hosts', 'import', file, '--reason', 'bench'], { NATS_URL: m.natsUrl });
    const importSeconds = (performance.now() - started) / 1000;
    if (imported.code !== 0) throw new Error(`mutt hosts import exited ${imported.code}: ${imported.stderr.slice(-2000)}`);

    const last = hostOf(lines - 1);
    const marker = `bench-import-${Date.now()}`;
    const sentAt = performance.now();
    const routed = () =>
      m
        .moog!.events(0, 1_000_000)
        .some((e) => JSON.stringify(e.event).includes(marker) && JSON.stringify(e.event).includes(teamOf(lines - 1)));
    const post = await m.request('POST', '/api/v2/events', { host: last, message: `${marker} unmatched`, severity: 'warning' });
    if (post.status !== 202) throw new Error(`event: ${post.status} ${await post.text()}`);
    await waitFor(routed, 120_000, `the meta-alert of ${last} routed to ${teamOf(lines - 1)}`);
    const routedSeconds = (performance.now() - sentAt) / 1000;
    console.log(
      JSON.stringify(
        {
          lines,
          import_seconds: Number(importSeconds.toFixed(1)),
          entries_per_second: Math.round(lines / importSeconds),
          last_host_routed_after_seconds: Number(routedSeconds.toFixed(2)),
          mutt_up_rss_mb: { before: Math.round(rssBefore), after: Math.round(rssMb(pid)) },
        },
        null,
        2,
      ),
    );
  } catch (err) {
    const lines = m.proc
      .output()
      .split('\n')
      .filter((l) => !/"level":30/.test(l));
    console.error(`mutt up output (last lines):\n${lines.slice(-30).join('\n')}`);
    throw err;
  } finally {
    await m.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
