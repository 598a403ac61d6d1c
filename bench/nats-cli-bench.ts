// The server's limit as the official tool measures it, in the same run and on the same nats-server as MUTT's
// figures: `nats bench js pub` (async publish to a file-storage stream, in batches) and `nats bench js consume`
// (a durable consumer, explicit acks), with payloads of MUTT's event size. The nats CLI is MUTT_NATS_CLI, else
// `nats` on PATH; without one the figures are left out and the reason printed.
//   const nb = await natsCliBench(nats.url, { messages: 100_000, size: 450 })   // null: no CLI

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface NatsCliBench {
  cli: string;
  cliVersion: string;
  messages: number;
  size: number;
  publishPerSec: number;
  consumeAckPerSec: number;
}

const STREAM = 'BENCH_NATS_CLI';

/** "Pub stats: 63,445 msgs/sec ~ 27.23 MB/sec" → 63445. */
function statsOf(output: string, which: 'Pub' | 'Sub'): number {
  const m = output.match(new RegExp(`${which} stats: ([\\d,]+) msgs/sec`));
  if (!m) throw new Error(`no '${which} stats' line in the nats bench output:\n${output.slice(-1000)}`);
  return Number(m[1].replace(/,/g, ''));
}

export async function natsCliBench(url: string, opts: { messages: number; size: number }): Promise<NatsCliBench | { skipped: string }> {
  const cli = process.env.MUTT_NATS_CLI || 'nats';
  let cliVersion: string;
  try {
    const v = await run(cli, ['--version']);
    cliVersion = (v.stdout || v.stderr).trim();
  } catch {
    return { skipped: `no nats CLI (${cli}); set MUTT_NATS_CLI` };
  }
  const common = ['-s', url, '--no-progress', '--stream', STREAM, '--msgs', String(opts.messages)];
  const pub = await run(
    cli,
    ['bench', 'js', 'pub', 'bench.natscli', '--create', '--storage', 'file', '--size', String(opts.size), '--purge', ...common],
    { maxBuffer: 1 << 22 },
  );
  const sub = await run(cli, ['bench', 'js', 'consume', '--acks', 'explicit', ...common], { maxBuffer: 1 << 22 });
  await run(cli, ['-s', url, 'stream', 'rm', STREAM, '--force']).catch(() => undefined);
  return {
    cli,
    cliVersion,
    messages: opts.messages,
    size: opts.size,
    publishPerSec: statsOf(pub.stdout + pub.stderr, 'Pub'),
    consumeAckPerSec: statsOf(sub.stdout + sub.stderr, 'Sub'),
  };
}
