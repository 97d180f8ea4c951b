import { promises as fsp, type BigIntStats } from 'node:fs';
import type { BodyInput } from '../http/body.js';
import { fileSource } from '../http/file-source.js';
import { isBlob } from '../http/web-stream.js';
import { ClientException } from '../errors.js';
import type { ResponseDict } from '../ops/request.js';
import type { Call } from './context.js';
import { isMissing, SwiftError, toError } from './errors.js';
import { chunkData, isIdentical } from './identical.js';
import { listAll } from './list.js';
import { attemptsOf, isTrue, splitHeaders } from './options.js';
import { cleanObjectName, normalizeManifestPath, parseDloManifest, percentF, pythonMtime, pythonNowMtime } from './naming.js';
import { checkUnchanged, fileRanges, specialKind, unchangedSource } from './file-ranges.js';
import { blobRanges } from './ranged-source.js';
import { counted, countedSource, Progress } from './progress.js';
import { deleteSegments, LargeUploadError, uploadFileSegments, type LargeUpload } from './segments.js';
import { readRetired, removeRetired, writeRetired } from './retired-segments.js';
import { uploadStreamSlo } from './stream-segments.js';
import { bufferStream, type DataSource, type UploadJob } from './upload-inputs.js';
import type { DeleteSegmentResult, UploadObjectResult, UploadOptions, UploadResult } from './types.js';

/** How large files of one upload are split. */
export interface LargeMode {
  /** 0: never split. */
  segmentSize: number;
  useSlo: boolean;
  segmentContainer: string;
  /** slo.max_manifest_segments, when known. */
  maxSegments: number | undefined;
}

/** What the previous object under the name needs after an overwrite. */
interface Previous {
  /** X-Object-Manifest of a DLO being replaced. */
  dlo: string | undefined;
  /** Segment paths (`container/name`) of an SLO being replaced. */
  sloPaths: string[];
  /** Segment paths an interrupted overwrite of the same object left to delete (see retired-segments.ts). */
  retired: string[];
}

type Skip = 'skipped-identical' | 'skipped-changed';

/**
 * python's `_upload_object_job`: HEAD the current object (to skip identical
 * or unchanged files and to find the segments an overwrite orphans), upload
 * as one PUT, as file segments, or as stream segments, then delete the old
 * segments the new object no longer uses.
 */
export async function uploadObject(
  call: Call<UploadResult>,
  o: UploadOptions,
  container: string,
  job: Extract<UploadJob, { kind: 'file' | 'data' | 'missing' }>,
  mode: LargeMode,
): Promise<UploadObjectResult> {
  const obj = cleanObjectName(job.name);
  const path = job.kind === 'data' ? undefined : job.path;
  const blob = job.kind === 'data' && isBlob(job.source) ? job.source : undefined;
  const res: UploadObjectResult = { action: 'upload_object', success: false, container, object: obj, path };
  let rd: ResponseDict = {};
  try {
    if (job.kind === 'missing') throw new SwiftError(`Local file ${JSON.stringify(job.path)} not found`);
    let size: number | undefined;
    let mtime: string;
    let stats: BigIntStats | undefined;
    if (path !== undefined) {
      stats = await fsp.stat(path, { bigint: true });
      // Opening a FIFO waits for a writer (forever), a socket cannot be read, a device has no size: only files are uploaded.
      if (!stats.isFile()) throw new SwiftError(`Local file ${JSON.stringify(path)} is ${specialKind(stats) ?? 'a directory'}, not a regular file: not uploaded (stream it from stdin or a Readable instead)`);
      size = Number(stats.size);
      mtime = pythonMtime(stats);
    } else if (blob !== undefined) {
      // A File's own time, so that uploading the same file again finds the
      // segments of an earlier, interrupted run (their names carry it).
      const lastModified = (blob as { lastModified?: unknown }).lastModified;
      mtime = typeof lastModified === 'number' ? percentF(lastModified / 1000) : pythonNowMtime();
      size = blob.size;
    } else {
      mtime = pythonNowMtime();
      if (job.kind === 'data' && job.source instanceof Uint8Array) size = job.source.byteLength;
    }
    const putHeaders: Record<string, string> = { 'x-object-meta-mtime': mtime };
    res.headers = putHeaders;

    const previous: Previous = { dlo: undefined, sloPaths: [], retired: [] };
    const skip = await inspectCurrent(call, o, container, obj, path, size, mtime, previous, mode.segmentContainer);
    if (skip) {
      Object.assign(res, { success: true, status: skip, bytes: 0 });
      return res;
    }
    Object.assign(putHeaders, splitHeaders(o.meta, 'x-object-meta-'), splitHeaders(o.headers));

    const progress = new Progress(o.onProgress, 'upload', container, obj, size);
    progress.report();
    const retiring = new Retiring(call, previous, mode.segmentContainer, container, obj);
    const up: LargeUpload = {
      container,
      obj,
      segmentContainer: mode.segmentContainer,
      segmentSize: mode.segmentSize,
      useSlo: mode.useSlo,
      putHeaders,
      mtime,
      protectedPaths: new Set(previous.sloPaths),
      protectedPrefix: previous.dlo === undefined ? undefined : dloPrefixPath(previous.dlo),
      progress,
      leaveSegments: o.leaveSegments === true,
      resume: o.resume !== false,
      journal: path === undefined ? o.journal : undefined,
      beforeReplace: (paths, dlo) => retiring.note(paths, dlo),
    };
    let newPaths = new Set<string>();
    const ranged = path !== undefined ? fileRanges(path, stats) : blob !== undefined ? blobRanges(blob) : undefined;
    if (ranged !== undefined && size !== undefined && mode.segmentSize > 0 && size > mode.segmentSize) {
      const count = Math.ceil(size / mode.segmentSize);
      if (mode.useSlo && mode.maxSegments !== undefined && count > mode.maxSegments) {
        throw new SwiftError(`${count} segments of ${mode.segmentSize} bytes exceed the cluster's limit of ${mode.maxSegments} per SLO manifest: use a larger segmentSize`);
      }
      res.largeObject = true;
      const outcome = await uploadFileSegments(call, up, ranged, size);
      res.segmentResults = outcome.segmentResults;
      res.manifestResponseDict = outcome.manifestResponseDict;
      rd = outcome.manifestResponseDict;
      newPaths = outcome.newPaths;
      res.bytes = size;
    } else if (path === undefined && blob === undefined && mode.useSlo && mode.segmentSize > 0) {
      const outcome = await uploadStreamSlo(call, up, bufferStream((job as { source: DataSource }).source));
      res.largeObject = outcome.largeObject;
      res.bytes = outcome.bytes;
      if (outcome.manifest) {
        res.segmentResults = outcome.manifest.segmentResults;
        res.manifestResponseDict = outcome.manifest.manifestResponseDict;
        rd = outcome.manifest.manifestResponseDict;
        newPaths = outcome.manifest.newPaths;
      } else {
        rd = outcome.responseDict ?? rd;
        res.responseDict = rd;
      }
    } else {
      res.largeObject = false;
      res.responseDict = rd;
      await retiring.note(newPaths, undefined);
      res.bytes = await putWhole(call, container, obj, path, size, stats, job, putHeaders, progress, rd);
    }
    if (retiring.needed) res.segmentDeleteResults = await retiring.finish(newPaths);
    Object.assign(res, { success: true, status: 'uploaded' });
  } catch (err) {
    res.error =
      err instanceof Error && (err as NodeJS.ErrnoException).code === 'ENOENT' && !(err instanceof ClientException)
        ? new SwiftError(`Local file ${JSON.stringify(path)} not found`, { cause: err })
        : toError(err);
    if (err instanceof LargeUploadError) res.segmentResults = err.segmentResults;
  }
  res.attempts = attemptsOf(rd);
  return res;
}

/**
 * HEADs the current object when skip-identical, changed or segment cleanup
 * need it; fills `previous`; returns why the upload can be skipped, if it can.
 */
async function inspectCurrent(
  call: Call<UploadResult>,
  o: UploadOptions,
  container: string,
  obj: string,
  path: string | undefined,
  size: number | undefined,
  mtime: string,
  previous: Previous,
  segmentContainer: string,
): Promise<Skip | undefined> {
  if (!o.changed && !o.skipIdentical && o.leaveSegments) return undefined;
  let headers;
  try {
    headers = await call.conn.headObject(container, obj, { signal: call.signal });
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
  const isSlo = isTrue(headers['x-static-large-object']);
  const chunks = o.skipIdentical || (isSlo && !o.leaveSegments) ? await chunkData(call.conn, container, obj, headers, call.signal) : undefined;
  if (o.skipIdentical && chunks && (await isIdentical(chunks, path, call.signal))) return 'skipped-identical';
  if (path !== undefined && o.changed && Number(headers['content-length']) === size && headers['x-object-meta-mtime'] === mtime) {
    return 'skipped-changed';
  }
  if (!o.leaveSegments && !headers['content-location']) {
    previous.dlo = headers['x-object-manifest'];
    if (isSlo && chunks) previous.sloPaths = chunks.filter((c) => c.name !== undefined).map((c) => normalizeManifestPath(c.name as string));
    if (isSlo || previous.dlo !== undefined) previous.retired = await readRetired(call, segmentContainer, container, obj);
  }
  return undefined;
}

/** One PUT of a whole file (replayable, by path) or of bytes or a stream. */
async function putWhole(
  call: Call<UploadResult>,
  container: string,
  obj: string,
  path: string | undefined,
  size: number | undefined,
  stats: BigIntStats | undefined,
  job: UploadJob,
  headers: Record<string, string>,
  progress: Progress,
  rd: ResponseDict,
): Promise<number> {
  let body: BodyInput;
  if (path !== undefined && stats !== undefined && size !== undefined) {
    body = countedSource(unchangedSource(fileSource(path, { size }), size, () => checkUnchanged(path, stats)), progress, 0);
  } else {
    const source = (job as { source: DataSource }).source;
    if (source === null) body = null;
    else if (source instanceof Uint8Array) body = countedSource({ size: source.byteLength, open: () => [source] }, progress, 0);
    else if (isBlob(source)) body = countedSource(blobRanges(source).range(0, source.size), progress, 0);
    else body = counted(bufferStream(source), (n) => progress.add(0, n));
  }
  await call.conn.putObject(container, obj, body, { contentLength: size, headers, responseDict: rd, signal: call.signal, checksum: call.checksum });
  return path !== undefined || size !== undefined ? (size ?? 0) : progress.bytesDone;
}

/** `container/prefix/` of a DLO manifest value. */
function dloPrefixPath(manifest: string): string {
  const { container, prefix } = parseDloManifest(manifest);
  return `${container}/${prefix.replace(/\/+$/, '')}/`;
}

/**
 * The old segments an overwrite deletes once the object is replaced, noted
 * before it is (see retired-segments.ts), so that a process killed in
 * between leaves them to the next run rather than orphaned.
 */
class Retiring {
  private doomed: string[] | undefined;
  private noted = false;

  constructor(
    private readonly call: Call<UploadResult>,
    private readonly previous: Previous,
    private readonly segmentContainer: string,
    private readonly container: string,
    private readonly obj: string,
  ) {}

  /** Whether there are old segments to delete (or a note of them). */
  get needed(): boolean {
    return this.previous.dlo !== undefined || this.previous.sloPaths.length > 0 || this.previous.retired.length > 0;
  }

  /** Just before the object is replaced: finds the segments it orphans and notes them. */
  async note(newPaths: ReadonlySet<string>, dloManifest: string | undefined): Promise<void> {
    if (!this.needed) return;
    if (dloManifest !== undefined && this.previous.dlo?.replace(/\/+$/, '') === dloManifest.replace(/\/+$/, '')) this.previous.dlo = undefined;
    try {
      this.doomed = await orphans(this.call, this.previous, newPaths);
      if (this.doomed.length > 0) this.noted = await writeRetired(this.call, this.segmentContainer, this.container, this.obj, this.doomed);
    } catch (err) {
      // Without a note the overwrite goes on as python's does: the segments are found again once it is done.
      if (this.call.signal.aborted) throw err;
      this.doomed = undefined;
    }
  }

  /** Once the object is replaced: deletes the old segments, then the note if all went. */
  async finish(newPaths: ReadonlySet<string>): Promise<DeleteSegmentResult[]> {
    const results = await deleteSegments(this.call, this.doomed ?? (await orphans(this.call, this.previous, newPaths)));
    if ((this.noted || this.previous.retired.length > 0) && results.every((r) => r.success)) {
      await removeRetired(this.call, this.segmentContainer, this.container, this.obj);
    }
    return results;
  }
}

/** Old segments the new object does not use (python deletes these after an overwrite), and those an interrupted overwrite left. */
async function orphans(call: Call<UploadResult>, previous: Previous, newPaths: ReadonlySet<string>): Promise<string[]> {
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
