// Runs an async step for each item with at most `window` steps in flight: a bulk import's KV writes are
// pipelined (each one a round trip to the server) instead of awaited one at a time, while the number of
// unanswered requests, and so memory, stays bounded. The first failure stops new steps from starting; the ones
// already in flight are waited for, then that failure is thrown.
//   await forEachWindowed(entries, 256, async ([key, value]) => { await kv.put(key, value) })

export async function forEachWindowed<T>(items: Iterable<T>, window: number, step: (item: T) => Promise<void>): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failure = null as { err: unknown } | null;
  for (const item of items) {
    if (failure) break;
    const p: Promise<void> = step(item).then(
      () => void inFlight.delete(p),
      (err: unknown) => {
        inFlight.delete(p);
        failure ??= { err };
      },
    );
    inFlight.add(p);
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure.err;
}
