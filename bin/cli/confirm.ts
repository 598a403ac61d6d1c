// Asking before a bulk change: on a terminal the operator answers y/N; anywhere else (scripts, CI) the command
// refuses and names --yes, so nothing destructive happens by accident.
//   if (!(await confirm(flags.yes === true, `replay 12 dead letters?`))) return 2

import { createInterface } from 'node:readline/promises';
import { CliError } from '../cli-error.ts';

export async function confirm(yes: boolean, question: string, what: string): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY || !process.stderr.isTTY) throw new CliError(`${what}: pass --yes to confirm (nothing was changed)`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
