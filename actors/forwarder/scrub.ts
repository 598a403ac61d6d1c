// Removes credentials from text that leaves the forwarder: response excerpts in dead letters, error details in
// logs. A remote may echo our Authorization header or request body back in an error page, so an excerpt is
// scrubbed both of the exact secret values we know and of anything shaped like a credential.
//   scrubSecrets('401: bad token Bearer abc123', ['abc123']) === '401: bad token Bearer [redacted]'
//   excerpt(body, ['k'])  // scrubbed, whitespace-collapsed, at most 500 characters

export const REDACTED = '[redacted]';
export const EXCERPT_MAX = 500;

// Credential-shaped fragments: auth schemes, key=value and "key": "value" pairs whose name says secret.
const PATTERNS: RegExp[] = [
  /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=:-]+/gi,
  /("?(?:api[_-]?key|apikey|x-api-key|auth[_-]?token|access[_-]?token|token|secret|password|passwd|authorization)"?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&}]+)/gi,
];

export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Longest first, so a secret containing another is not half-replaced. Tiny "secrets" would shred the text.
  for (const s of [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join(REDACTED);
  }
  out = out.replace(PATTERNS[0], (_m, scheme: string) => `${scheme} ${REDACTED}`);
  out = out.replace(PATTERNS[1], (_m, name: string) => `${name}${REDACTED}`);
  return out;
}

/** A bounded, single-line, scrubbed excerpt of a response body for dead letters and logs. */
export function excerpt(text: string, secrets: readonly string[] = [], max = EXCERPT_MAX): string {
  // Scrub before cutting: a cut could split a secret so that no pattern matches its remaining half.
  const flat = scrubSecrets(text, secrets).replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 3) + '...' : flat;
}
