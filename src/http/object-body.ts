import { BadAnswerError, NetworkError, urlFields } from '../errors.js';
import type { ResponseHeaders } from './headers.js';
import type { Md5Hasher } from '../platform/index.js';
import { checkDigest, downloadDigest, md5 } from './integrity.js';
import { networkError, nextBodyChunk, type HttpResponse } from './transport.js';
import { rangeStartsAt } from './content-range.js';
import { toWebStream } from './web-stream.js';
import { concatBytes, emptyBytes, webBytes } from '../util/bytes.js';

/**
 * Re-opens the object from a byte offset (Range + If-Match), counting
 * attempts; undefined when the call has no retries left.
 */
export type Resumer = (offset: number) => Promise<HttpResponse | undefined>;

/**
 * A streamed object body: an async iterable of Buffers of at most
 * `chunkSize` bytes, with `read(n)` and `close()`. A connection that drops
 * mid-body is resumed from the last byte received, when a resumer is given.
 */
export class ObjectBody implements AsyncIterable<Buffer> {
  private iterator: AsyncIterator<Buffer>;
  private response: HttpResponse;
  private readonly firstHeaders: ResponseHeaders;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private ended = false;
  private bytesRead = 0;
  private readonly expectedLength: number | undefined;
  private readonly hash: Md5Hasher | undefined;
  /** The MD5 the whole body must have, when it is checked. */
  private readonly digest: string | undefined;
  /** Told the bytes received so far after each network chunk (download progress). */
  onProgress: ((bytes: number) => void) | undefined;

  /** @internal Made by getObject and openObject, never by callers. */
  constructor(
    response: HttpResponse,
    private readonly chunkSize: number,
    private readonly resume: Resumer | undefined,
    private readonly label: string,
    verifyMd5: boolean,
    private readonly signal: AbortSignal | undefined,
    /** The object, named in a checksum error. */
    private readonly where: { container?: string; object?: string } = {},
  ) {
    this.response = response;
    this.firstHeaders = response.headers;
    this.iterator = (response.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const length = Number(response.headers['content-length']);
    this.expectedLength = Number.isFinite(length) ? length : undefined;
    this.digest = verifyMd5 ? downloadDigest(response.headers, response.status) : undefined;
    this.hash = this.digest !== undefined ? md5() : undefined;
  }

  /** Response headers of the first request. */
  get headers(): ResponseHeaders {
    return this.firstHeaders;
  }

  /** Next raw chunk from the network, resuming once per failure; undefined at the end. */
  private async nextChunk(): Promise<Buffer | undefined> {
    for (;;) {
      let failure: unknown;
      try {
        const step = await nextBodyChunk(this.response, this.iterator);
        if (!step.done) {
          if (step.value.length === 0) continue;
          this.bytesRead += step.value.length;
          this.hash?.update(step.value);
          return step.value;
        }
      } catch (err) {
        failure = err;
      }
      this.response.idle?.stop();
      if (this.signal?.aborted) throw this.signal.reason;
      const short = this.expectedLength !== undefined && this.bytesRead < this.expectedLength;
      if (failure === undefined && !short) {
        this.finish();
        return undefined;
      }
      const giveUp = (): never => {
        throw failure !== undefined
          ? networkError('GET', this.response.url, failure, this.signal, this.label)
          : new NetworkError(`${this.label}: connection closed after ${this.bytesRead} of ${this.expectedLength} bytes`, urlFields(this.response.url));
      };
      if (!this.resume || this.expectedLength === undefined) giveUp();
      const rest = await this.reopen(giveUp);
      if (rest && rest.length > 0) {
        this.bytesRead += rest.length;
        this.hash?.update(rest);
        return rest;
      }
    }
  }

  /** Re-opens from the current offset; returns bytes to deliver first, if any. */
  private async reopen(giveUp: () => never): Promise<Buffer | undefined> {
    const offset = this.bytesRead;
    const res = (await (this.resume as Resumer)(offset)) ?? giveUp();
    this.response = res;
    const total = this.expectedLength as number;
    const range = res.headers['content-range'];
    const expectedRange = `bytes ${offset}-${total - 1}/${total}`;
    this.iterator = (res.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    if (range !== undefined && !rangeStartsAt(range, offset, total)) {
      await this.iterator.return?.();
      throw new BadAnswerError(`Expected range "${expectedRange}" while retrying ${this.label} but got "${range}"`, urlFields(res.url));
    }
    if (range !== undefined) return undefined;
    // The server ignored Range and sent it all: skip what we already have.
    let skip = offset;
    for (;;) {
      const step = await this.iterator.next();
      if (step.done) throw new NetworkError(`${this.label}: resumed download ended early`, urlFields(res.url));
      if (step.value.length > skip) return step.value.subarray(skip);
      skip -= step.value.length;
    }
  }

  private finish(): void {
    this.ended = true;
    if (this.hash && this.digest !== undefined && this.expectedLength === this.bytesRead) {
      checkDigest(this.digest, this.hash.digest('hex'), {
        ...this.where,
        url: this.response.url,
        message: (etag, got) => `${this.label}: received data has MD5 ${got} but the ETag is ${etag}`,
      });
    }
  }

  /**
   * Reads exactly `length` bytes unless the object ends first (an empty
   * Buffer at the end); with no length, the rest of the object.
   */
  async read(length?: number): Promise<Buffer> {
    if (length === 0) return emptyBytes();
    const want = length === undefined || length < 0 ? Infinity : length;
    while (this.pendingBytes < want && !this.ended) {
      const chunk = await this.nextChunk();
      if (!chunk) break;
      this.onProgress?.(this.bytesRead);
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
    return this.take(want);
  }

  private take(want: number): Buffer {
    if (this.pendingBytes === 0) return emptyBytes();
    const all = this.pending.length === 1 ? (this.pending[0] as Buffer) : concatBytes(this.pending, this.pendingBytes);
    const out = want >= all.length ? all : all.subarray(0, want);
    const rest = all.subarray(out.length);
    this.pending = rest.length ? [rest] : [];
    this.pendingBytes = rest.length;
    return out;
  }

  /** Yields the body in chunks of at most `respChunkSize` bytes; resumes a dropped connection. */
  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    try {
      for (;;) {
        // Everything not yet handed out stays in `pending`, so read() and
        // iteration can be mixed in any order without losing bytes. Large
        // network chunks are sliced, never copied.
        if (this.pendingBytes === 0) {
          const chunk = this.ended ? undefined : await this.nextChunk();
          if (!chunk) return;
          this.onProgress?.(this.bytesRead);
          this.pending = [chunk];
          this.pendingBytes = chunk.length;
        }
        yield this.take(this.chunkSize);
      }
    } finally {
      if (!this.ended) this.close();
    }
  }

  /** The rest of the body as bytes (buffered: for large objects iterate or use `toWeb()`). */
  async bytes(): Promise<Buffer> {
    return this.read();
  }

  /**
   * The rest of the body as a `Blob` typed with the object's Content-Type
   * (memory: the object's size, held by the platform; in a browser, for
   * `URL.createObjectURL` or a download link). Checked like `bytes()`.
   */
  async blob(): Promise<Blob> {
    const parts: Uint8Array[] = [];
    for await (const chunk of this) parts.push(chunk);
    return new Blob(parts.map(webBytes), { type: this.firstHeaders['content-type'] ?? '' });
  }

  /** The rest of the body decoded as UTF-8 (a byte order mark dropped, as `fetch` does). */
  async text(): Promise<string> {
    return new TextDecoder().decode(await this.read());
  }

  /** The rest of the body parsed as JSON; rejects with a SyntaxError when it is not JSON. */
  async json<T = unknown>(): Promise<T> {
    return JSON.parse(await this.text()) as T;
  }

  /**
   * The rest of the body as a web `ReadableStream`, pulled from the network
   * only as it is read (bounded memory); cancelling it closes the body.
   */
  toWeb(): ReadableStream<Uint8Array> {
    return toWebStream(this);
  }

  /**
   * `await using body = (await conn.openObject(c, o)).body` closes it when
   * the block ends, read or not (same as `close()`; nothing left to do once
   * it was read to the end).
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.ended) this.close();
  }

  /** Stops the download and releases the connection. */
  close(): void {
    this.response.idle?.stop();
    this.ended = true;
    this.pending = [];
    this.pendingBytes = 0;
    void this.iterator.return?.().catch(() => undefined);
  }
}
