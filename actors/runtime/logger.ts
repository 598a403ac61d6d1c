// The root pino logger: JSON lines, level from LOG_LEVEL, secret paths redacted wherever they appear.
// Actors get child loggers bound to actor, subject, stream sequence and correlation id.
//   const log = createLogger('info').child({ actor: 'alerter' })

import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'apiKey', '*.apiKey', 'api_key', '*.api_key', 'secret', '*.secret', 'password', '*.password', 'pass', '*.pass',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', 'headers["x-api-key"]',
  '*.headers["x-api-key"]', 'MOOG_API_KEY', '*.MOOG_API_KEY', 'NATS_PASS', '*.NATS_PASS', 'MUTT_API_KEYS', '*.MUTT_API_KEYS',
];

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

export type { Logger };
