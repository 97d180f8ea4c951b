import type { Readable } from '../platform/node-types.js';
import { ClientException } from '../errors.js';
import type { Md5Hasher } from '../platform/index.js';
import { asBuffer, emptyBytes, isBytes, utf8Bytes } from '../util/bytes.js';
import { md5, md5Hex } from './integrity.js';
import { isBlob, readBlob } from './web-stream.js';

/** One chunk of an upload. */
export type Chunk = string | Uint8Array;

/**
 * A body that can be produced again for every retry: a file on disk, or
 * anything with an `open()` that yields the same bytes each time.
 */
export interface ReplayableSource {
  /** Size in bytes, when known (sent as Content-Length). */
  readonly size?: number | undefined;
  /** Produces the bytes from the start, for the first try and each retry. */
  open(): Chunk | AsyncIterable<Chunk> | Iterable<Chunk> | Promise<Chunk | AsyncIterable<Chunk> | Iterable<Chunk>>;
}

/**
 * Everything `putObject` accepts as contents. A `Blob` (or a browser's
 * `File`) has a known size and is read again on a retry: it is replayable.
 */
export type BodyInput =
  | string
  | Uint8Array
  | Blob
  | Readable
  | ReadableStream<Uint8Array>
  | AsyncIterable<Chunk>
  | Iterable<Chunk>
  | ReplayableSource
  | (() => Chunk | AsyncIterable<Chunk> | Iterable<Chunk> | Readable | ReadableStream<Uint8Array>)
  | null
  | undefined;

/**
 * Marks a source with a faster internal reader for uploads (fileSource's
 * recycled read buffers, in file-source.ts): `open()` stays the plain reader.
 */
export const RECYCLED_READ = Symbol('swiftclient.recycledRead');

function recycledRead(source: ReplayableSource): (() => AsyncIterable<Uint8Array>) | undefined {
  return (source as { [RECYCLED_READ]?: () => AsyncIterable<Uint8Array> })[RECYCLED_READ];
}

/** A Node stream.Readable (also async iterable, and an fs.ReadStream has an `open()`): told apart without importing node:stream. */
function isNodeReadable(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { pipe?: unknown; on?: unknown; read?: unknown };
  return typeof v.pipe === 'function' && typeof v.on === 'function' && typeof v.read === 'function';
}

function isReplayableSource(value: unknown): value is ReplayableSource {
  return typeof value === 'object' && value !== null && typeof (value as ReplayableSource).open === 'function';
}

function toBuffer(chunk: Chunk): Buffer {
  if (typeof chunk === 'string') return utf8Bytes(chunk);
  if (chunk instanceof Uint8Array) return asBuffer(chunk);
  throw new ClientException(
    `Unsupported chunk in upload contents: ${Object.prototype.toString.call(chunk)} (chunks must be strings, Buffers or Uint8Arrays)`,
  );
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Chunk> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function isIterable(value: unknown): value is Iterable<Chunk> {
  return typeof value === 'object' && value !== null && Symbol.iterator in value;
}

/**
 * An upload body ready for (re)sending: knows its length when it can, whether
 * it can be sent again, whether any byte was already taken from a one-shot
 * source, and the MD5 and byte count of what was last sent.
 */
export class PreparedBody {
  /** Bytes to announce as Content-Length; undefined means chunked. */
  readonly length: number | undefined;
  /** True when every attempt can resend the same bytes. */
  readonly replayable: boolean;
  private consumed = false;
  private hash: Md5Hasher | undefined;
  /** Off with the Connection's `checksum: false`: MD5 is most of an upload's CPU. */
  hashing = true;
  private sent = 0;
  private digestHex: string | undefined;
  /**
   * Set when the caller's contents failed (the source threw, gave a bad
   * chunk, or fewer bytes than announced): a retry cannot mend that, and the
   * caller gets that failure back rather than a network error.
   */
  sourceFailure: { error: unknown } | undefined;
  /** Attempts opened so far: a stale attempt's late failure is not this one's. */
  private openings = 0;
  /** Told this attempt's bytes sent as the transport takes each chunk (upload progress). */
  onSent: ((bytes: number) => void) | undefined;

  private constructor(
    private readonly factory: () => Promise<Buffer | AsyncIterable<Chunk> | Iterable<Chunk>>,
    length: number | undefined,
    replayable: boolean,
    private readonly limit: number | undefined,
  ) {
    this.length = length;
    this.replayable = replayable;
  }

  /** Turns any accepted input into a PreparedBody (no I/O yet). */
  static from(contents: BodyInput, contentLength?: number): PreparedBody {
    if (contentLength !== undefined && (!Number.isSafeInteger(contentLength) || contentLength < 0)) {
      throw new ClientException(`Invalid contentLength ${String(contentLength)}: must be a non-negative integer`);
    }
    if (contents === null || contents === undefined) {
      return new PreparedBody(async () => emptyBytes(), 0, true, 0);
    }
    if (typeof contents === 'string' || contents instanceof Uint8Array) {
      let buffer = toBuffer(contents);
      if (contentLength !== undefined) {
        if (contentLength > buffer.length) {
          throw new ClientException(`contentLength ${contentLength} is larger than the ${buffer.length} bytes of contents`);
        }
        buffer = buffer.subarray(0, contentLength);
      }
      return new PreparedBody(async () => buffer, buffer.length, true, undefined);
    }
    if (isBlob(contents)) {
      const blob = contents;
      if (contentLength !== undefined && contentLength > blob.size) {
        throw new ClientException(`contentLength ${contentLength} is larger than the ${blob.size} bytes of the Blob`);
      }
      const size = contentLength ?? blob.size;
      return new PreparedBody(async () => readBlob(blob, 0, size), size, true, undefined);
    }
    if (Array.isArray(contents)) {
      const chunks = contents as Chunk[];
      const total = chunks.reduce((sum, chunk) => sum + toBuffer(chunk).length, 0);
      if (contentLength !== undefined && contentLength > total) {
        throw new ClientException(`contentLength ${contentLength} is larger than the ${total} bytes of contents`);
      }
      return new PreparedBody(async () => chunks, contentLength ?? total, true, contentLength);
    }
    if (typeof contents === 'function') {
      const make = contents;
      return new PreparedBody(async () => normalizeStream(make()), contentLength, true, contentLength);
    }
    if (isReplayableSource(contents) && !isNodeReadable(contents)) {
      const source = contents;
      return new PreparedBody(
        async () => {
          const recycled = recycledRead(source);
          if (recycled) return recycled();
          const opened = await source.open();
          return typeof opened === 'string' || opened instanceof Uint8Array ? toBuffer(opened) : heldErrors(opened);
        },
        contentLength ?? source.size,
        true,
        contentLength,
      );
    }
    if (isAsyncIterable(contents) || isIterable(contents) || contents instanceof ReadableStream) {
      const stream = normalizeStream(contents);
      return new PreparedBody(async () => stream, contentLength, false, contentLength);
    }
    throw new ClientException(`Unsupported contents type for an upload: ${Object.prototype.toString.call(contents)}`);
  }

  /** True when a one-shot source already gave away bytes: it cannot be resent. */
  get exhausted(): boolean {
    return !this.replayable && this.consumed;
  }

  /** Bytes handed to the transport on the last attempt. */
  get bytesSent(): number {
    return this.sent;
  }

  /** MD5 (hex) of what the last attempt sent, once it was all sent. */
  get md5(): string | undefined {
    return this.digestHex;
  }

  /** Opens the body for one attempt: a Buffer or an async iterable of Buffers. */
  async open(): Promise<Buffer | AsyncIterable<Buffer>> {
    const attempt = ++this.openings;
    this.sent = 0;
    this.digestHex = undefined;
    this.sourceFailure = undefined;
    let source: Buffer | AsyncIterable<Chunk> | Iterable<Chunk>;
    try {
      source = await this.factory();
    } catch (err) {
      throw this.failedSource(attempt, err);
    }
    // Progress needs a Buffer sent in steps, not in one write.
    if (isBytes(source) && this.onSent) source = slices(source, PROGRESS_STEP);
    if (isBytes(source)) {
      this.sent = source.length;
      if (this.hashing) this.digestHex = md5Hex(source);
      return source;
    }
    this.hash = this.hashing ? md5() : undefined;
    return this.iterate(source, attempt);
  }

  /** Records a failure of the caller's contents (unless a later attempt has begun) and returns it. */
  private failedSource(attempt: number, err: unknown): unknown {
    if (attempt === this.openings && !this.sourceFailure) this.sourceFailure = { error: err };
    return err;
  }

  private async *iterate(source: AsyncIterable<Chunk> | Iterable<Chunk>, attempt: number): AsyncIterable<Buffer> {
    const hash = this.hash;
    // Counted per attempt: a failed attempt's engine may still pull a chunk
    // after the next attempt began, and must not count toward that one.
    let sent = 0;
    const current = (): boolean => attempt === this.openings;
    try {
      // for await, as callers expect of their iterables: values of sync
      // iterables are awaited, and leaving early (the limit, a bad chunk, the
      // request failing) closes the source.
      for await (const raw of source as AsyncIterable<Chunk>) {
        this.consumed = true;
        let chunk = toBuffer(raw);
        // Empty chunks would end a chunked transfer early: skip them.
        if (chunk.length === 0) continue;
        if (this.limit !== undefined) {
          const room = this.limit - sent;
          if (room <= 0) break;
          if (chunk.length > room) chunk = chunk.subarray(0, room);
        }
        hash?.update(chunk);
        sent += chunk.length;
        if (current()) this.sent = sent;
        yield chunk;
        // Here once the transport asks for more, i.e. has taken this chunk.
        if (current()) this.onSent?.(sent);
        if (this.limit !== undefined && sent >= this.limit) break;
      }
    } catch (err) {
      // Only the source (or a bad chunk of it) throws here: the consumer stops
      // us with return(), which runs no catch.
      throw this.failedSource(attempt, err);
    }
    if (this.length !== undefined && sent !== this.length) {
      const short = new ClientException(`Upload body gave ${sent} bytes but ${this.length} were announced as Content-Length`);
      throw this.failedSource(attempt, short);
    }
    if (current()) this.digestHex = hash?.digest('hex');
  }
}

/** Step of a Buffer upload with a progress listener. */
const PROGRESS_STEP = 256 * 1024;

function* slices(buffer: Buffer, size: number): Iterable<Buffer> {
  for (let at = 0; at < buffer.length; at += size) yield buffer.subarray(at, at + size);
}

function normalizeStream(value: unknown): AsyncIterable<Chunk> | Iterable<Chunk> {
  if (typeof value === 'string' || value instanceof Uint8Array) return [value];
  if (value instanceof ReadableStream) return readWebStream(value as ReadableStream<Chunk>);
  if (isAsyncIterable(value) || isIterable(value)) return heldErrors(value);
  throw new ClientException(`Unsupported contents type for an upload: ${Object.prototype.toString.call(value)}`);
}

/**
 * A Node Readable that fails before the transport starts reading it (a file
 * that cannot be opened, while the login or the connection is still under
 * way) would emit an 'error' nobody listens to, which ends the process. A
 * listener taken at once keeps the error on the stream, and reading it then
 * throws it, so the call rejects with it instead.
 */
export function heldErrors<T>(value: T): T {
  if (isNodeReadable(value)) (value as { on(event: 'error', listener: () => void): unknown }).on('error', () => undefined);
  return value;
}

/** A web ReadableStream's chunks (its own async iteration is missing in Safari); leaving early cancels it. */
async function* readWebStream(stream: ReadableStream<Chunk>): AsyncGenerator<Chunk> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const step = await reader.read();
      if (step.done) {
        done = true;
        return;
      }
      yield step.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
