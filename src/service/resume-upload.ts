import type { Call } from './context.js';
import { isMissing } from './errors.js';
import { listAll } from './list.js';
import { fileSegmentName } from './naming.js';
import type { RangedSource } from './ranged-source.js';
import type { LargeUpload } from './segments.js';
import type { UploadResult } from './types.js';

/**
 * Resuming a segmented file upload after the process died: the segment names
 * carry the file's mtime and size (python-swiftclient's
 * `<object>/slo/<mtime>/<size>/<segment size>/<index>`), so a re-run of the
 * same upload, by us or by python's `swift upload`, looks for the same names.
 * One listing of that prefix tells which segments are already stored; a
 * stored segment is reused only when its size and MD5 equal the local byte
 * range's, so a file changed in place (same mtime and size) never reuses a
 * stale segment.
 */

/** A segment found in the segment container: its size in bytes and its MD5 (hex). */
export interface ListedSegment {
  bytes: number;
  hash: string;
}

/** The name prefix every segment of this upload shares (the name of segment 0 without its index). */
export function segmentPrefix(up: Pick<LargeUpload, 'obj' | 'mtime' | 'segmentSize' | 'useSlo'>, size: number): string {
  const first = fileSegmentName(up.obj, up.mtime, size, up.segmentSize, 0, up.useSlo);
  return first.slice(0, first.length - '00000000'.length);
}

/**
 * The segments already stored under this upload's prefix, by name, from one
 * listing (not a HEAD per segment). Empty when the segment container does not
 * exist yet.
 */
export async function storedSegments(call: Call<UploadResult>, up: LargeUpload, size: number): Promise<Map<string, ListedSegment>> {
  const found = new Map<string, ListedSegment>();
  let entries;
  try {
    entries = await listAll(call.conn, up.segmentContainer, segmentPrefix(up, size), call.signal);
  } catch (err) {
    if (isMissing(err)) return found;
    throw err;
  }
  for (const entry of entries) {
    if (entry.name !== undefined && entry.hash !== undefined && entry.bytes !== undefined) {
      found.set(entry.name, { bytes: entry.bytes, hash: entry.hash });
    }
  }
  return found;
}

/** Whether a stored segment holds exactly bytes `start` to `start + length - 1` of the source: size, then MD5. */
export async function holdsRange(stored: ListedSegment | undefined, source: RangedSource, start: number, length: number, signal: AbortSignal): Promise<boolean> {
  if (stored === undefined || stored.bytes !== length) return false;
  return (await source.md5(start, length, signal)) === stored.hash.toLowerCase();
}
