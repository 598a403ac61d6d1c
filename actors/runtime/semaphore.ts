// Bounded concurrency for the consume loop: acquire() waits while `size` handlers are running. The size may be
// a function, read at every acquire and release, so a limit that comes from live config (the forwarder's
// moog_concurrency) follows it without a restart: a larger size is handed out at the next release (or
// resize()), a smaller one lets the handlers already running finish and admits no new one until below it.
//   const s = new Semaphore(64); await s.acquire(); try { ... } finally { s.release() }
//   const live = new Semaphore(() => cfg.get().moog_concurrency)

export class Semaphore {
  private running = 0;
  private waiters: (() => void)[] = [];
  private idlers: (() => void)[] = [];
  private readonly sizeOf: () => number;

  constructor(size: number | (() => number)) {
    this.sizeOf = typeof size === 'function' ? size : () => size;
  }

  /** The limit in effect now (at least 1: a limit of 0 would stop the loop for good). */
  get size(): number {
    return Math.max(1, this.sizeOf());
  }

  get inFlight(): number {
    return this.running;
  }

  get free(): number {
    return Math.max(0, this.size - this.running);
  }

  acquire(): Promise<void> {
    if (this.running < this.size && this.waiters.length === 0) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiters.push(() => {
        this.running++;
        resolve();
      }),
    );
  }

  release(): void {
    this.running--;
    this.admit();
    if (this.running === 0) for (const idle of this.idlers.splice(0)) idle();
  }

  /** Hands slots a grown size made free to waiters now, rather than at the next release. */
  resize(): void {
    this.admit();
  }

  private admit(): void {
    while (this.waiters.length > 0 && this.running < this.size) this.waiters.shift()!();
  }

  /** Resolves when nothing is running (used to drain on shutdown). */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idlers.push(resolve));
  }
}
