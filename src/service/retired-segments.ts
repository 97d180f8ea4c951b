import type { Call } from './context.js';

/**
 * An overwrite's note of the old segments it orphans. Replacing a large
 * object writes the new object first and deletes the old segments after
 * (python's order: the object is never broken). A process killed in between
 * leaves the old segments unreferenced, and a re-run cannot see them: the
 * object already points at the new ones. So before the object is replaced,
 * the list of segments to delete is stored as a small object in the segment
 * container, `.swiftclient-retired/<container>/<object>`; it is deleted once
 * they are. The next upload that replaces the same large object reads it
 * and deletes what it lists along with its own old segments. (Without a
 * re-run, `cleanup` finds both the segments and the note as orphans.)
 */

/** The note's body. */
interface RetiredNote {
  container: string;
  object: string;
  /** `container/name` paths. */
  segments: string[];
}

/** Where the note of `container/obj` lives in `segmentContainer`. */
export function retiredNoteName(container: string, obj: string): string {
  return `.swiftclient-retired/${container}/${obj}`;
}

/**
 * The segments a note of an interrupted overwrite lists: none without a
 * note, with one that is not about this object, or when it cannot be read
 * (best effort, as the note itself: the overwrite goes on as python's).
 */
export async function readRetired(call: Call<unknown>, segmentContainer: string, container: string, obj: string): Promise<string[]> {
  let body: Buffer;
  try {
    [, body] = await call.conn.getObject(segmentContainer, retiredNoteName(container, obj), { signal: call.signal });
  } catch (err) {
    if (call.signal.aborted) throw err;
    return [];
  }
  return parseRetired(body, container, obj);
}

/** The segment paths of a note's body, if it is a note about `container/obj` (anything else lists none). */
export function parseRetired(body: Uint8Array, container: string, obj: string): string[] {
  try {
    const note = JSON.parse(Buffer.from(body).toString('utf8')) as Partial<RetiredNote>;
    if (note.container !== container || note.object !== obj || !Array.isArray(note.segments)) return [];
    return note.segments.filter((p): p is string => typeof p === 'string' && isSegmentPath(p));
  } catch {
    return [];
  }
}

/** `container/name`, both parts non-empty. */
function isSegmentPath(path: string): boolean {
  const slash = path.indexOf('/');
  return slash > 0 && slash < path.length - 1;
}

/**
 * Stores the note before the object is replaced. Best effort: without it
 * (the segment container is missing, or refuses writes) the overwrite goes
 * on as python's does. Returns whether it was stored.
 */
export async function writeRetired(call: Call<unknown>, segmentContainer: string, container: string, obj: string, segments: readonly string[]): Promise<boolean> {
  const note: RetiredNote = { container, object: obj, segments: [...segments] };
  try {
    await call.conn.putObject(segmentContainer, retiredNoteName(container, obj), JSON.stringify(note), {
      contentType: 'application/json',
      signal: call.signal,
    });
    return true;
  } catch (err) {
    if (call.signal.aborted) throw err;
    return false;
  }
}

/** Deletes the note once its segments are gone (a 404 is fine; other failures leave it for the next run). */
export async function removeRetired(call: Call<unknown>, segmentContainer: string, container: string, obj: string): Promise<void> {
  await call.conn.deleteObject(segmentContainer, retiredNoteName(container, obj), { signal: call.signal }).catch(() => undefined);
}
