// Coalesces concurrent deliveries into batches while each caller keeps its own outcome: a caller hands over
// one item and awaits the result for that item. A batch is flushed when it holds size() items, or lingerMs()
// after its first item arrived (0: at the end of the current event-loop turn, so only items that arrived
// together share a request). With size() 1 every item is flushed alone at once, without a timer.
// `flush` returns one result per item, in order; if it throws, every caller of that batch gets the error.
//   const b = new Batcher({ size: () => 50, lingerMs: () => 5, flush: async (items) => items.map(() => 'ok') })
//   const result = await b.submit(item)

export interface BatcherOptions<T, R> {
  /** Items per batch (read at every item: a live change applies to the batch being filled). */
  size(): number;
  /** Wait after a batch's first item before it is flushed short of size (read when a batch starts). */
  lingerMs(): number;
  flush(items: T[]): Promise<R[]>;
}

interface Waiter<T, R> {
  item: T;
  resolve(r: R): void;
  reject(err: unknown): void;
}

export class Batcher<T, R> {
  private pending: Waiter<T, R>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  constructor(private readonly opts: BatcherOptions<T, R>) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= Math.max(1, this.opts.size())) this.flush();
      else if (this.pending.length === 1) {
        const ms = this.opts.lingerMs();
        if (ms > 0) this.timer = setTimeout(() => this.flush(), ms);
        else this.immediate = setImmediate(() => this.flush());
      }
    });
  }

  /** Sends what is waiting now (the linger timer's job; also for shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const settle = (results: R[]) => {
      for (let i = 0; i < batch.length; i++) batch[i].resolve(results[i]);
    };
    const fail = (err: unknown) => {
      for (const w of batch) w.reject(err);
    };
    let flushed: Promise<R[]>;
    try {
      flushed = this.opts.flush(batch.map((w) => w.item));
    } catch (err) {
      fail(err);
      return;
    }
    flushed.then((results) => {
      if (results.length === batch.length) settle(results);
      else fail(new Error(`batch flush returned ${results.length} results for ${batch.length} items`));
    }, fail);
  }
}
