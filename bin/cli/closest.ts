// "Did you mean …?" for a mistyped command or flag: the nearest known name by edit distance, when it is near
// enough to be a typo (at most a third of the name's letters changed) rather than a different word.
//   closestName('staus', ['status', 'setup'])   // → 'status'

import { closest, distance } from 'fastest-levenshtein';

export function closestName(typed: string, names: readonly string[]): string | null {
  if (!typed || names.length === 0) return null;
  const best = closest(typed, [...names]);
  return distance(typed, best) <= Math.max(1, Math.floor(best.length / 3)) ? best : null;
}
