// Sends a batch and gives each of its items the outcome that applies to it. A 2xx delivers every item and a
// retryable failure (5xx, 429, timeout, transport) retries every item: both are one request's answer about
// all of it. A permanent rejection (4xx) of several items does not say which of them was refused, so the
// batch is split in halves and each half is sent again, until every rejected item stands alone: those get
// the rejection, the rest whatever their last request got. The halves of one round are sent together, so a
// batch of n costs at most ⌈log2 n⌉ extra rounds; one bad item among n costs 1 + 2·⌈log2 n⌉ requests, and a
// rejection of everything (a wrong key: 401) 2n − 1.
//   const outcomes = await deliverSplitting(items, (part) => sendOnce(part))   // one Classification per item

import type { Classification } from './classify.ts';

export async function deliverSplitting<T>(
  items: readonly T[],
  send: (part: readonly T[]) => Promise<Classification>,
): Promise<Classification[]> {
  if (items.length === 0) return [];
  const c = await send(items);
  if (c.kind !== 'permanent' || items.length === 1) return items.map(() => c);
  const mid = Math.ceil(items.length / 2);
  const [left, right] = await Promise.all([deliverSplitting(items.slice(0, mid), send), deliverSplitting(items.slice(mid), send)]);
  return [...left, ...right];
}
