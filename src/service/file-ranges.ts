// Byte ranges of a file on disk for segmented uploads (Node, Deno, Bun only).
import { createReadStream } from 'node:fs';
import { md5 } from '../http/integrity.js';
import type { Md5Hasher } from '../platform/index.js';
import type { RangedSource } from './ranged-source.js';

/** Read-ahead per segment worker: 256 KiB keeps peak RSS ~20 MiB lower than fileSource's 1 MiB at 10 threads, at the same speed. */
const READ_CHUNK = 256 * 1024;

/** A file's byte ranges: fileSource's ranges with a smaller read-ahead, and their MD5s. */
export function fileRanges(path: string): RangedSource {
  return {
    range: (start, length) => ({ size: length, open: () => createReadStream(path, { start, end: start + length - 1, highWaterMark: READ_CHUNK }) }),
    md5: (start, length, signal) => rangeMd5(path, start, length, signal),
  };
}

/**
 * Feeds a file's bytes into `hash`: `length` of them from `start`, or all of
 * them from `start` when `length` is undefined; read sequentially, 1 MiB at
 * a time (bounded memory).
 */
export async function hashFile(hash: Md5Hasher, path: string, signal: AbortSignal, start = 0, length?: number): Promise<void> {
  if (length === 0) return;
  const end = length === undefined ? {} : { end: start + length - 1 };
  for await (const chunk of createReadStream(path, { start, ...end, highWaterMark: 1 << 20, signal })) hash.update(chunk as Buffer);
}

/** MD5 (hex) of a byte range of a file, read sequentially with bounded memory. */
export async function rangeMd5(path: string, start: number, length: number, signal: AbortSignal): Promise<string> {
  const hash = md5();
  await hashFile(hash, path, signal, start, length);
  return hash.digest('hex');
}
