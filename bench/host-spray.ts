// Memory under a spray of spoofed host names, on `mutt up` as it ships (npm start's heap cap): after a warm-up,
// N syslog UDP datagrams (default 100,000), each from a different made-up host and matching no rule, paced so the
// kernel does not drop them; what arrived is counted by mutt_syslog_lines_received_total{transport="udp"}.
// Prints RSS of `mutt up` and of nats-server before and after (after a settle), the growth, the size of
// GET /metrics, and whether the bounds of issue 15 (RSS growth ≤ 30 MB, /metrics ≤ 100 KB) held.
//   node --import tsx bench/host-spray.ts [--hosts 100000] [--rate 4000]     (npm run bench:host-spray)

import dgram from 'node:dgram';
import { startShipped } from '../tests/helpers/shipped.ts';
import { waitFor } from '../tests/helpers/wait.ts';
import { findPid, loadAverage, rssMb } from './proc-stats.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const RSS_BOUND_MB = 30;
const METRICS_BOUND_BYTES = 100_000;

async function main(): Promise<void> {
  const hosts = arg('hosts', 100_000);
  const rate = arg('rate', 4_000);
  const m = await startShipped();
  try {
    const metrics = async () => (await fetch(`${m.url}/metrics`)).text();
    /** Sum of the series of a metric whose labels start with `labels` (other labels may follow). */
    const sum = async (series: string) =>
      (await metrics())
        .split('\n')
        .filter((l) => l.startsWith(series))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    const received = () => sum('mutt_syslog_lines_received_total{transport="udp"');
    const handled = () => sum('mutt_alerter_decisions_total{decision="unhandled"');
    const muttPid = m.proc.child.pid!;
    const natsPid = findPid(['nats-server', m.nats!.storeDir]);
    if (!natsPid) throw new Error('nats-server pid not found');

    const socket = dgram.createSocket('udp4');
    const send = (line: string) =>
      new Promise<void>((resolve, reject) => socket.send(line, m.syslogPort!, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    /** Sends lines `from`..`to` paced at `rate` per second (50 datagrams, then wait for the schedule). */
    const spray = async (prefix: string, from: number, to: number) => {
      const started = performance.now();
      for (let i = from; i < to; i++) {
        await send(`<13>Dec  7 10:00:00 ${prefix}-${i}.spray.example.net sprayd: nothing any rule knows ${i}`);
        if (i % 50 === 49) {
          const due = started + ((i - from + 1) / rate) * 1000;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      }
    };

    // Warm-up: the code paths, JIT and pools that any traffic brings, so the figure is growth per host.
    await m.canary(30_000);
    const warm = Math.min(5_000, hosts);
    await spray('warmup', 0, warm);
    await waitFor(async () => (await handled()) >= warm * 0.9, 120_000, 'warm-up handled');
    await new Promise((r) => setTimeout(r, 3_000));
    const before = {
      mutt: rssMb(muttPid),
      nats: rssMb(natsPid),
      metricsBytes: (await metrics()).length,
      received: await received(),
      handled: await handled(),
    };

    const sprayStarted = performance.now();
    await spray('spoofed', 0, hosts);
    const spraySeconds = (performance.now() - sprayStarted) / 1000;
    await waitFor(
      async () => (await handled()) - before.handled >= ((await received()) - before.received) * 0.999,
      300_000,
      'every received line handled',
    );
    await new Promise((r) => setTimeout(r, 5_000));
    const metricsText = await metrics();
    const after = {
      mutt: rssMb(muttPid),
      nats: rssMb(natsPid),
      metricsBytes: metricsText.length,
      received: await received(),
      handled: await handled(),
    };
    socket.close();
    await m.canary(60_000);

    const growth = after.mutt - before.mutt;
    console.log(
      JSON.stringify(
        {
          hosts_sent: hosts,
          datagrams_received: after.received - before.received,
          events_handled_unhandled: after.handled - before.handled,
          spray_seconds: Number(spraySeconds.toFixed(1)),
          mutt_up_rss_mb: { before: Math.round(before.mutt), after: Math.round(after.mutt), growth: Math.round(growth) },
          nats_server_rss_mb: {
            before: Math.round(before.nats),
            after: Math.round(after.nats),
            growth: Math.round(after.nats - before.nats),
          },
          metrics_bytes: { before: before.metricsBytes, after: after.metricsBytes },
          sprayed_name_in_metrics: metricsText.includes('spoofed-'),
          canary_delivered_after: true,
          bounds_held: growth <= RSS_BOUND_MB && after.metricsBytes <= METRICS_BOUND_BYTES,
          load_average: loadAverage(),
        },
        null,
        2,
      ),
    );
  } catch (err) {
    console.error(
      `mutt up output (last lines):\n${m.proc
        .output()
        .split('\n')
        .filter((l) => !/"level":30/.test(l))
        .slice(-30)
        .join('\n')}`,
    );
    throw err;
  } finally {
    await m.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
