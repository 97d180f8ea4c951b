import { parseEtag } from '../http/integrity.js';
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

/**
 * Which segments to HEAD after the listing, because a container listing may
 * lag behind the latest writes (a segment stored just before the kill can be
 * missing from it): those missing from the middle of the listed run (below
 * the highest listed index: with several segment threads, recent ones
 * complete out of order), and from just after it, one at a time while they
 * turn out stored (`tailFrom`). Nothing when nothing is listed (a first run).
 * In the common case (the run listed whole up to the kill) that is one HEAD.
 */
export function segmentsToProbe(count: number, listed: ReadonlySet<number>): { gaps: number[]; tailFrom: number | undefined } {
  const highest = Math.max(-1, ...[...listed].filter((i) => i < count));
  if (highest < 0) return { gaps: [], tailFrom: undefined };
  const gaps: number[] = [];
  for (let i = 0; i < highest; i += 1) if (!listed.has(i)) gaps.push(i);
  return { gaps, tailFrom: highest + 1 < count ? highest + 1 : undefined };
}

/**
 * The segments already stored: one listing, then HEADs for those the
 * listing may have missed (see segmentsToProbe).
 */
export async function storedSegmentsProbed(call: Call<UploadResult>, up: LargeUpload, size: number): Promise<Map<string, ListedSegment>> {
  const found = await storedSegments(call, up, size);
  const count = Math.ceil(size / up.segmentSize);
  const nameOf = (index: number): string => fileSegmentName(up.obj, up.mtime, size, up.segmentSize, index, up.useSlo);
  const listed = new Set<number>();
  for (let i = 0; i < count; i += 1) if (found.has(nameOf(i))) listed.add(i);
  const { gaps, tailFrom } = segmentsToProbe(count, listed);
  const probe = async (index: number): Promise<boolean> => {
    const stored = await headSegment(call, up.segmentContainer, nameOf(index));
    if (stored) found.set(nameOf(index), stored);
    return stored !== undefined;
  };
  await Promise.all(gaps.map((i) => call.segmentLimit(() => probe(i))));
  for (let i = tailFrom; i !== undefined && i < count && (await probe(i)); i += 1);
  return found;
}

/** A segment's size and MD5 from a HEAD; undefined when it is not there. */
export async function headSegment(call: Call<UploadResult>, container: string, name: string): Promise<ListedSegment | undefined> {
  try {
    const h = await call.conn.headObject(container, name, { signal: call.signal });
    return { bytes: Number(h['content-length']), hash: parseEtag(h.etag) };
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/** Whether a stored segment holds exactly bytes `start` to `start + length - 1` of the source: size, then MD5. */
export async function holdsRange(stored: ListedSegment | undefined, source: RangedSource, start: number, length: number, signal: AbortSignal): Promise<boolean> {
  if (stored === undefined || stored.bytes !== length) return false;
  return (await source.md5(start, length, signal)) === stored.hash.toLowerCase();
}
