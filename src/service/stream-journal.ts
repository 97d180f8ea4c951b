import { promises as fsp } from 'node:fs';
import type { Call } from './context.js';
import { isMissing, SwiftError } from './errors.js';
import { listAll } from './list.js';
import { normalizeManifestPath, pythonNowMtime, streamSegmentName } from './naming.js';
import { headSegment, type ListedSegment } from './resume-upload.js';
import { deleteSegments, type LargeUpload } from './segments.js';
import type { UploadResult } from './types.js';

/**
 * The journal of a stream upload (the `journal` upload option): a stream has
 * no stable identity (its segment names carry the upload time), so only a
 * local record of what was stored lets a re-run skip it. JSON lines: a header
 * (which object, which segment size, the time in the segment names), then one
 * line per segment stored, appended once its PUT succeeded. A re-run reads the
 * same stream; each piece whose MD5 and size equal the journal's, and whose
 * segment the listing still shows with them, is read past and reused. The first
 * piece that differs makes the rest of the journal stale: from there every
 * segment is sent under fresh names, and the stale segments are deleted once
 * the new manifest is written. A torn last line (a kill mid-write) is ignored.
 */

/** The first line: what the journal is for. */
interface JournalHeader {
  v: 1;
  container: string;
  object: string;
  segmentContainer: string;
  segmentSize: number;
  /** The time in the names of segments sent from now on. */
  mtime: string;
}

/** A segment the journal says is stored. */
export interface JournalEntry {
  index: number;
  name: string;
  bytes: number;
  md5: string;
}

/** What to do with a piece of the stream read during a journalled upload. */
export type JournalStep = 'reuse' | 'send' | 'stale';

/**
 * The decision for one piece: `stale` when the journal recorded different
 * bytes at this index (the input changed: nothing further in the journal may
 * be used), `reuse` when it recorded these bytes and the segment is stored
 * with them, `send` otherwise (nothing recorded, the journal already stale,
 * or the segment gone from the container).
 */
export function journalStep(entry: JournalEntry | undefined, piece: { length: number; md5: string }, stored: boolean, stale: boolean): JournalStep {
  if (stale || entry === undefined) return 'send';
  if (entry.bytes !== piece.length || entry.md5 !== piece.md5) return 'stale';
  return stored ? 'reuse' : 'send';
}

/** Parses a journal's text; undefined when its header is missing or for another upload. */
export function parseJournal(text: string, expect: Omit<JournalHeader, 'v' | 'mtime'>): { mtime: string; entries: Map<number, JournalEntry> } | undefined {
  const lines = text.split('\n');
  let header: Partial<JournalHeader>;
  try {
    header = JSON.parse(lines[0] ?? '') as Partial<JournalHeader>;
  } catch {
    return undefined;
  }
  const same =
    header.v === 1 &&
    header.container === expect.container &&
    header.object === expect.object &&
    header.segmentContainer === expect.segmentContainer &&
    header.segmentSize === expect.segmentSize &&
    typeof header.mtime === 'string';
  if (!same) return undefined;
  const entries = new Map<number, JournalEntry>();
  for (const line of lines.slice(1)) {
    let e: Partial<JournalEntry>;
    try {
      e = JSON.parse(line) as Partial<JournalEntry>;
    } catch {
      continue; // a torn last line
    }
    if (Number.isInteger(e.index) && typeof e.name === 'string' && Number.isInteger(e.bytes) && typeof e.md5 === 'string') {
      entries.set(e.index as number, e as JournalEntry);
    }
  }
  return { mtime: header.mtime as string, entries };
}

/** A journal in use by one stream upload. */
export class StreamJournal {
  /** Whether a piece differed from the journal: nothing recorded before this run is used from then on. */
  private stale = false;
  /** Writes to the file, one after the other. */
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly header: JournalHeader,
    /** What the file records now. */
    private readonly entries: Map<number, JournalEntry>,
    /** Segments a previous run recorded: deleted at the end unless the new manifest uses them. */
    private readonly previous: ReadonlySet<string>,
    /** Recorded segments that are stored with the recorded size and MD5. */
    private readonly stored: ReadonlyMap<string, ListedSegment>,
  ) {}

  /**
   * Reads the journal at `path` (a missing, unreadable or foreign one is
   * started afresh), checks which recorded segments are still stored (one
   * listing per name prefix, a HEAD for a recorded segment the listing lacks,
   * which a listing that lags behind recent writes may), and writes the header.
   */
  static async open(call: Call<UploadResult>, up: LargeUpload, path: string): Promise<StreamJournal> {
    const expect = { container: up.container, object: up.obj, segmentContainer: up.segmentContainer, segmentSize: up.segmentSize };
    let text = '';
    try {
      text = await fsp.readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new SwiftError(`Cannot read the upload journal ${JSON.stringify(path)}: ${(err as Error).message}`, { cause: err });
    }
    const found = up.resume === false ? undefined : parseJournal(text, expect);
    const entries = found?.entries ?? new Map<number, JournalEntry>();
    const stored = await storedEntries(call, up, [...entries.values()]);
    const header: JournalHeader = { v: 1, ...expect, mtime: found?.mtime ?? up.mtime };
    const journal = new StreamJournal(path, header, entries, new Set([...entries.values()].map((e) => e.name)), stored);
    await journal.rewrite();
    return journal;
  }

  /** The name segment `index` is sent under. */
  nameFor(index: number): string {
    return streamSegmentName(this.header.object, this.header.mtime, this.header.segmentSize, index);
  }

  /** The decision for the piece read at `index`, and the segment name to reuse or send under. */
  async step(index: number, piece: { length: number; md5: string }): Promise<{ reuse: ListedSegment | undefined; name: string }> {
    const entry = this.entries.get(index);
    const listed = entry && this.stored.get(entry.name);
    const held = listed !== undefined && listed.bytes === entry?.bytes && listed.hash.toLowerCase() === entry.md5;
    const step = journalStep(entry, piece, held, this.stale);
    if (step === 'reuse' && entry && listed) return { reuse: listed, name: entry.name };
    if (step === 'stale') await this.goStale(index);
    return { reuse: undefined, name: entry && !this.stale ? entry.name : this.nameFor(index) };
  }

  /** Records a segment once its PUT succeeded. */
  record(entry: JournalEntry): Promise<void> {
    this.entries.set(entry.index, entry);
    return this.write(() => fsp.appendFile(this.path, `${JSON.stringify(entry)}\n`));
  }

  /**
   * After the manifest (or the whole object) is written: deletes the
   * segments recorded by a previous run that the new object does not use
   * (those of the object it replaced are left to the upload's own clean-up),
   * then the journal.
   */
  async finish(call: Call<UploadResult>, up: LargeUpload, used: ReadonlySet<string>): Promise<void> {
    await this.writing;
    if (!up.leaveSegments) {
      const leftovers = [...this.previous]
        .map((name) => normalizeManifestPath(`${up.segmentContainer}/${name}`))
        .filter((p) => !used.has(p) && !up.protectedPaths.has(p));
      await deleteSegments(call, leftovers);
    }
    await fsp.rm(this.path, { force: true });
  }

  /** The input differs from the journal at `index`: keep what came before, send the rest under fresh names. */
  private async goStale(index: number): Promise<void> {
    this.stale = true;
    for (const i of [...this.entries.keys()]) if (i >= index) this.entries.delete(i);
    const taken = new Set([...this.previous, ...[...this.entries.values()].map((e) => e.name)].map(mtimeOf));
    taken.add(this.header.mtime);
    // python's stream mtimes are whole seconds: step past any already in use.
    let mtime = Number(pythonNowMtime());
    while (taken.has(mtime.toFixed(6))) mtime += 1;
    this.header.mtime = mtime.toFixed(6);
    await this.rewrite();
  }

  /** Writes the header and the entries afresh (to a temporary file renamed over the journal). */
  private rewrite(): Promise<void> {
    const lines = [this.header, ...[...this.entries.values()].sort((a, b) => a.index - b.index)].map((l) => `${JSON.stringify(l)}\n`);
    return this.write(async () => {
      const temp = `${this.path}.tmp`;
      await fsp.writeFile(temp, lines.join(''));
      await fsp.rename(temp, this.path);
    });
  }

  private write(op: () => Promise<void>): Promise<void> {
    const next = this.writing.then(op);
    this.writing = next.catch(() => undefined);
    return next.catch((err: unknown) => {
      throw new SwiftError(`Cannot write the upload journal ${JSON.stringify(this.path)}: ${(err as Error).message}`, { cause: err });
    });
  }
}

/** The time in a stream segment's name (`<object>/slo/<mtime>/<segment size>/<index>`). */
function mtimeOf(name: string): string | undefined {
  return name.split('/').at(-3);
}

/**
 * Which recorded segments are stored, with their listed size and MD5: one
 * listing per name prefix, then a HEAD for each recorded one the listing
 * lacks (a container listing may lag behind the latest writes).
 */
async function storedEntries(call: Call<UploadResult>, up: LargeUpload, entries: JournalEntry[]): Promise<Map<string, ListedSegment>> {
  const stored = new Map<string, ListedSegment>();
  const prefixes = new Set(entries.map((e) => e.name.slice(0, e.name.length - '00000000'.length)));
  for (const prefix of prefixes) {
    try {
      for (const item of await listAll(call.conn, up.segmentContainer, prefix, call.signal)) {
        if (item.name !== undefined && item.bytes !== undefined && item.hash !== undefined) stored.set(item.name, { bytes: item.bytes, hash: item.hash });
      }
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }
  await Promise.all(
    entries
      .filter((e) => !stored.has(e.name))
      .map((e) =>
        call.segmentLimit(async () => {
          const found = await headSegment(call, up.segmentContainer, e.name);
          if (found) stored.set(e.name, found);
        }),
      ),
  );
  return stored;
}
