/**
 * A web ReadableStream over an async iterable of Buffers: the next chunk is
 * pulled only when the stream's reader wants it, so nothing is buffered
 * beyond one chunk; cancelling the stream closes the source.
 */
export function toWebStream(source: AsyncIterable<Buffer> & { close(): void }): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<Buffer> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      iterator ??= source[Symbol.asyncIterator]();
      const step = await iterator.next();
      if (step.done) controller.close();
      else controller.enqueue(step.value);
    },
    async cancel() {
      if (iterator) await iterator.return?.();
      source.close();
    },
  });
}

/** True for a `Blob` (a browser's `File` too), where the platform has one. */
export function isBlob(value: unknown): value is Blob {
  return typeof Blob === 'function' && value instanceof Blob;
}

/** Bytes of a Blob read at a time: bounds memory per read, and steps upload progress. */
const BLOB_STEP = 256 * 1024;

/**
 * A Blob's bytes (optionally `start` to `end - 1`) as an async iterable of
 * chunks of at most 256 KiB, each read when asked for: the same bytes every
 * time it is called, so a Blob is a replayable body.
 */
export async function* readBlob(blob: Blob, start = 0, end = blob.size): AsyncGenerator<Uint8Array> {
  for (let at = start; at < end; at += BLOB_STEP) {
    yield new Uint8Array(await blob.slice(at, Math.min(at + BLOB_STEP, end)).arrayBuffer());
  }
}
