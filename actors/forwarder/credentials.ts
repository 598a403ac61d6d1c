// The Moogsoft credential: loaded from MOOG_API_KEY_FILE (preferred: a mounted secret) or MOOG_API_KEY,
// trimmed, and wrapped so that it cannot reach a log line or a message by accident — a Secret prints,
// JSON-serialises and inspects as "[redacted]". A file-backed credential is re-read when the file changes,
// so rotating the key needs no restart (v2.5 read its secrets once).
//   const cred = loadMoogCredential(process.env)           // throws CredentialError naming the variable
//   authHeader('bearer', cred.current())                   // ['authorization', 'Bearer …']
//   const src = credentialSource(process.env); src.current()  // re-checks the file at most every 10 s

import { readFileSync, statSync } from 'node:fs';
import { inspect } from 'node:util';

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}

export type CredentialProblem = 'missing' | 'empty' | 'unreadable' | 'malformed';

/** A credential that cannot be used. The message names the variable or file, never the value. */
export class CredentialError extends Error {
  readonly reason: CredentialProblem;
  constructor(reason: CredentialProblem, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'CredentialError';
    this.reason = reason;
  }
}

export interface CredentialEnv {
  MOOG_API_KEY?: string;
  MOOG_API_KEY_FILE?: string;
}

type ReadFile = (path: string) => string;
const readUtf8: ReadFile = (path) => readFileSync(path, 'utf8');

/** The credential, file first. Throws CredentialError when neither source yields a non-empty value. */
export function loadMoogCredential(env: CredentialEnv, readFile: ReadFile = readUtf8): Secret {
  const file = env.MOOG_API_KEY_FILE?.trim();
  if (file) {
    let text: string;
    try {
      text = readFile(file);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'error';
      throw new CredentialError('unreadable', `MOOG_API_KEY_FILE ${file} cannot be read (${code})`);
    }
    const value = text.trim();
    if (value === '') throw new CredentialError('empty', `MOOG_API_KEY_FILE ${file} is empty`);
    return new Secret(value);
  }
  const value = env.MOOG_API_KEY?.trim() ?? '';
  if (value === '') {
    throw new CredentialError(
      env.MOOG_API_KEY === undefined ? 'missing' : 'empty',
      'Moogsoft credential missing: set MOOG_API_KEY_FILE or MOOG_API_KEY',
    );
  }
  return new Secret(value);
}

export interface CredentialSource {
  current(): Secret;
}

/**
 * A credential that follows its file: the file's mtime is checked at most every `checkEveryMs`, and a
 * changed file is re-read. If the new content is unusable the previous credential stays in use.
 */
export function credentialSource(env: CredentialEnv, opts: { checkEveryMs?: number; now?: () => number } = {}): CredentialSource {
  const initial = loadMoogCredential(env);
  const file = env.MOOG_API_KEY_FILE?.trim();
  if (!file) return { current: () => initial };
  const every = opts.checkEveryMs ?? 10_000;
  const now = opts.now ?? Date.now;
  let secret = initial;
  let checkedAt = now();
  let mtime = mtimeOf(file);
  return {
    current() {
      if (now() - checkedAt < every) return secret;
      checkedAt = now();
      const m = mtimeOf(file);
      if (m !== mtime) {
        mtime = m;
        try {
          secret = loadMoogCredential({ MOOG_API_KEY_FILE: file });
        } catch {
          // A half-written or removed file during rotation: keep the last good key rather than send none.
        }
      }
      return secret;
    },
  };
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

export type AuthMode = 'bearer' | 'apikey' | 'basic';

/**
 * The header carrying the credential. 'apikey' is Moogsoft Cloud's `apiKey` header; 'basic' expects the
 * credential as `user:password` (Moogsoft Cloud: `<user>:<api key>`; REST LAM basic auth).
 */
export function authHeader(mode: AuthMode, secret: Secret): [name: string, value: string] {
  const value = secret.reveal();
  switch (mode) {
    case 'bearer':
      return ['authorization', `Bearer ${value}`];
    case 'apikey':
      return ['apikey', value];
    case 'basic':
      if (!value.includes(':')) throw new CredentialError('malformed', 'MOOG_AUTH=basic needs the credential as user:password');
      return ['authorization', `Basic ${Buffer.from(value, 'utf8').toString('base64')}`];
  }
}
