// Every environment variable MUTT reads, with its default and range, in one zod schema. A wrong value stops
// the process with a message naming the variable (see loadEnv). docs/CONFIGURATION.md is generated from here.

import { z } from 'zod';
import { redactUrlCredentials } from './redact-url.ts';

/** fetch() refuses a URL carrying credentials, and its error message would repeat them. */
function isPlainHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const optionalText = z.string().trim().min(1).optional();

export const EnvSchema = z.object({
  NATS_URL: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe(
      'NATS servers, comma-separated (nats://h1:4222,nats://h2:4222). Unset: `mutt up` uses 127.0.0.1:4222 if it answers, else starts nats-server itself.',
    ),
  MUTT_NATS_PORT: z.coerce
    .number()
    .int()
    .min(1)
    .max(65535)
    .default(4222)
    .describe(
      '`mutt up` without NATS_URL: the 127.0.0.1 port it looks for a NATS server on, and where it starts its own nats-server when none answers.',
    ),
  NATS_CREDS: optionalText.describe('Path to a NATS .creds file (JWT + NKey).'),
  NATS_USER: optionalText.describe('NATS user name (with NATS_PASS).'),
  NATS_PASS: optionalText.describe('NATS password (secret).'),
  NATS_PASS_FILE: optionalText.describe(
    'File holding the NATS password (preferred over NATS_PASS): a mounted secret or a systemd credential (`%d/nats-pass`).',
  ),
  NATS_TLS_CA: optionalText.describe('CA certificate file for TLS to NATS.'),
  MUTT_HTTP_HOST: z.string().default('0.0.0.0').describe('Address the HTTP server (gateway or actor health) binds.'),
  MUTT_HTTP_PORT: port
    .default(8080)
    .describe('HTTP port: gateway API/UI, or /healthz /readyz /metrics of a single actor. 0 = a free port (logged).'),
  MUTT_SYSLOG_PORT: port.default(5514).describe('Syslog listener port, UDP and TCP. 0 = a free port (logged).'),
  MUTT_TRAP_PORT: port.default(1162).describe('SNMP trap listener UDP port. 0 = a free port (logged).'),
  MUTT_TRAP_COMMUNITIES: z.string().default('public').describe('Accepted SNMP communities, comma-separated.'),
  MUTT_API_KEYS: z
    .string()
    .optional()
    .describe('API keys: comma-separated name:scope[+scope]:secret (scopes ingest, read, admin). Secret.'),
  MUTT_API_KEYS_FILE: optionalText.describe('File with one name:scope[+scope]:secret per line.'),
  MOOG_WEBHOOK_URL: z
    .string()
    .url()
    .refine(isPlainHttpUrl, 'must be an http:// or https:// URL without user:password@ (the credential goes in MOOG_API_KEY)')
    .optional()
    .describe('Moogsoft REST LAM or Events API endpoint. Required by the forwarder.'),
  MOOG_API_KEY: optionalText.describe('Moogsoft credential (secret). Only the forwarder reads it.'),
  MOOG_API_KEY_FILE: optionalText.describe('File holding the Moogsoft credential (preferred over MOOG_API_KEY).'),
  MOOG_AUTH: z
    .enum(['bearer', 'apikey', 'basic'])
    .default('bearer')
    .describe('How the credential is sent: Authorization: Bearer, apiKey header, or Basic.'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level.'),
  MUTT_INSTANCE: optionalText.describe('Name of this process in health reports (default host-pid).'),
  MUTT_STORAGE: z.enum(['file', 'memory']).default('file').describe('JetStream storage of MUTT streams.'),
  MUTT_REPLICAS: z.coerce.number().int().min(1).max(5).default(1).describe('Stream replicas: 1 on one machine, 3 on a cluster.'),
  MUTT_EVENTS_MAX_MSGS: positiveInt.default(1_000_000).describe('MUTT_EVENTS cap in messages; beyond it ingest answers 503.'),
  MUTT_EVENTS_MAX_BYTES: positiveInt.default(1024 ** 3).describe('MUTT_EVENTS cap in bytes.'),
  MUTT_ALERTS_MAX_MSGS: positiveInt.default(1_000_000).describe('MUTT_ALERTS cap in messages.'),
  MUTT_DLQ_MAX_AGE_DAYS: positiveInt.default(30).describe('Dead letters are kept this long.'),
  MUTT_AUDIT_EVENTS_MAX_AGE_DAYS: positiveInt.default(90).describe('Event audit retention.'),
  MUTT_AUDIT_CONFIG_MAX_AGE_DAYS: positiveInt.default(365).describe('Config audit retention.'),
  MUTT_ACK_WAIT_MS: positiveInt.default(30_000).describe('How long a message may be held without an ack before another process gets it.'),
  MUTT_SHUTDOWN_GRACE_MS: positiveInt.default(10_000).describe('On SIGTERM, how long in-flight work may take before exit.'),
  MUTT_STARTER_RULES: z
    .enum(['auto', 'off'])
    .default('auto')
    .describe(
      'auto: on the first start of an installation that has never had a rule, the gateway creates the starter rule set (ids starter-*, lowest priority; docs/RULES.md). off: never (set it before the first start when you will import your own rules).',
    ),
  MUTT_BODY_LIMIT_BYTES: positiveInt.default(5 * 1024 * 1024).describe('Largest HTTP request body (413 beyond).'),
  MUTT_HTTP_IDLE_TIMEOUT_MS: positiveInt
    .default(5_000)
    .describe(
      'An HTTP connection with no request in progress (a new one that sends nothing, or a keep-alive one between requests) is closed after this long without a byte.',
    ),
  MUTT_HTTP_HEADERS_TIMEOUT_MS: positiveInt
    .default(10_000)
    .describe('From the first byte of a request, its headers must be complete within this (408 and close beyond).'),
  MUTT_HTTP_REQUEST_TIMEOUT_MS: positiveInt
    .default(60_000)
    .describe('A request, headers and body, must be received within this (408 and close beyond).'),
  MUTT_HTTP_MAX_CONNECTIONS: positiveInt
    .default(1_000)
    .describe(
      'HTTP connections open at once. A new one beyond evicts the longest-idle connection with no request in progress; refused only when all are busy.',
    ),
  MUTT_SYSLOG_TCP_MAX_CONNECTIONS: positiveInt
    .default(2_000)
    .describe(
      'Syslog TCP connections open at once. A new one beyond evicts the idlest connection (never-spoken ones first); refused only when all are busy.',
    ),
  MUTT_SYSLOG_TCP_MAX_PER_ADDRESS: positiveInt
    .default(100)
    .describe('Syslog TCP connections open at once from one source address, with the same eviction.'),
  MUTT_SYSLOG_TCP_FIRST_BYTE_TIMEOUT_MS: positiveInt
    .default(30_000)
    .describe('A syslog TCP connection that sends nothing is closed after this long (senders connect when they have a line to send).'),
  MUTT_SYSLOG_TCP_IDLE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(3_600_000)
    .describe(
      'A syslog TCP connection that has sent lines is closed after this long without a byte; 0 = never. Long on purpose: rsyslog and devices keep one connection open and may lose the line sent on one closed under them (docs/RELIABILITY.md).',
    ),
});

export type Env = z.infer<typeof EnvSchema>;

export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvError';
  }
}

/** Validates the environment; throws EnvError naming each bad variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const input: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const value = source[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = EnvSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const name = String(i.path[0]);
    const secret = /PASS|KEY|CREDS/.test(name);
    return `${name}: ${i.message}${secret ? '' : ` (got ${redactUrlCredentials(JSON.stringify(input[name] ?? null))})`}`;
  });
  throw new EnvError(`invalid environment:\n  ${lines.join('\n  ')}`);
}
