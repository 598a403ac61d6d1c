// What the CLI's own flag and duration parsers accept and refuse, beside node:util parseArgs and npm duration
// parsers, on the same inputs (ADR 0008). Prints one line per input: the result or the error of each. Not a
// timing benchmark: the difference is behaviour. The npm parsers are not dependencies; install them outside:
//   mkdir -p /tmp/dur-libs && npm --prefix /tmp/dur-libs i ms@2.1.3 parse-duration@2.1.9 @lukeed/ms@2.0.2
//   node --import tsx bench/cli-parsing.ts --libs /tmp/dur-libs

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CliError, parseFlags } from '../bin/cli-error.ts';
import { durationMs } from '../bin/cli/durations.ts';

const dirArg = process.argv.indexOf('--libs');
const dir = dirArg >= 0 ? process.argv[dirArg + 1] : '.';
const req = createRequire(join(dir, 'node_modules', 'x.js'));

const show = (f: () => unknown): string => {
  try {
    const v = f();
    return v === undefined ? 'undefined' : JSON.stringify(v);
  } catch (err) {
    return `${err instanceof CliError ? 'CliError' : (err as Error).name}: ${(err as Error).message}`;
  }
};

// A command's flags as `mutt audit` and `mutt send` declare them.
const SPEC = { json: 'boolean', wide: 'boolean', since: 'string', limit: 'number', message: 'string' } as const;
const OPTIONS = {
  json: { type: 'boolean' },
  wide: { type: 'boolean' },
  since: { type: 'string' },
  limit: { type: 'string' },
  message: { type: 'string' },
} as const;
const ARGVS: string[][] = [
  ['--since', '1h', '--limit', '50'],
  ['--limit=50', 'rule-1'],
  ['--wdie'],
  ['--jsn'],
  ['--no-json'],
  ['--json=false'],
  ['--json='],
  ['--since'],
  ['--since', '--json'],
  ['--message', '-- MARK --'],
  ['--limit', '-5'],
  ['--limit', 'x'],
  ['--limit', ''],
  ['--limit', '0x10'],
  ['--since', '1h', '--since', '2h'],
  ['-h'],
  ['--', '--json'],
];

console.log('# flags: parseFlags (bin/cli-error.ts) | node:util parseArgs strict, allowPositionals');
for (const argv of ARGVS) {
  console.log(`\n${JSON.stringify(argv)}`);
  console.log(`  parseFlags: ${show(() => parseFlags(argv, SPEC))}`);
  console.log(
    `  parseArgs:  ${show(() => {
      const r = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
      return { flags: r.values, positionals: r.positionals };
    })}`,
  );
}

const parsers: Record<string, (s: string) => unknown> = { 'durations.ts': durationMs };
try {
  const ms = req('ms');
  parsers['ms 2.1.3'] = (s) => ms(s);
} catch (err) {
  console.log(`(ms not loaded: ${(err as Error).message.split('\n')[0]})`);
}
try {
  const { parse } = req('@lukeed/ms');
  parsers['@lukeed/ms 2.0.2'] = (s) => parse(s);
} catch (err) {
  console.log(`(@lukeed/ms not loaded: ${(err as Error).message.split('\n')[0]})`);
}
try {
  const { default: parse } = await import(pathToFileURL(req.resolve('parse-duration')).href);
  parsers['parse-duration 2.1.9'] = (s) => parse(s);
} catch (err) {
  console.log(`(parse-duration not loaded: ${(err as Error).message.split('\n')[0]})`);
}

const DURATIONS = [
  '30s',
  '5m',
  '1.5h',
  '2d',
  '250ms',
  '30',
  ' 30 s ',
  '1h30m',
  '1 hour',
  '30 seconds',
  '1w',
  '1y',
  '-5m',
  '0',
  '1e3s',
  '5M',
  'PT30S',
  'about 1h',
  'duration: 1h:20min',
  '1,000s',
  '',
];
console.log('\n# durations in ms (null / undefined / NaN: refused); plain numbers are seconds in durations.ts');
console.log(['input'.padEnd(22), ...Object.keys(parsers).map((k) => k.padEnd(22))].join(''));
for (const d of DURATIONS)
  console.log([JSON.stringify(d).padEnd(22), ...Object.values(parsers).map((p) => show(() => p(d)).padEnd(22))].join(''));
