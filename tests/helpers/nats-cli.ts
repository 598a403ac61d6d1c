// The nats CLI binary the tests drive: MUTT_NATS_CLI, else `nats` on PATH. (A minimal copy on the producers
// branch; the nats-ci helper's version, with the same name and signature, replaces it on merge.)

import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function natsCliPath(): string {
  const configured = process.env.MUTT_NATS_CLI;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`MUTT_NATS_CLI=${configured}: no such file`);
    return configured;
  }
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const p = join(dir, 'nats');
    if (existsSync(p)) return p;
  }
  throw new Error('the nats CLI is not installed: set MUTT_NATS_CLI or put `nats` on PATH (.ci/run installs it with go install)');
}
