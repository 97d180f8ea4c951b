import { md5 } from '../http/integrity.js';
import type { Call } from './context.js';
import { listAll } from './list.js';
import { parseDloManifest, splitPath } from './naming.js';
import { deleteSegments } from './segments.js';
import type { DeleteSegmentResult } from './types.js';

/**
 * An overwrite's note of the old segments it orphans. Replacing a large
 * object writes the new manifest first and deletes the old segments after
 * (python's order: the object is never broken). A process killed in between
 * leaves the old segments unreferenced, and a re-run cannot see them: the
 * object already points at the new ones. So just before the manifest PUT,
 * the list of segments to delete goes into a small object in the segment
 * container, `.swiftclient-retired/<container>/<object>`, with what
 * identifies the new manifest (its segments, or its DLO prefix); it is
 * deleted once they are.
 *
 * The next upload of the same object (a re-run, or one that finds it
 * unchanged and skips it) reads the note, and deletes what it lists only if
 * the object is still the one the note was written for, stored within
 * minutes after it: a note of a manifest PUT that never happened (refused:
 * removed at once; killed before it), or of an object replaced since, is
 * dropped unread.
 * A note lists only segments under the object's own name in its segment
 * containers, so that a note planted by someone else cannot delete anything
 * else. Without a re-run, `cleanup` finds the segments and the note as
 * orphans. A large object replaced by a small one writes no note (the re-run
 * could not tell it from any other small object without a request per
 * upload): a kill there leaves the old segments to `cleanup`.
 */

/** The note's body. */
export interface RetiredNote {
  container: string;
  object: string;
  /** The manifest that replaced the one whose segments are listed (see {@link manifestId}). */
  replacedBy: string;
  /** `container/name` paths. */
  segments: string[];
}

/** A large object, as far as its note is concerned: an SLO's segment paths, or a DLO's manifest value. */
export type LargeObjectRef = { sloPaths: Iterable<string> } | { dlo: string };

/** Identifies a manifest by what it references: the sorted segment paths of an SLO (hashed), a DLO's `container/prefix`. */
export function manifestId(ref: LargeObjectRef): string {
  if ('dlo' in ref) return `dlo:${ref.dlo.replace(/\/+$/, '')}`;
  const hash = md5();
  hash.update(Buffer.from([...ref.sloPaths].sort().join('\n')));
  return `slo:${hash.digest('hex')}`;
}

/** The containers a note about `container`'s objects may name: the upload's segment container, python's default, and where `ref`'s segments are. */
export function noteContainers(container: string, segmentContainer: string, ref: LargeObjectRef): Set<string> {
  const containers = new Set([segmentContainer, `${container}_segments`]);
  if ('dlo' in ref) containers.add(parseDloManifest(ref.dlo).container);
  else for (const path of ref.sloPaths) containers.add(splitPath(path)[0]);
  return containers;
}

/** The paths a note about `obj` may list: in one of `containers`, under the object's own name (`<obj>/...`, python's segment names). */
export function noteable(paths: Iterable<string>, obj: string, containers: ReadonlySet<string>): string[] {
  return [...paths].filter((path) => {
    const slash = path.indexOf('/');
    return slash > 0 && containers.has(path.slice(0, slash)) && path.startsWith(`${obj}/`, slash + 1) && path.length > slash + obj.length + 2;
  });
}

/** A note's body, when it is one about `container/obj` (anything else: undefined). */
export function parseRetired(body: Uint8Array, container: string, obj: string): RetiredNote | undefined {
  try {
    const note = JSON.parse(Buffer.from(body).toString('utf8')) as Partial<RetiredNote> | null;
    if (note?.container !== container || note.object !== obj || typeof note.replacedBy !== 'string' || !Array.isArray(note.segments)) return undefined;
    return { container, object: obj, replacedBy: note.replacedBy, segments: note.segments.filter((p): p is string => typeof p === 'string') };
  } catch {
    return undefined;
  }
}

/**
 * What a note leaves to delete, given the object as it is now: its listed
 * segments that the note may name, if it was written for this very manifest
 * (else none: the note is stale), never one the object uses.
 */
export function retiredSegments(note: RetiredNote, current: LargeObjectRef, containers: ReadonlySet<string>, inUse: (path: string) => boolean): string[] {
  if (note.replacedBy !== manifestId(current)) return [];
  return noteable(note.segments, note.object, containers).filter((p) => !inUse(p));
}

/** How long after its note a manifest may have been stored (its PUT's retries included), in seconds. */
export const NOTE_WINDOW_S = 300;

/**
 * Whether an object stored at `objectTimestamp` (its X-Timestamp) is the
 * manifest a note stored at `noteTimestamp` announced: stored after it, and
 * soon after. Without this, a note whose manifest PUT never happened could
 * match a later run that writes the same segments without reading notes
 * (`leaveSegments`, python's `swift upload`), and delete segments it kept.
 */
export function writtenTogether(noteTimestamp: string | undefined, objectTimestamp: string | undefined): boolean {
  const [note, object] = [Number(noteTimestamp), Number(objectTimestamp)];
  return Number.isFinite(note) && Number.isFinite(object) && object >= note && object - note <= NOTE_WINDOW_S;
}

/** Where the note of `container/obj` lives in the segment container. */
export function retiredNoteName(container: string, obj: string): string {
  return `.swiftclient-retired/${container}/${obj}`;
}

/**
 * The note about `container/obj` and its X-Timestamp; 'unusable' for one
 * that is not a note about it; undefined without one, or when it cannot be
 * read (best effort, as the note itself).
 */
async function readNote(call: Call<unknown>, segmentContainer: string, container: string, obj: string): Promise<{ note: RetiredNote; timestamp: string | undefined } | 'unusable' | undefined> {
  try {
    const [headers, body] = await call.conn.getObject(segmentContainer, retiredNoteName(container, obj), { signal: call.signal });
    const note = parseRetired(body, container, obj);
    return note === undefined ? 'unusable' : { note, timestamp: headers['x-timestamp'] };
  } catch (err) {
    if (call.signal.aborted) throw err;
    return undefined;
  }
}

/** Deletes the note (a 404 is fine; other failures leave it for the next run, which drops it if stale). */
async function removeNote(call: Call<unknown>, segmentContainer: string, container: string, obj: string): Promise<void> {
  await call.conn.deleteObject(segmentContainer, retiredNoteName(container, obj), { signal: call.signal }).catch(() => undefined);
}

/** What the object being replaced leaves behind. */
export interface Previous {
  /** X-Object-Manifest of a DLO being replaced. */
  dlo: string | undefined;
  /** Segment paths (`container/name`) of an SLO being replaced. */
  sloPaths: string[];
  /** Segment paths an interrupted overwrite of the same object left to delete (from its note). */
  retired: string[];
  /** A note was found (stale or not): removed once the deletes are done. */
  noted: boolean;
}

/**
 * The old segments of one upload: reads an earlier note, notes the segments
 * the new manifest orphans just before it is written, deletes them once it
 * is, then removes the note.
 */
export class Retiring {
  private doomed: string[] | undefined;
  private noted = false;

  constructor(
    private readonly call: Call<unknown>,
    readonly previous: Previous,
    private readonly segmentContainer: string,
    private readonly container: string,
    private readonly obj: string,
  ) {}

  /**
   * Reads the note of an interrupted overwrite of `current` (the object as
   * the upload found it, stored at `timestamp`); a stale note is removed at once.
   */
  async readNote(current: LargeObjectRef, timestamp: string | undefined): Promise<void> {
    if (this.segmentContainer === this.container) return;
    const found = await readNote(this.call, this.segmentContainer, this.container, this.obj);
    if (found === undefined) return;
    const inUse = 'dlo' in current ? underPrefix(current.dlo) : ((paths: Set<string>) => (p: string) => paths.has(p))(new Set(current.sloPaths));
    const applies = found !== 'unusable' && writtenTogether(found.timestamp, timestamp);
    this.previous.retired = applies ? retiredSegments(found.note, current, noteContainers(this.container, this.segmentContainer, current), inUse) : [];
    if (this.previous.retired.length > 0) this.previous.noted = true;
    else await removeNote(this.call, this.segmentContainer, this.container, this.obj);
  }

  /** Whether there are old segments to delete (or a note to remove). */
  get needed(): boolean {
    return this.previous.dlo !== undefined || this.previous.sloPaths.length > 0 || this.previous.noted;
  }

  /** Just before the manifest `next` is written: finds the segments it orphans and notes them. */
  async note(newPaths: ReadonlySet<string>, next: LargeObjectRef): Promise<void> {
    if (!this.needed) return;
    if ('dlo' in next && this.previous.dlo?.replace(/\/+$/, '') === next.dlo.replace(/\/+$/, '')) this.previous.dlo = undefined;
    try {
      this.doomed = await orphans(this.call, this.previous, newPaths);
      const listed = noteable(this.doomed, this.obj, noteContainers(this.container, this.segmentContainer, next));
      if (listed.length > 0 && this.segmentContainer !== this.container) this.noted = await this.write({ replacedBy: manifestId(next), segments: listed });
    } catch (err) {
      // Without a note the overwrite goes on as python's does: the segments are found again once it is done.
      if (this.call.signal.aborted) throw err;
      this.doomed = undefined;
    }
  }

  /** The manifest PUT was refused (nothing stored): the note announces what will not be, and goes. */
  async refused(): Promise<void> {
    if (!this.noted) return;
    this.noted = false;
    await removeNote(this.call, this.segmentContainer, this.container, this.obj);
  }

  /** What {@link finish} deleted, when it ran. */
  deleted: DeleteSegmentResult[] | undefined;

  /** Once the object is replaced (or found unchanged): deletes the old segments, then the note if all went. */
  async finish(newPaths: ReadonlySet<string>): Promise<DeleteSegmentResult[]> {
    const results = await deleteSegments(this.call, this.doomed ?? (await orphans(this.call, this.previous, newPaths)));
    this.deleted = results;
    if ((this.noted || this.previous.noted) && results.every((r) => r.success)) await removeNote(this.call, this.segmentContainer, this.container, this.obj);
    return results;
  }

  /** Stores the note; best effort: without it (a missing or read-only segment container) the overwrite goes on as python's. */
  private async write(o: { replacedBy: string; segments: string[] }): Promise<boolean> {
    const note: RetiredNote = { container: this.container, object: this.obj, ...o };
    try {
      await this.call.conn.putObject(this.segmentContainer, retiredNoteName(this.container, this.obj), JSON.stringify(note), {
        contentType: 'application/json',
        signal: this.call.signal,
      });
      return true;
    } catch (err) {
      if (this.call.signal.aborted) throw err;
      return false;
    }
  }
}

/** Whether a path is a segment of the DLO `manifest` (under its prefix). */
function underPrefix(manifest: string): (path: string) => boolean {
  const { container, prefix } = parseDloManifest(manifest);
  return (path) => path.startsWith(`${container}/${prefix}`);
}

/** Old segments the new object does not use (python deletes these after an overwrite), and those an interrupted overwrite left. */
async function orphans(call: Call<unknown>, previous: Previous, newPaths: ReadonlySet<string>): Promise<string[]> {
  const doomed: string[] = [...previous.retired];
  if (previous.dlo !== undefined) {
    const { container, prefix } = parseDloManifest(previous.dlo);
    for (const entry of await listAll(call.conn, container, `${prefix.replace(/\/+$/, '')}/`, call.signal)) {
      if (entry.name !== undefined) doomed.push(`${container}/${entry.name}`);
    }
  }
  doomed.push(...previous.sloPaths);
  return [...new Set(doomed)].filter((p) => !newPaths.has(p));
}
