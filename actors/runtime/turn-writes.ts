// Gathers the NATS writes (publishes, acks) a process makes during one turn of the event loop and makes them
// together in a setImmediate callback. nats.js flushes its outbound buffer to the socket once per microtask
// checkpoint, and every handler continuation is its own checkpoint: left alone, a batch of 64 handled messages
// costs 64 acks + 128 publishes in as many socket writes (and as many reads on the server). Together they
// leave in one write. The delay is the rest of the current turn, well under a millisecond.
//   afterThisTurn(() => msg.ack())

let queue: (() => void)[] = [];
let scheduled = false;

function runQueued(): void {
  scheduled = false;
  const batch = queue;
  queue = [];
  for (const write of batch) {
    try {
      write();
    } catch {
      // Each caller handles its own failure inside `write` where it matters (the publisher rejects its
      // promise); an ack that could not be written is redelivered by the server after ack_wait.
    }
  }
}

/** Runs `write` with every other write queued in this turn; a write that throws affects only itself. */
export function afterThisTurn(write: () => void): void {
  queue.push(write);
  if (!scheduled) {
    scheduled = true;
    setImmediate(runQueued);
  }
}

/** Resolves once everything queued so far has been written to the client's buffer (for orderly shutdown). */
export function writesQueuedSoFar(): Promise<void> {
  return new Promise((resolve) => (scheduled ? afterThisTurn(resolve) : resolve()));
}
