// Commands with sub-commands (`mutt config set ...`): picks the sub-command from the first argument and parses
// the rest with that sub-command's flags, so an unknown one is an error naming the sub-commands there are.
//   const { sub, flags, positionals } = parseSubcommand('config', argv, { ls: { json: 'boolean' }, ... })

import { CliError, parseFlags } from '../cli-error.ts';
import { closestName } from './closest.ts';

export type FlagSpec = Record<string, 'string' | 'boolean' | 'number'>;

export function parseSubcommand<S extends string>(cmd: string, argv: string[], specs: Record<S, FlagSpec>, fallback?: S) {
  const names = Object.keys(specs) as S[];
  const first = argv[0];
  let sub: S;
  let rest: string[];
  if (first === undefined || first.startsWith('--')) {
    if (!fallback) throw new CliError(`which sub-command? (${names.join(', ')}; mutt ${cmd} --help)`);
    sub = fallback;
    rest = argv;
  } else {
    if (!names.includes(first as S)) {
      const near = closestName(first, names);
      throw new CliError(`unknown sub-command '${first}'${near ? ` (did you mean '${near}'?)` : ''} (known: ${names.join(', ')})`);
    }
    sub = first as S;
    rest = argv.slice(1);
  }
  const { flags, positionals } = parseFlags(rest, specs[sub]);
  return { sub, flags, positionals };
}

/** Exactly `n` positionals, named for the error message. */
export function expectPositionals(positionals: string[], names: string[], usage: string): string[] {
  if (positionals.length < names.length)
    throw new CliError(
      `missing ${names
        .slice(positionals.length)
        .map((n) => `<${n}>`)
        .join(' ')} (usage: ${usage})`,
    );
  if (positionals.length > names.length) throw new CliError(`unexpected argument '${positionals[names.length]}' (usage: ${usage})`);
  return positionals;
}
