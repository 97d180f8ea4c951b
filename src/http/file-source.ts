// A file on disk as an upload body: Node, Deno and Bun only (the browser
// entry does not export it; a page uploads a Blob/File).
import { createReadStream, promises as fsp } from 'node:fs';
import { RECYCLED_READ, type ReplayableSource } from './body.js';

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

/** Size of a file, for `fileSource` callers that want Content-Length. */
export async function fileSize(path: string): Promise<number> {
  return (await fsp.stat(path)).size;
}

