// Bounded concurrency for the consume loop: acquire() waits while `size` handlers are running.
//   const s = new Semaphore(64); await s.acquire(); try { ... } finally { s.release() }

export class Semaphore {
  private running = 0;
  private waiters: (() => void)[] = [];
  constructor(private readonly size: number) {}

  get inFlight(): number {
    return this.running;
  }

  get free(): number {
    return this.size - this.running;
  }

  acquire(): Promise<void> {
    if (this.running < this.size) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(() => { this.running++; resolve(); }));
  }

  release(): void {
    this.running--;
    const next = this.waiters.shift();
    if (next) next();
    else if (this.running === 0) for (const idle of this.idlers.splice(0)) idle();
  }

  private idlers: (() => void)[] = [];
  /** Resolves when nothing is running (used to drain on shutdown). */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idlers.push(resolve));
  }
}
