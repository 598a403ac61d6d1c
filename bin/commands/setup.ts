// `mutt setup`: provision streams, consumers' streams and KV buckets, then exit.
import { loadEnv } from '../../protocol/env.ts';
import { connectNats } from '../../actors/runtime/connect.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { streamSpecs, bucketSpecs } from '../../protocol/streams.ts';
import { parseFlags } from '../cli-error.ts';
import type { Command } from './command.ts';

export const setup: Command = {
  name: 'setup',
  usage: `usage: mutt setup

Creates the streams (${streamSpecs(loadEnvSafe()).map((s) => s.name).join(', ')}) and the KV buckets
(${bucketSpecs.map((b) => b.bucket).join(', ')}) when missing, and updates their limits from the environment
(MUTT_EVENTS_MAX_MSGS, MUTT_DLQ_MAX_AGE_DAYS, ...). Idempotent: every process also does this at start.`,
  async run(argv) {
    parseFlags(argv, {});
    const env = loadEnv();
    const nc = await connectNats(env, 'setup');
    await provision(nc, env);
    await nc.close();
    for (const s of streamSpecs(env)) console.log(`stream ${s.name}: ${s.subjects.join(' ')} (${s.retention})`);
    for (const b of bucketSpecs) console.log(`bucket ${b.bucket}`);
    return 0;
  },
};

function loadEnvSafe() {
  try { return loadEnv(); } catch { return loadEnv({}); }
}
