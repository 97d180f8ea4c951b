import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Connection } from '../connection.js';
import { ChecksumError, ClientException } from '../errors.js';
import type { ResponseHeaders } from '../http/headers.js';
import { md5 } from '../http/integrity.js';
import { rangeStartsAt } from '../http/content-range.js';
import { BatchedWriter } from './batched-write.js';
import type { Call } from './context.js';
import { chunkData } from './identical.js';
import { parseDloManifest, splitPath } from './naming.js';
import { sloPieces } from './slo-plan.js';
import type { Progress } from './progress.js';
import { hashFile, rangeMd5 } from './file-ranges.js';
import { keptBytes, type SegmentJournal } from './segment-journal.js';
import type { Md5Hasher } from '../platform/index.js';

/**
 * Large-object downloads verified segment by segment: an SLO's manifest
 * (`multipart-manifest=get`, nested manifests expanded) or a DLO's segment
 * listing gives every segment's container, name, size and MD5; the segments
 * are fetched in parallel (`segmentThreads`), each streamed straight into its
 * place in the output file, and checked against that MD5 and size. A
 * segment already in place in a partial file from an earlier run (its bytes
 * hash to the manifest's MD5) is not fetched again.
 */

/** One segment of a large object (or a byte range of one, or inline bytes) and where its bytes go in the file. */
export interface PlannedSegment {
  index: number;
  container: string;
  object: string;
  /** Byte offset in the object. */
  offset: number;
  bytes: number;
  /** MD5 (hex) the manifest or the listing gives for the whole segment object. */
  hash: string;
  /** Where the bytes start in the segment object. */
  start: number;
  /** Only part of the segment object is used (a manifest `range`): fetched with Range, its size checked but not its MD5 (the manifest has none for the part). */
  ranged: boolean;
  /** Inline bytes of the manifest (a `data` entry): written as they are, nothing fetched. */
  data?: Buffer | undefined;
}

/** What a download learned about a large object: its segments and an identity to recognise it again. */
export interface SegmentPlan {
  segments: PlannedSegment[];
  total: number;
  /** Changes whenever a segment's name, size, range or MD5 does (so a partial file of another version is not reused). */
  digest: string;
}

/**
 * The segments of an SLO (from its manifest body, with byte ranges, inline
 * data and nested manifests) or a DLO (from a listing of its prefix).
 */
export async function planSegments(
  conn: Connection,
  container: string,
  obj: string,
  headers: ResponseHeaders,
  manifest: Buffer | undefined,
  signal: AbortSignal,
): Promise<SegmentPlan> {
  const dlo = headers['x-object-manifest'];
  const segments: PlannedSegment[] = [];
  let offset = 0;
  const digest = createHash('md5');
  const add = (segment: Omit<PlannedSegment, 'index' | 'offset'>): void => {
    segments.push({ ...segment, index: segments.length, offset });
    const what = segment.data === undefined ? `${segment.container}/${segment.object}` : `data:${createHash('md5').update(segment.data).digest('hex')}`;
    digest.update(`${what}\n${segment.start}+${segment.bytes}\n${segment.hash}\n`);
    offset += segment.bytes;
  };
  if (dlo === undefined) {
    const body = manifest ?? (await conn.getObject(container, obj, { queryString: 'multipart-manifest=get', signal }))[1];
    for (const piece of await sloPieces(conn, body, signal)) {
      if (piece.kind === 'data') {
        add({ container: '', object: '', bytes: piece.data.length, hash: '', start: 0, ranged: false, data: piece.data });
      } else {
        const [segContainer, segObject] = splitPath(piece.path);
        const ranged = piece.start !== 0 || piece.bytes !== piece.size;
        add({ container: segContainer, object: segObject, bytes: piece.bytes, hash: piece.hash, start: piece.start, ranged });
      }
    }
  } else {
    const dloContainer = parseDloManifest(dlo).container;
    for (const chunk of await chunkData(conn, container, obj, headers, signal)) {
      if (chunk.name === undefined) continue;
      add({ container: dloContainer, object: chunk.name, bytes: chunk.bytes, hash: chunk.hash.toLowerCase(), start: 0, ranged: false });
    }
  }
  return { segments, total: offset, digest: digest.digest('hex') };
}

/** How a verified download went: bytes fetched from the server, and bytes found already in place. */
export interface SegmentsOutcome {
  fetched: number;
  reused: number;
}

/** What {@link fetchSegments} needs besides the plan and the file. */
export interface FetchSegmentsOptions {
  /** The file holds bytes of this same plan from an earlier run: segments in place are kept. */
  resuming: boolean;
  /** Check each segment's MD5 (sizes are always checked). */
  verify: boolean;
  chunkSize: number;
  progress: Progress;
  label: string;
  /** What the earlier run's journal recorded: segment index → bytes written from the segment's start. */
  kept?: Readonly<Record<string, number>> | undefined;
  /** Told how far each segment is written, for the next run (see SegmentJournal). */
  journal?: SegmentJournal | undefined;
}

/**
 * Fills `file` (open for writing, already `plan.total` bytes long) with the
 * plan's segments, `segmentThreads` at a time. With `resuming`, a segment
 * whose bytes are already in place is kept, and one the earlier run's
 * journal recorded as begun continues after its recorded bytes (a ranged
 * GET, `If-Match` its MD5; its bytes on file are hashed with the rest). A
 * segment whose MD5 or size differs from the plan's is fetched once more,
 * whole; if it is still wrong the download fails with a
 * {@link ChecksumError} naming the segment; the other segments are still
 * fetched, so the next run needs only the bad one. Any other error stops
 * the segments not yet started. `verify: false` checks sizes only.
 */
export async function fetchSegments(
  call: Call<unknown>,
  plan: SegmentPlan,
  file: { handle: FileHandle; path: string },
  options: FetchSegmentsOptions,
): Promise<SegmentsOutcome> {
  const outcome: SegmentsOutcome = { fetched: 0, reused: 0 };
  let broken = false;
  const jobs = plan.segments.map((segment) =>
    call.segmentLimit(async () => {
      if (broken || call.signal.aborted) return;
      if (segment.data !== undefined) {
        await file.handle.write(segment.data, 0, segment.data.length, segment.offset);
        options.progress.add(segment.index, segment.data.length);
        return;
      }
      // A part of a segment has no MD5 to recognise it by: it is fetched again.
      const found = options.resuming && !segment.ranged && segment.bytes > 0 ? await inPlace(file.path, segment, options.kept, call.signal) : { bytes: 0 };
      options.progress.add(segment.index, found.bytes);
      if (segment.bytes > 0 && found.bytes === segment.bytes) {
        outcome.reused += found.bytes;
        options.journal?.forget(segment.index);
        return;
      }
      try {
        let error: ChecksumError | undefined;
        for (let attempt = 0; attempt < 2; attempt += 1) {
          const from = attempt === 0 ? found : { bytes: 0 };
          if (attempt > 0) options.progress.reset(segment.index);
          let kept: number;
          try {
            ({ error, kept } = await fetchSegment(call, segment, file.handle, options, from));
          } catch (err) {
            // The segment changed since the earlier run (or its range is gone): fetched again whole, and checked.
            if (from.bytes === 0 || !(err instanceof ClientException && (err.httpStatus === 412 || err.httpStatus === 416))) throw err;
            error = new ChecksumError(`Segment ${segment.index} of ${options.label} changed since the partial download`, { expected: segment.hash, actual: '' });
            continue;
          }
          outcome.fetched += segment.bytes - kept;
          if (error === undefined) {
            outcome.reused += kept;
            options.journal?.forget(segment.index);
            return;
          }
        }
        throw error;
      } catch (err) {
        // A bad segment is that segment's problem; anything else (auth, network, abort) is everyone's.
        if (!(err instanceof ChecksumError)) broken = true;
        throw err;
      }
    }),
  );
  const settled = await Promise.allSettled(jobs);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  if (call.signal.aborted) throw call.signal.reason;
  return outcome;
}

/** Bytes of a segment an earlier run left in place, from its start. */
interface InPlace {
  bytes: number;
  /** The MD5 of those bytes so far, when fewer than the whole segment. */
  hash?: Md5Hasher | undefined;
}

/** All of a segment (its bytes hash to its MD5), or the bytes the earlier run's journal recorded (hashed to go on), or none. */
async function inPlace(path: string, segment: PlannedSegment, record: FetchSegmentsOptions['kept'], signal: AbortSignal): Promise<InPlace> {
  if ((await rangeMd5(path, segment.offset, segment.bytes, signal)) === segment.hash) return { bytes: segment.bytes };
  const kept = keptBytes(record, segment.index, segment.bytes);
  if (kept === 0) return { bytes: 0 };
  const hash = md5();
  await hashFile(hash, path, signal, segment.offset, kept);
  return { bytes: kept, hash };
}

/**
 * GETs one segment (from `from.bytes` on) into its place. Returns the bytes
 * of the earlier run it kept, and a ChecksumError (returned, not thrown)
 * when the segment's bytes are not the plan's.
 */
async function fetchSegment(
  call: Call<unknown>,
  segment: PlannedSegment,
  handle: FileHandle,
  options: FetchSegmentsOptions,
  from: InPlace,
): Promise<{ error: ChecksumError | undefined; kept: number }> {
  const range = segment.ranged
    ? { range: `bytes=${segment.start}-${segment.start + segment.bytes - 1}` }
    : from.bytes > 0
      ? { range: `bytes=${from.bytes}-${segment.bytes - 1}`, 'if-match': `"${segment.hash}"` }
      : undefined;
  const [headers, body] = await call.conn.getObject(segment.container, segment.object, {
    ...(range ? { headers: range } : {}),
    respChunkSize: options.chunkSize,
    signal: call.signal,
    checksum: false,
  });
  // A server that ignores the Range sends the whole segment: it is written from the segment's start.
  const start = from.bytes > 0 && headers['content-range'] !== undefined ? from.bytes : 0;
  if (start > 0 && !rangeStartsAt(headers['content-range'], start)) {
    body.close(); // not the bytes asked for: let go of them, fetch the segment whole
    const error = new ChecksumError(`Segment ${segment.index} of ${options.label}: asked for bytes from ${start}, got ${headers['content-range']}`, { expected: segment.hash, actual: '' });
    return { error, kept: 0 };
  }
  // Hashed only to be checked: `checksum: false` and parts of segments (no MD5 of their own) cost no MD5.
  // A segment continued from an earlier run's bytes is always checked: those bytes are only trusted whole.
  const check = (options.verify || start > 0) && !segment.ranged;
  const hash = check ? (start > 0 && from.hash ? from.hash : md5()) : undefined;
  if (start === 0) {
    options.journal?.forget(segment.index);
    if (from.bytes > 0) options.progress.reset(segment.index);
  }
  const journal = options.journal;
  const writer = new BatchedWriter(handle, segment.offset + start, journal && ((position) => journal.written(segment.index, position - segment.offset)));
  let read = start;
  try {
    for await (const chunk of body) {
      if (read + chunk.length > segment.bytes) {
        read += chunk.length;
        break;
      }
      hash?.update(chunk);
      read += chunk.length;
      options.progress.add(segment.index, chunk.length);
      const wait = writer.write(chunk);
      if (wait) await wait;
    }
    await writer.end();
  } finally {
    await writer.settle();
  }
  const actual = hash?.digest('hex') ?? '';
  const where = `/${segment.container}/${segment.object}`;
  if (read !== segment.bytes) {
    const part = segment.ranged ? ` (bytes ${segment.start}-${segment.start + segment.bytes - 1})` : '';
    const error = new ChecksumError(`Segment ${segment.index} (${where}${part}) of ${options.label}: ${read} bytes read, the manifest says ${segment.bytes}`, {
      expected: segment.hash,
      actual,
      httpPath: where,
    });
    return { error, kept: start };
  }
  if (check && actual !== segment.hash) {
    const error = new ChecksumError(`Segment ${segment.index} (${where}) of ${options.label}: md5sum != manifest etag, ${actual} != ${segment.hash}`, {
      expected: segment.hash,
      actual,
      httpPath: where,
    });
    return { error, kept: start };
  }
  return { error: undefined, kept: start };
}
