// "Did you mean …?" for a mistyped command or flag: the nearest known name by edit distance, when it is near
// enough to be a typo (at most a third of the name's letters changed, or two neighbours swapped, which
// Levenshtein counts as two edits: `--wdie`) rather than a different word.
//   closestName('staus', ['status', 'setup'])   // → 'status'

import { closest, distance } from 'fastest-levenshtein';

export function closestName(typed: string, names: readonly string[]): string | null {
  if (!typed || names.length === 0) return null;
  const swapped = names.find((n) => isSwap(typed, n));
  if (swapped) return swapped;
  const best = closest(typed, [...names]);
  return distance(typed, best) <= Math.max(1, Math.floor(best.length / 3)) ? best : null;
}

/** `a` is `b` with two neighbouring letters swapped. */
function isSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const i = [...a].findIndex((c, k) => c !== b[k]);
  return i >= 0 && i < a.length - 1 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}
