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
