// A user mistake on the command line: printed as one line naming the flag or argument, exit code 2.
//   throw new CliError("--rate must be a positive number (got 'x')")

import { closestName } from './cli/closest.ts';

export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Minimal flag parser: --name value, --name=value, --flag (boolean), positionals. Unknown flags are errors. */
export function parseFlags(
  argv: string[],
  spec: Record<string, 'string' | 'boolean' | 'number'>,
): { flags: Record<string, string | number | boolean>; positionals: string[] } {
  const flags: Record<string, string | number | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const kind = spec[name];
    if (!kind) {
      const near = closestName(name, Object.keys(spec));
      throw new CliError(
        `unknown flag --${name}${near ? ` (did you mean --${near}?)` : ''} (known: ${
          Object.keys(spec)
            .map((k) => '--' + k)
            .join(', ') || 'none'
        })`,
      );
    }
    if (kind === 'boolean') {
      flags[name] = inline === undefined ? true : inline !== 'false';
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new CliError(`--${name} needs a value`);
    if (kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new CliError(`--${name} must be a number (got '${value}')`);
      flags[name] = n;
    } else flags[name] = value;
  }
  return { flags, positionals };
}
