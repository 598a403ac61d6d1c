// `mutt setup`: provision streams, consumers' streams and KV buckets, then exit.
import { loadEnv } from '../../protocol/env.ts';
import { connectNats } from '../../actors/runtime/connect.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { ConfigView } from '../../actors/runtime/config-view.ts';
import { syncUnhandledExpiry } from '../../actors/alerter/unhandled-expiry.ts';
import { purgeLegacyUnhandled } from '../../actors/alerter/legacy-unhandled.ts';
import { createLogger } from '../../actors/runtime/logger.ts';
import { streamSpecs, bucketSpecs } from '../../protocol/streams.ts';
import { parseFlags } from '../cli-error.ts';
import type { Command } from './command.ts';

export const setup: Command = {
  name: 'setup',
  usage: `usage: mutt setup

Creates the streams (${streamSpecs(loadEnvSafe())
    .map((s) => s.name)
    .join(', ')}) and the KV buckets
(${bucketSpecs.map((b) => b.bucket).join(', ')}) when missing, and updates their limits from the environment
(MUTT_EVENTS_MAX_MSGS, MUTT_DLQ_MAX_AGE_DAYS, ...) and the expiry of the unhandled counters from
unhandled_window_seconds; removes the never-expiring unhandled.* keys of earlier versions from mutt_state. Idempotent: every process also does this at start.`,
  async run(argv) {
    parseFlags(argv, {});
    const env = loadEnv();
    const nc = await connectNats(env, 'setup');
    await provision(nc, env);
    // The unhandled counters expire with unhandled_window_seconds, a live config key; in least-privilege
    // deployments only admin may apply it to the bucket, so setup does.
    const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
    const config = await ConfigView.open(nc, log);
    await syncUnhandledExpiry(nc, config.get().unhandled_window_seconds, log);
    config.stop();
    const legacy = await purgeLegacyUnhandled(nc, log);
    await nc.close();
    if (legacy) console.log(`removed ${legacy} legacy unhandled.* key(s) from mutt_state`);
    for (const s of streamSpecs(env)) console.log(`stream ${s.name}: ${s.subjects.join(' ')} (${s.retention})`);
    for (const b of bucketSpecs) console.log(`bucket ${b.bucket}`);
    return 0;
  },
};

function loadEnvSafe() {
  try {
    return loadEnv();
  } catch {
    return loadEnv({});
  }
}
