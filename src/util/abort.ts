// Waiting on shared work without giving up on one caller's AbortSignal.

/** `promise`, or a rejection with the signal's reason as soon as it aborts. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined); // its failure is nobody's to see now
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * One run of a task shared by concurrent callers (a login): it runs on no
 * caller's signal, each caller waits with its own, and it is forgotten once
 * it settles, so the next caller starts a fresh one.
 */
export class SharedRun<T> {
  #running: Promise<T> | undefined;

  /** Whether a run is in flight. */
  get pending(): boolean {
    return this.#running !== undefined;
  }

  run(start: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.#running) {
      // start() runs a microtask later: even a synchronous throw settles a promise already stored
      const running = Promise.resolve().then(start);
      this.#running = running;
      const forget = (): void => {
        if (this.#running === running) this.#running = undefined;
      };
      running.then(forget, forget);
    }
    return untilAborted(this.#running, signal);
  }
}
