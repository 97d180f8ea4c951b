// A response read through undici's dispatch handler API rather than its
// request() Readable: the body's network chunks are queued as undici parses
// them (never copied), a waiting reader is woken once per batch rather than
// per chunk, and a reader takes what is queued without a promise. Measured
// on a 256 MiB GET: the Readable's per-chunk machinery (stream state, timers,
// async iterator promises) was most of the body path's JavaScript cost.
import type { Dispatcher } from 'undici';
import type { ResponseBody } from './transport.js';

/** Bytes queued before undici is paused (bounded memory: the socket stops being read). */
const HIGH_WATER = 256 * 1024;
/**
 * Resumed only once the reader has taken this much back: pausing and
 * resuming a socket costs system calls, so it must not happen per chunk
 * (measured: toggling at the high-water mark spent 10 s of system time on
 * 256 MiB).
 */
const LOW_WATER = 64 * 1024;
/** undici's dump() default: a longer unwanted body closes the connection rather than being read. */
const DUMP_LIMIT = 128 * 1024;

/** Status, headers and streamed body of a dispatched request. */
export interface DispatchedResponse {
  statusCode: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
  body: DispatchBody;
}

/** The error of a body closed by its reader (as undici's RequestAbortedError). */
function aborted(): Error {
  const err = new Error('Request aborted');
  err.name = 'AbortError';
  (err as Error & { code: string }).code = 'UND_ERR_ABORTED';
  return err;
}

/**
 * A response body fed by undici's handler: an async iterable of Buffers,
 * plus {@link DispatchBody.take} for readers that want what is queued now.
 */
export class DispatchBody implements ResponseBody {
  private queue: Array<Buffer | undefined> = [];
  private head = 0;
  private queued = 0;
  private done = false;
  private error: Error | undefined;
  private waiter: (() => void) | undefined;
  /** Told once the body ended, failed or was destroyed (removes the abort listener). */
  onClose: (() => void) | undefined;

  constructor(private readonly controller: Dispatcher.DispatchController) {}

  /** @internal A network chunk from undici. */
  push(chunk: Buffer): void {
    if (this.done || this.error) return;
    this.queue.push(chunk);
    this.queued += chunk.length;
    if (this.queued >= HIGH_WATER) this.controller.pause();
    this.wake();
  }

  /** @internal The body ended. */
  end(): void {
    this.done = true;
    this.close();
  }

  /** @internal The request failed (network, timeout, abort). */
  fail(err: Error): void {
    if (this.done || this.error) return;
    this.error = err;
    this.close();
  }

  private close(): void {
    this.wake();
    const onClose = this.onClose;
    this.onClose = undefined;
    onClose?.();
  }

  private wake(): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter();
    }
  }

  /**
   * The next chunk already received, without waiting: a Buffer, `null` at
   * the end, `undefined` when none is there yet (await {@link ready}).
   * Throws the request's error once the chunks before it are taken.
   */
  take(): Buffer | null | undefined {
    if (this.head < this.queue.length) {
      const chunk = this.queue[this.head] as Buffer;
      this.queue[this.head++] = undefined;
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      }
      this.queued -= chunk.length;
      // undici's Readable resumes from read() the same way (synchronously).
      if (this.queued <= LOW_WATER && this.controller.paused && !this.done && !this.error) this.controller.resume();
      return chunk;
    }
    if (this.error) throw this.error;
    return this.done ? null : undefined;
  }

  /** Resolves once a chunk, the end or an error is there to take. */
  ready(): Promise<void> {
    if (this.head < this.queue.length || this.done || this.error) return Promise.resolve();
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Leaving early (`return()`: break, an error) aborts the request, as undici's Readable does. */
  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return {
      next: async (): Promise<IteratorResult<Buffer>> => {
        for (;;) {
          const chunk = this.take();
          if (chunk === null) return { done: true, value: undefined };
          if (chunk !== undefined) return { done: false, value: chunk };
          await this.ready();
        }
      },
      return: async (): Promise<IteratorResult<Buffer>> => {
        this.destroy();
        return { done: true, value: undefined };
      },
    };
  }

  /** The whole body as UTF-8 text. */
  async text(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of this) chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
  }

  /**
   * Reads and drops up to `limit` bytes (default 128 KiB) so the connection
   * can be reused; a longer body is cut off (the connection closed). As
   * undici's dump, a failure of the body is no error here.
   */
  async dump(options?: { limit?: number }): Promise<unknown> {
    const limit = options?.limit ?? DUMP_LIMIT;
    let seen = 0;
    for (;;) {
      let chunk: Buffer | null | undefined;
      try {
        chunk = this.take();
      } catch {
        return null;
      }
      if (chunk === null) return null;
      if (chunk === undefined) {
        await this.ready();
        continue;
      }
      seen += chunk.length;
      if (seen > limit) {
        this.destroy();
        return null;
      }
    }
  }

  /** Ends the body with `err` (default an AbortError): the request is aborted, a waiting read rejects with it. */
  destroy(err?: Error): void {
    if (this.done || this.error) return;
    const reason = err ?? aborted();
    this.queue = [];
    this.head = 0;
    this.queued = 0;
    this.fail(reason);
    this.controller.abort(reason);
  }
}

/**
 * Sends one request through `dispatcher.dispatch()`; resolves with the
 * status and headers once they arrive, the body streaming after. `signal`
 * aborts the request, or the body once it streams (as undici's request()).
 */
export function dispatchRequest(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, signal?: AbortSignal): Promise<DispatchedResponse> {
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let body: DispatchBody | undefined;
    let reason: Error | undefined;
    let settled = false;
    const onAbort = (): void => {
      reason = (signal?.reason as Error | undefined) ?? aborted();
      if (body) body.destroy(reason);
      else controller?.abort(reason);
    };
    const unlisten = (): void => signal?.removeEventListener('abort', onAbort);
    if (signal?.aborted) reason = (signal.reason as Error | undefined) ?? aborted();
    else signal?.addEventListener('abort', onAbort);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(ctl) {
        controller = ctl;
        if (reason) ctl.abort(reason);
      },
      onResponseStart(ctl, statusCode, headers, statusMessage) {
        if (statusCode < 200) return; // 1xx: the real answer follows
        body = new DispatchBody(ctl);
        body.onClose = unlisten;
        settled = true;
        resolve({ statusCode, statusText: statusMessage ?? '', headers: headers as DispatchedResponse['headers'], body });
      },
      onResponseData(_ctl, chunk) {
        body?.push(chunk);
      },
      onResponseEnd() {
        if (body) return body.end();
        unlisten();
        if (!settled) {
          settled = true;
          reject(new Error('The response ended before its headers'));
        }
      },
      onResponseError(_ctl, err) {
        if (body) body.fail(err);
        else unlisten();
        if (!settled) {
          settled = true;
          reject(err);
        }
      },
    };
    try {
      dispatcher.dispatch(options, handler);
    } catch (err) {
      unlisten();
      reject(err);
    }
  });
}
