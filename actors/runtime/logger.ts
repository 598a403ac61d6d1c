// The root pino logger: JSON lines, level from LOG_LEVEL, secret paths redacted wherever they appear.
// Actors get child loggers bound to actor, subject, stream sequence and correlation id.
//   const log = createLogger('info').child({ actor: 'alerter' })
//
// No key appears twice in a line. pino does not merge bindings: a child that binds a key its parent bound
// (`rt.log.child({ actor })` under a logger already bound to the actor), or a log call whose object repeats a
// bound key (`log.info({ pid: child.pid })` under `pid`), writes the key twice, and JSON readers keep only one of
// them (which one depends on the reader). So every logger made here drops a key that repeats a bound key with the
// same value, and writes one with a different value as `<key>_2` (the bound value stays under `<key>`).

import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  'api_key',
  '*.api_key',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'pass',
  '*.pass',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'MOOG_API_KEY',
  '*.MOOG_API_KEY',
  'NATS_PASS',
  '*.NATS_PASS',
  'MUTT_API_KEYS',
  '*.MUTT_API_KEYS',
];

const { chindingsSym } = pino.symbols;
const boundCache = new WeakMap<object, Record<string, unknown>>();

/** The keys bound to a logger and its ancestors (pid included), as written in its lines. */
function boundOf(logger: object): Record<string, unknown> {
  let bound = boundCache.get(logger);
  if (!bound) {
    const chindings = (logger as Record<symbol, unknown>)[chindingsSym];
    bound = typeof chindings === 'string' && chindings.length > 1 ? (JSON.parse(`{${chindings.slice(1)}}`) as Record<string, unknown>) : {};
    boundCache.set(logger, bound);
  }
  return bound;
}

/** `fields` without the keys already bound with the same value; a different value is renamed `<key>_2`. */
export function withoutBoundKeys(bound: Record<string, unknown>, fields: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const key of Object.keys(fields)) {
    if (!(key in bound)) continue;
    out ??= { ...fields };
    const value = out[key];
    delete out[key];
    if (value !== undefined && JSON.stringify(value) !== JSON.stringify(bound[key])) out[`${key}_2`] = value;
  }
  return out ?? fields;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Error) && Object.getPrototypeOf(v) === Object.prototype;

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  const root = pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          if (isPlainObject(args[0])) (args as unknown[])[0] = withoutBoundKeys(boundOf(this), args[0]);
          return method.apply(this, args);
        },
      },
    },
    destination,
  );
  // Children are made with Object.create(parent), so every descendant inherits this `child`.
  const child = root.child as unknown as (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger;
  root.child = function dedupedChild(this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) {
    return child.call(this, withoutBoundKeys(boundOf(this), bindings) as pino.Bindings, options);
  } as unknown as typeof root.child;
  return root;
}

export type { Logger };
