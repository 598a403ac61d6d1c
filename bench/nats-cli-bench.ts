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

/** "Pub stats: 63,445 msgs/sec …" (v0.2) or "NATS JetStream asynchronous publisher stats: 65,810 msgs/sec …" (v0.5). */
function statsOf(output: string, what: string): number {
  const m = output.match(/stats: ([\d,]+) msgs\/sec/);
  if (!m) throw new Error(`no '… stats: N msgs/sec' line in the nats bench ${what} output:\n${output.slice(-1000)}`);
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
  // natscli 0.3 and later name the publish mode (`js pub async`); 0.2 had one mode and no such word.
  const mode = /^v?0\.[0-2]\./.test(cliVersion) ? [] : ['async'];
  try {
    const pubArgs = [
      'bench',
      'js',
      'pub',
      ...mode,
      'bench.natscli',
      '--create',
      '--storage',
      'file',
      '--size',
      String(opts.size),
      '--purge',
    ];
    const pub = await run(cli, [...pubArgs, ...common], { maxBuffer: 1 << 22 });
    const sub = await run(cli, ['bench', 'js', 'consume', '--acks', 'explicit', ...common], { maxBuffer: 1 << 22 });
    return {
      cli,
      cliVersion,
      messages: opts.messages,
      size: opts.size,
      publishPerSec: statsOf(pub.stdout + pub.stderr, 'js pub'),
      consumeAckPerSec: statsOf(sub.stdout + sub.stderr, 'js consume'),
    };
  } catch (err) {
    // A CLI whose bench commands differ leaves the official figures out, saying why, rather than ending the run.
    return { skipped: `nats bench (${cliVersion}) failed: ${(err as Error).message.split('\n').slice(0, 2).join(' ')}` };
  } finally {
    await run(cli, ['-s', url, 'stream', 'rm', STREAM, '--force']).catch(() => undefined);
  }
}
