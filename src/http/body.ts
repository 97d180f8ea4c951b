import { createHash, type Hash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import { ClientException } from '../errors.js';
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

/** A file on disk as a replayable upload body, optionally a byte range of it. */
export function fileSource(
  path: string,
  options: { start?: number; end?: number; size?: number; /** read size, default 1 MiB */ highWaterMark?: number } = {},
): ReplayableSource {
  const start = options.start ?? 0;
  const size = options.size ?? (options.end === undefined ? undefined : options.end - start + 1);
  const readSize = options.highWaterMark ?? 1 << 20;
  const source: ReplayableSource = {
    size,
    open: () =>
      createReadStream(path, {
        start,
        ...(options.end === undefined ? {} : { end: options.end }),
        highWaterMark: readSize,
      }),
  };
  // Reads to `end` or to the end of the file, as the read stream does (a
  // file that is not `size` long fails the Content-Length check); `size`
  // only keeps the buffers of a small file small.
  const stop = options.end === undefined ? Infinity : options.end + 1;
  const bufferSize = Math.min(readSize, size ?? Infinity, stop - start);
  if (bufferSize >= MIN_RECYCLED_READ) {
    Object.defineProperty(source, RECYCLED_READ, { value: () => readRecycled(path, start, stop, bufferSize) });
  }
  return source;
}

/**
 * Internal reading of a fileSource for an upload, through three read buffers
 * used in turn instead of a new one per read: a fresh buffer per read leaves
 * tens of MiB of garbage that V8 only collects in 64 MiB steps of external
 * memory. Safe because the only reader is undici's request writer: a chunk of
 * at least the socket's high-water mark makes `socket.write` return false,
 * and undici asks for the next chunk only after 'drain', when the socket no
 * longer holds the previous ones. (The ETag check would catch a corrupted
 * send anyway.) `open()` stays a plain read stream for anyone else.
 */
const RECYCLED_READ = Symbol('swiftclient.recycledRead');
const MIN_RECYCLED_READ = 256 * 1024;
const RING = 3;

async function* readRecycled(path: string, start: number, stop: number, bufferSize: number): AsyncGenerator<Buffer> {
  const handle = await fsp.open(path, 'r');
  try {
    const ring: Buffer[] = [];
    let position = start;
    for (let turn = 0; ; turn += 1) {
      const want = Math.min(bufferSize, stop - position);
      if (want <= 0) return;
      const buffer = (ring[turn % RING] ??= Buffer.allocUnsafeSlow(bufferSize));
      const { bytesRead } = await handle.read(buffer, 0, want, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

function recycledRead(source: ReplayableSource): (() => AsyncIterable<Buffer>) | undefined {
  return (source as { [RECYCLED_READ]?: () => AsyncIterable<Buffer> })[RECYCLED_READ];
}

/** Size of a file, for `fileSource` callers that want Content-Length. */
export async function fileSize(path: string): Promise<number> {
  return (await fsp.stat(path)).size;
}

function isReplayableSource(value: unknown): value is ReplayableSource {
  return typeof value === 'object' && value !== null && typeof (value as ReplayableSource).open === 'function';
}

function toBuffer(chunk: Chunk): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
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
  private hash: Hash | undefined;
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
      return new PreparedBody(async () => Buffer.alloc(0), 0, true, 0);
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
    if (isReplayableSource(contents) && !(contents instanceof Readable)) {
      const source = contents;
      return new PreparedBody(
        async () => {
          const recycled = recycledRead(source);
          if (recycled) return recycled();
          const opened = await source.open();
          return typeof opened === 'string' || opened instanceof Uint8Array ? toBuffer(opened) : opened;
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
    if (Buffer.isBuffer(source) && this.onSent) source = slices(source, PROGRESS_STEP);
    if (Buffer.isBuffer(source)) {
      this.sent = source.length;
      if (this.hashing) this.digestHex = createHash('md5').update(source).digest('hex');
      return source;
    }
    this.hash = this.hashing ? createHash('md5') : undefined;
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
  if (value instanceof ReadableStream) return Readable.fromWeb(value as ReadableStream<Uint8Array>);
  if (isAsyncIterable(value) || isIterable(value)) return value;
  throw new ClientException(`Unsupported contents type for an upload: ${Object.prototype.toString.call(value)}`);
}
