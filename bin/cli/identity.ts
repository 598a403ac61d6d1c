// Who a CLI change is recorded as in the config audit: `cli:<os user>`, or the name given with --as (for
// shared service accounts, automation, change tickets). Never a secret; at most 100 visible characters.
//   actorName(flags.as)   // 'cli:alice'

import { userInfo } from 'node:os';
import { CliError } from '../cli-error.ts';

function osUser(): string {
  try {
    return userInfo().username || process.env.USER || 'unknown';
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  }
}

export function actorName(as: unknown): string {
  if (as === undefined) return `cli:${osUser()}`;
  if (typeof as !== 'string' || !/^[\x21-\x7e]{1,100}$/.test(as))
    throw new CliError('--as must be 1-100 visible characters without spaces');
  return as;
}
