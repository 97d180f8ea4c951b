import { abortReason } from './errors.js';

/**
 * Lifts Node's listener limit (a warning past 10) on a call's signal, which
 * every request in flight listens to. Set by the Node entry
 * (service/index.ts) from node:events; a browser's EventTarget has no limit.
 */
let unlimitListeners: ((signal: AbortSignal) => void) | undefined;

/** @internal Sets how a call's signal is freed from the platform's listener limit. */
export function setListenerUnlimiter(unlimit: (signal: AbortSignal) => void): void {
  unlimitListeners = unlimit;
}

/**
 * The engine behind every service call: tasks run in the background and
 * push results into one queue that the caller drains as an async iterable.
 *
 * - `signal` is aborted when the caller's signal aborts or when the caller
 *   stops iterating; tasks pass it to every request and start nothing new
 *   once it is aborted.
 * - The iterator only ends (or rejects) after every task has settled, so
 *   nothing keeps running, or writing files, behind the caller's back.
 * - A task that throws (a bug or a fatal listing error) aborts the rest and
 *   makes the iterator reject with that error.
 */
export class Runner<R> {
  readonly signal: AbortSignal;
  /** Set by failFast after a failure: tasks not yet started report themselves cancelled. */
  cancelled = false;
  private readonly controller = new AbortController();
  private readonly queue: R[] = [];
  private head = 0;
  private pending = 0;
  private waiters: Array<() => void> = [];
  private failure: { error: unknown } | undefined;
  private readonly detach: () => void;

  constructor(external: AbortSignal | undefined, private readonly failFast = false) {
    this.signal = this.controller.signal;
    // Every request in flight listens to it: dozens with the default pool sizes.
    unlimitListeners?.(this.signal);
    const onAbort = (): void => this.controller.abort(external ? abortReason(external) : undefined);
    if (external?.aborted) onAbort();
    else external?.addEventListener('abort', onAbort, { once: true });
    this.detach = () => external?.removeEventListener('abort', onAbort);
    this.signal.addEventListener('abort', () => this.notify(), { once: true });
  }

  /** Results waiting for the consumer. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /**
   * Queues a result for the consumer. A failure stops the rest under failFast,
   * except a failed container create: python goes on (the user may be allowed
   * to write into the container but not to create it).
   */
  emit(result: R): void {
    const { success, action } = result as { success?: boolean; action?: string };
    if (this.failFast && success === false && action !== 'create_container') this.cancelled = true;
    this.queue.push(result);
    this.notify();
  }

  /**
   * Records a fatal error without stopping the work in flight: the iterator
   * yields what the running tasks report, then rejects with this error.
   */
  fail(error: unknown): void {
    if (!this.failure) this.failure = { error };
    this.notify();
  }

  /** Runs a task in the background; the iterator waits for it. */
  spawn(task: () => Promise<unknown>): void {
    this.pending += 1;
    let promise: Promise<unknown>;
    try {
      promise = task();
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise
      .catch((err: unknown) => {
        if (!this.signal.aborted) {
          this.failure ??= { error: err };
          this.controller.abort(err);
        }
      })
      .finally(() => {
        this.pending -= 1;
        this.notify();
      });
  }

  /** Resolves once `ready()` holds (re-checked on every change), or the call is aborted. */
  async waitFor(ready: () => boolean): Promise<void> {
    while (!ready() && !this.signal.aborted) await this.changed();
  }

  /** Yields results until every task has settled. */
  async *drain(): AsyncGenerator<R, void, undefined> {
    try {
      for (;;) {
        if (this.signal.aborted) break;
        if (this.head < this.queue.length) {
          const result = this.queue[this.head] as R;
          this.queue[this.head] = undefined as R;
          this.head += 1;
          if (this.head > 1024 && this.head * 2 > this.queue.length) {
            this.queue.splice(0, this.head);
            this.head = 0;
          }
          this.notify();
          yield result;
          continue;
        }
        if (this.pending === 0) {
          if (this.failure) throw this.failure.error;
          return;
        }
        await this.changed();
      }
      await this.settled();
      throw this.failure ? this.failure.error : abortReason(this.signal);
    } finally {
      // The caller stopped early (break, return, throw): stop the work too.
      if (!this.signal.aborted && this.pending > 0) {
        this.controller.abort(new DOMException('The results iterator was closed', 'AbortError'));
      }
      await this.settled();
      this.detach();
    }
  }

  private async settled(): Promise<void> {
    while (this.pending > 0) await this.changed();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
