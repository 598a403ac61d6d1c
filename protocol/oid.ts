// OIDs in one form: dotted decimal with a leading dot ('.1.3.6.1.4.1.9'), so '1.3.6.1…' from test data and
// '.1.3.6.1…' from rules compare equal. Prefix matching is by whole components: '.1.3.6.1.2' is a prefix of
// '.1.3.6.1.2.1' but not of '.1.3.6.1.25'.

const DOTTED = /^\.?\d+(\.\d+)*$/;

/** '.1.3.6…' or null when the text is not a dotted-decimal OID. */
export function normaliseOid(input: unknown): string | null {
  if (typeof input !== 'string') return null;
  const text = input.trim().replace(/^iso\./i, '1.');
  if (!DOTTED.test(text)) return null;
  return text.startsWith('.') ? text : '.' + text;
}

/** True when `prefix` is a whole-component prefix of `oid` (both already normalised). */
export function oidHasPrefix(oid: string, prefix: string): boolean {
  if (!oid.startsWith(prefix)) return false;
  return oid.length === prefix.length || oid.charCodeAt(prefix.length) === 0x2e;
}
