// API keys as data: the `name:scope[+scope]:secret` notation of MUTT_API_KEYS / MUTT_API_KEYS_FILE, scopes and
// what they grant, new secrets, and the salted hash that is all MUTT ever stores of a secret.
//   parseKeyList('rsyslog:ingest:s3cr3t…,ops:admin+ingest:…', 'MUTT_API_KEYS')
//   const h = hashSecret(secret); verifySecret(secret, h) === true
//
// Why SHA-256 and not scrypt: the hash is checked on every ingest request (thousands per second), so a
// deliberately slow KDF would cost a core per few hundred requests, or need a cache of plaintext results.
// Slow KDFs protect guessable *passwords*; MUTT's secrets are random (generateSecret: 256 bits) or chosen by an
// operator under the strength rule below, and no amount of SHA-256 guessing reaches a 128-bit space. Each record
// has its own 16-byte salt, so equal secrets hash differently and no precomputed table applies.
//
// The strength rule (secretProblem) is a rule an operator can check by eye, not an estimate: at least 20
// characters mixing 3 of lower case, upper case, digits and symbols, or at least 32 characters of anything (what
// `openssl rand -hex 16` or `-base64 24` print: long random text needs no mix), and at least 8 different
// characters either way. It refuses the weak secrets seen in practice ('password12345678', 'changeme…', a
// repeated letter) while every generator's output passes. A dictionary-based estimator (zxcvbn) was not taken:
// it refuses secrets for reasons an operator cannot see, and MUTT can generate a secret instead.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const Scope = { ingest: 'ingest', read: 'read', admin: 'admin' } as const;
export type Scope = (typeof Scope)[keyof typeof Scope];
export const SCOPES: readonly Scope[] = Object.values(Scope);

/** Who a request authenticated as: the key's name and scopes, never its secret. */
export interface ApiPrincipal {
  name: string;
  scopes: Scope[];
}

/**
 * admin implies read (an operator who may change rules may see them). admin does NOT imply ingest: sender
 * keys live on many devices and should not be able to change configuration, and an admin key in a browser
 * should not be usable to flood the pipeline. Give a key both scopes ('admin+ingest') when it needs both.
 */
export function grants(scopes: readonly Scope[], wanted: Scope): boolean {
  return scopes.includes(wanted) || (wanted === Scope.read && scopes.includes(Scope.admin));
}

export const KEY_NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const MIN_SECRET_LENGTH = 20;
/** From this length a secret needs no mix of character classes. */
export const LONG_SECRET_LENGTH = 32;
export const MIN_SECRET_CLASSES = 3;
export const MIN_DISTINCT_CHARACTERS = 8;
export const MAX_SECRET_LENGTH = 512;

/** The rule in one sentence, for error messages and help texts. */
export const SECRET_RULE =
  `at least ${MIN_SECRET_LENGTH} characters mixing ${MIN_SECRET_CLASSES} of lower case, upper case, digits and symbols, ` +
  `or at least ${LONG_SECRET_LENGTH} characters, with at least ${MIN_DISTINCT_CHARACTERS} different characters — or one MUTT generates (mutt keys add NAME --generate)`;

export interface KeySpec {
  name: string;
  scopes: Scope[];
  secret: string;
}

export class KeySpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeySpecError';
  }
}

/** How many of lower case, upper case, digits and symbols a secret uses. */
export function characterClasses(secret: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(secret)).length;
}

/** Validates a secret (SECRET_RULE); the message never repeats it, and names the rule and what this secret lacks. */
export function secretProblem(secret: string): string | null {
  if (secret.length > MAX_SECRET_LENGTH) return `secret is longer than ${MAX_SECRET_LENGTH} characters`;
  if (!/^[\x21-\x7e]+$/.test(secret)) return 'secret must be visible ASCII without spaces';
  const classes = characterClasses(secret);
  const distinct = new Set(secret).size;
  const tooShort = secret.length < MIN_SECRET_LENGTH || (secret.length < LONG_SECRET_LENGTH && classes < MIN_SECRET_CLASSES);
  if (tooShort || distinct < MIN_DISTINCT_CHARACTERS) {
    return `secret is too weak (${secret.length} characters, ${classes} character class${classes === 1 ? '' : 'es'}, ${distinct} different): it needs ${SECRET_RULE}`;
  }
  return null;
}

export function parseScopes(text: string): Scope[] | string {
  const out: Scope[] = [];
  for (const part of text.split('+').map((s) => s.trim())) {
    if (!(SCOPES as readonly string[]).includes(part)) return `unknown scope '${part}' (use ${SCOPES.join(', ')})`;
    if (!out.includes(part as Scope)) out.push(part as Scope);
  }
  return out;
}

/** One `name:scope[+scope]:secret` entry. The secret may itself contain ':'. `where` names the entry in errors. */
export function parseKeySpec(text: string, where: string): KeySpec {
  const first = text.indexOf(':');
  const second = first < 0 ? -1 : text.indexOf(':', first + 1);
  if (first < 0 || second < 0) throw new KeySpecError(`${where}: expected name:scope[+scope]:secret`);
  const name = text.slice(0, first).trim();
  const scopes = parseScopes(text.slice(first + 1, second));
  const secret = text.slice(second + 1).trim();
  if (!KEY_NAME.test(name)) throw new KeySpecError(`${where}: key name must be 1-64 of A-Z a-z 0-9 _ -`);
  if (typeof scopes === 'string') throw new KeySpecError(`${where} (key '${name}'): ${scopes}`);
  const problem = secretProblem(secret);
  if (problem) throw new KeySpecError(`${where} (key '${name}'): ${problem}`);
  return { name, scopes, secret };
}

/** MUTT_API_KEYS (comma-separated) or a keys file (one per line, '#' comments, blank lines ignored). */
export function parseKeyList(text: string, source: string, separator: ',' | '\n'): KeySpec[] {
  const out: KeySpec[] = [];
  const entries = text.split(separator === ',' ? ',' : /\r?\n/);
  entries.forEach((entry, i) => {
    const trimmed = entry.trim();
    if (trimmed === '' || (separator === '\n' && trimmed.startsWith('#'))) return;
    out.push(parseKeySpec(trimmed, `${source} ${separator === ',' ? 'entry' : 'line'} ${i + 1}`));
  });
  return out;
}

/** A new secret: 256 random bits, URL-safe, with a prefix that secret scanners can recognise. */
export function generateSecret(): string {
  return 'mutt_' + randomBytes(32).toString('base64url');
}

export const KeyHash = z.object({
  alg: z.literal('sha256'),
  salt: z.string().min(1),
  hash: z.string().min(1),
});
export type KeyHash = z.infer<typeof KeyHash>;

function digest(salt: Buffer, secret: string): Buffer {
  return createHash('sha256').update(salt).update(secret, 'utf8').digest();
}

export function hashSecret(secret: string, salt: Buffer = randomBytes(16)): KeyHash {
  return { alg: 'sha256', salt: salt.toString('base64'), hash: digest(salt, secret).toString('base64') };
}

/** Constant-time comparison of the presented secret's salted hash with a stored one. */
export function verifySecret(secret: string, stored: KeyHash): boolean {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = digest(Buffer.from(stored.salt, 'base64'), secret);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
