// `mutt up` on one box with no API keys configured: create ./.mutt/api-keys (mode 0600) holding one admin key
// the first time, and point MUTT_API_KEYS_FILE at it. The secret goes into that file only — never to a log.
//   env = ensureLocalApiKeys(env, log)

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Env } from '../protocol/env.ts';

export function ensureLocalApiKeys(env: Env, log: Logger, dir = '.mutt'): Env {
  if (env.MUTT_API_KEYS || env.MUTT_API_KEYS_FILE) return env;
  const file = resolve(dir, 'api-keys');
  if (!existsSync(file)) {
    mkdirSync(resolve(dir), { recursive: true });
    const secret = randomBytes(24).toString('base64url');
    writeFileSync(
      file,
      `# Created by 'mutt up' because no MUTT_API_KEYS were set. name:scopes:secret\nlocal-admin:ingest+read+admin:${secret}\n`,
      { mode: 0o600 },
    );
    log.warn(
      { file },
      `no API keys configured: created ${file} with one admin key (use it as X-API-Key; set MUTT_API_KEYS for real deployments)`,
    );
  } else {
    log.info({ file }, `using API keys from ${file}`);
  }
  return { ...env, MUTT_API_KEYS_FILE: file };
}
