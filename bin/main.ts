// Entry of the `mutt` command: dispatches to bin/commands/<name>.ts. A CliError prints one line and exits 2;
// an invalid environment prints every bad variable and exits 2; a CommandFailed prints one line and exits 1.
//   mutt up | mutt run alerter | mutt setup | mutt <command> --help

import { EnvError } from '../protocol/env.ts';
import { CliError } from './cli-error.ts';
import { COMMANDS } from './commands/index.ts';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'mutt — syslog and SNMP traps to Moogsoft alerts, on NATS JetStream',
    '',
    'usage: mutt <command> [options]     (mutt <command> --help for its options)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Environment: see docs/CONFIGURATION.md (NATS_URL, MUTT_HTTP_PORT, MUTT_API_KEYS, MOOG_WEBHOOK_URL, ...).',
  ].join('\n');
}

const [name, ...rest] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || name === 'help') {
  console.log(usage());
  process.exit(0);
}
const command = COMMANDS.find((c) => c.name === name);
if (!command) {
  console.error(`mutt: unknown command '${name}'\n\n${usage()}`);
  process.exit(2);
}
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
