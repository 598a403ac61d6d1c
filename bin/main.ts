// Entry of the `mutt` command: dispatches to bin/commands/<name>.ts, loading only the command that runs. A usage
// error (CliError, an invalid environment) prints one line and exits 2; a CommandFailed prints one line and
// exits 1; a command returns 0 or 1 itself.
//   mutt up | mutt run alerter | mutt status | mutt help <command> | mutt <command> --help | mutt --version

import { createRequire } from 'node:module';
import { EnvError } from '../protocol/env.ts';
import { CliError } from './cli-error.ts';
import { closestName } from './cli/closest.ts';
import { COMMANDS } from './commands/index.ts';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'mutt — syslog and SNMP traps to Moogsoft alerts, on NATS JetStream',
    '',
    'usage: mutt <command> [options]     (mutt help <command>, or mutt <command> --help, for its options)',
    '       mutt --version',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 done, 1 the operation failed or found a problem, 2 a usage error. See docs/CLI.md.',
    'Environment: see docs/CONFIGURATION.md (NATS_URL, MUTT_HTTP_PORT, MUTT_API_KEYS, MOOG_WEBHOOK_URL, ...).',
  ].join('\n');
}

function unknownCommand(name: string): never {
  const near = closestName(
    name,
    COMMANDS.map((c) => c.name),
  );
  console.error(`mutt: unknown command '${name}'${near ? ` (did you mean '${near}'?)` : ''}; mutt help lists them`);
  process.exit(2);
}

const [name, ...rest] = process.argv.slice(2);
if (name === '--version' || name === '-V' || name === 'version') {
  console.log(`mutt ${(createRequire(import.meta.url)('../package.json') as { version: string }).version}`);
  process.exit(0);
}
if (!name || name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
  console.log(usage());
  process.exit(0);
}
if (name === 'help') {
  const entry = COMMANDS.find((c) => c.name === rest[0]) ?? unknownCommand(rest[0]);
  console.log((await entry.load()).usage);
  process.exit(0);
}
const entry = COMMANDS.find((c) => c.name === name) ?? unknownCommand(name);
const command = await entry.load();
if (rest.includes('--help') || rest.includes('-h')) {
  console.log(command.usage);
  process.exit(0);
}
try {
  const code = await command.run(rest);
  if (typeof code === 'number') process.exitCode = code;
} catch (err) {
  if (err instanceof CliError || err instanceof EnvError) {
    console.error(`mutt ${name}: ${err.message}`);
    process.exit(2);
  }
  // An operational failure (bin/cli/session.ts CommandFailed: a busy port, no nats-server): one line, exit 1, no
  // stack trace. Matched by name so that `mutt --help` does not load the NATS client to check a class.
  if (err instanceof Error && err.name === 'CommandFailed') {
    console.error(`mutt ${name}: ${err.message}`);
    process.exit((err as Error & { code?: number }).code ?? 1);
  }
  throw err;
}
