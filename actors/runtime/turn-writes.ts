// Gathers the NATS writes (publishes, acks) a process makes during one turn of the event loop and makes them
// together in a setImmediate callback. nats.js flushes its outbound buffer to the socket once per microtask
// checkpoint, and every handler continuation is its own checkpoint: left alone, a batch of 64 handled messages
// costs 64 acks + 128 publishes in as many socket writes (and as many reads on the server). Together they
// leave in one write. The delay is the rest of the current turn, well under a millisecond.
//   afterThisTurn(() => msg.ack(), (err) => { metrics.ackFailed.inc(); log.warn(...) })

type Write = () => void;
type OnError = (err: unknown) => void;

let queue: (Write | [Write, OnError])[] = [];
let scheduled = false;

function runQueued(): void {
  scheduled = false;
  const batch = queue;
  queue = [];
  for (const item of batch) {
    const write = typeof item === 'function' ? item : item[0];
    try {
      write();
    } catch (err) {
      // A write that cannot go out throws (its caller checks the connection). The caller decides what that
      // means (an ack not written is counted and logged: the server redelivers the message after ack_wait);
      // a failing report must not stop the other writes of the turn.
      if (typeof item !== 'function') {
        try {
          item[1](err);
        } catch {
          /* the report itself failed: nothing more to do */
        }
      }
    }
  }
}

/**
 * Runs `write` with every other write queued in this turn; a write that throws affects only itself and is
 * reported to `onError` (a write that handles its own failure, like the publisher's, passes none).
 */
export function afterThisTurn(write: Write, onError?: OnError): void {
  queue.push(onError ? [write, onError] : write);
  if (!scheduled) {
    scheduled = true;
    setImmediate(runQueued);
  }
}

/** Resolves once everything queued so far has been written to the client's buffer (for orderly shutdown). */
export function writesQueuedSoFar(): Promise<void> {
  return new Promise((resolve) => (scheduled ? afterThisTurn(resolve) : resolve()));
}
