// Polling wait for conditions that become true asynchronously (no fixed sleeps in tests).
//   await waitFor(() => seen.length === 3, 5000, 'three deliveries')

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
