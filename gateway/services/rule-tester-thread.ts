// Runs rule tests — a proposal's validation and safety analysis, then the diagnosis (rule-tester-worker.ts) —
// off the event loop, in one worker thread shared by every test of the process: a slow proposed regex then
// delays other tests, never /healthz, ingest or the alerter.
// Tests run one at a time, at most `maxQueued` wait (more: 429); each has a wall-time limit after which the
// worker is terminated (which stops even a regex in the middle of a test) and a fresh one serves the next test.
// The worker starts at the first test and stops after `idleMs` without one, so a process that never tests rules
// pays nothing for it. Its heap is capped apart from the process's.
//   const thread = new RuleTesterThread(); const a = await thread.run({ current, event, budget, limits }); thread.close()

import { Worker } from 'node:worker_threads';
import { RULE_TEST_LIMITS, RuleTestLimitError } from './rule-test-limits.ts';
import type { TesterAnswer, TesterJob } from './rule-tester-worker.ts';

/** A finished test: the worker's answer (a validation failure is an answer too). */
export type TesterResult = Exclude<TesterAnswer, { error: string }>;

export interface ThreadOptions {
  timeoutMs?: number;
  maxQueued?: number;
  heapMb?: number;
  /** Stop the worker after this long without a test. Default 60 s. */
  idleMs?: number;
  /** Time the worker may take to start (load its code), ms. Default 60 s. */
  startMs?: number;
}

interface Pending {
  job: TesterJob;
  resolve(a: TesterResult): void;
  reject(err: Error): void;
}

const ENTRY = new URL('./rule-tester-worker-entry.js', import.meta.url);

export class RuleTesterThread {
  private worker: Worker | null = null;
  private ready: Promise<Worker> | null = null;
  private running: Pending | null = null;
  private readonly waiting: Pending[] = [];
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly timeoutMs: number;
  private readonly maxQueued: number;
  private readonly heapMb: number;
  private readonly idleMs: number;
  private readonly startMs: number;

  constructor(opts: ThreadOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? RULE_TEST_LIMITS.timeoutMs;
    this.maxQueued = opts.maxQueued ?? RULE_TEST_LIMITS.maxQueued;
    this.heapMb = opts.heapMb ?? RULE_TEST_LIMITS.workerHeapMb;
    this.idleMs = opts.idleMs ?? 60_000;
    this.startMs = opts.startMs ?? 60_000;
  }

  /** Tests running or waiting. */
  get load(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  run(job: Omit<TesterJob, 'id'>): Promise<TesterResult> {
    if (this.closed) return Promise.reject(new RuleTestLimitError('worker', 503, 'the rule tester is shutting down'));
    if (this.running && this.waiting.length >= this.maxQueued) {
      return Promise.reject(
        new RuleTestLimitError(
          'busy',
          429,
          `the rule tester is busy: ${this.waiting.length} tests are waiting (at most ${this.maxQueued}); retry shortly`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ job: { ...job, id: this.nextId++ }, resolve, reject });
      this.pump();
    });
  }

  close(): void {
    this.closed = true;
    for (const p of this.waiting.splice(0)) p.reject(new RuleTestLimitError('worker', 503, 'the rule tester is shutting down'));
    this.running?.reject(new RuleTestLimitError('worker', 503, 'the rule tester is shutting down'));
    this.running = null;
    this.stopWorker();
  }

  private pump(): void {
    if (this.running || this.waiting.length === 0 || this.closed) return;
    const p = this.waiting.shift()!;
    this.running = p;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    void this.start().then(
      (worker) => this.send(worker, p),
      (err: Error) => this.finish(p, err),
    );
  }

  private send(worker: Worker, p: Pending): void {
    if (this.running !== p) return;
    worker.ref();
    const timer = setTimeout(() => {
      this.stopWorker();
      this.finish(
        p,
        new RuleTestLimitError(
          'timeout',
          422,
          `the rule test did not finish within ${this.timeoutMs} ms (the rule tester's time limit); test fewer rules or simpler patterns`,
        ),
      );
    }, this.timeoutMs);
    const onMessage = (m: TesterAnswer | { ready: true }) => {
      if (!('id' in m) || m.id !== p.job.id) return;
      clearTimeout(timer);
      worker.off('message', onMessage);
      if ('error' in m) this.finish(p, new Error(`rule tester worker: ${m.error}`));
      else this.finish(p, null, m);
    };
    worker.on('message', onMessage);
    this.onGone = (err: Error) => {
      clearTimeout(timer);
      this.finish(p, err);
    };
    worker.postMessage(p.job);
  }

  /** Fails the test in the worker when the worker dies under it. */
  private onGone: ((err: Error) => void) | null = null;

  private finish(p: Pending, err: Error | null, d?: TesterResult): void {
    if (this.running !== p) return;
    this.onGone = null;
    this.running = null;
    if (err) p.reject(err);
    else p.resolve(d!);
    this.worker?.unref();
    if (this.waiting.length > 0) this.pump();
    else if (this.worker && !this.closed) {
      this.idleTimer = setTimeout(() => this.stopWorker(), this.idleMs);
      this.idleTimer.unref();
    }
  }

  private start(): Promise<Worker> {
    if (this.ready) return this.ready;
    const worker = new Worker(ENTRY, {
      // The process's own flags (its heap cap, --import tsx) are not for the worker: its heap has a cap of its
      // own, and the entry registers tsx itself.
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: 16 },
    });
    this.worker = worker;
    let failed: ((err: Error) => void) | null = null;
    const gone = (err: Error) => {
      failed?.(err);
      if (this.worker !== worker) return;
      this.worker = null;
      this.ready = null;
      this.onGone?.(err);
    };
    worker.on('error', (err: Error & { code?: string }) => {
      gone(
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new RuleTestLimitError(
              'memory',
              422,
              `the rule test needed more than the rule tester's ${this.heapMb} MB of memory; test fewer rules`,
            )
          : new RuleTestLimitError('worker', 503, `the rule tester failed: ${err.message}`),
      );
    });
    worker.on('exit', (code) => gone(new RuleTestLimitError('worker', 503, `the rule tester stopped (exit ${code}); retry`)));
    this.ready = new Promise<Worker>((resolve, reject) => {
      failed = (err) => {
        clearTimeout(timer);
        failed = null;
        reject(err);
      };
      const timer = setTimeout(() => {
        this.stopWorker();
        reject(new RuleTestLimitError('worker', 503, `the rule tester did not start within ${this.startMs} ms; retry`));
      }, this.startMs);
      const onReady = (m: unknown) => {
        if ((m as { ready?: boolean })?.ready !== true) return;
        clearTimeout(timer);
        failed = null;
        worker.off('message', onReady);
        resolve(worker);
      };
      worker.on('message', onReady);
    });
    this.ready.catch(() => undefined);
    return this.ready;
  }

  private stopWorker(): void {
    const w = this.worker;
    this.worker = null;
    this.ready = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (w) void w.terminate();
  }
}
