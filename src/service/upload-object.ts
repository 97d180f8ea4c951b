import { promises as fsp, type BigIntStats } from 'node:fs';
import type { BodyInput } from '../http/body.js';
import { fileSource } from '../http/file-source.js';
import { isBlob } from '../http/web-stream.js';
import { ClientException } from '../errors.js';
import type { ResponseDict } from '../ops/request.js';
import type { Call } from './context.js';
import { isMissing, SwiftError, toError } from './errors.js';
import { chunkData, isIdentical } from './identical.js';
import { attemptsOf, isTrue, splitHeaders } from './options.js';
import { cleanObjectName, normalizeManifestPath, parseDloManifest, percentF, pythonMtime, pythonNowMtime } from './naming.js';
import { checkUnchanged, fileRanges, specialKind, unchangedSource } from './file-ranges.js';
import { blobRanges } from './ranged-source.js';
import { counted, countedSource, Progress } from './progress.js';
import { LargeUploadError, uploadFileSegments, type LargeUpload } from './segments.js';
import { Retiring } from './retired-segments.js';
import { uploadStreamSlo } from './stream-segments.js';
import { bufferStream, type DataSource, type UploadJob } from './upload-inputs.js';
import type { UploadObjectResult, UploadOptions, UploadResult } from './types.js';

/** How large files of one upload are split. */
export interface LargeMode {
  /** 0: never split. */
  segmentSize: number;
  useSlo: boolean;
  segmentContainer: string;
  /** slo.max_manifest_segments, when known. */
  maxSegments: number | undefined;
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

    const retiring = new Retiring(call, { dlo: undefined, sloPaths: [], retired: [], noted: false }, mode.segmentContainer, container, obj);
    const previous = retiring.previous;
    const skip = await inspectCurrent(call, o, container, obj, path, size, mtime, retiring);
    if (skip) {
      Object.assign(res, { success: true, status: skip, bytes: 0 });
      if (retiring.deleted) res.segmentDeleteResults = retiring.deleted;
      return res;
    }
    Object.assign(putHeaders, splitHeaders(o.meta, 'x-object-meta-'), splitHeaders(o.headers));

    const progress = new Progress(o.onProgress, 'upload', container, obj, size);
    progress.report();
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
      beforeReplace: (paths, dlo) => retiring.note(paths, dlo === undefined ? { sloPaths: paths } : { dlo }),
      afterRefusal: () => retiring.refused(),
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
 * need it; fills what `retiring` needs to know of it (its segments, and the
 * note of an interrupted overwrite); returns why the upload can be skipped,
 * if it can (after finishing what such a note left).
 */
async function inspectCurrent(
  call: Call<UploadResult>,
  o: UploadOptions,
  container: string,
  obj: string,
  path: string | undefined,
  size: number | undefined,
  mtime: string,
  retiring: Retiring,
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
  const previous = retiring.previous;
  if (!o.leaveSegments && !headers['content-location']) {
    previous.dlo = headers['x-object-manifest'];
    if (isSlo && chunks) previous.sloPaths = chunks.filter((c) => c.name !== undefined).map((c) => normalizeManifestPath(c.name as string));
    if (previous.dlo !== undefined) await retiring.readNote({ dlo: previous.dlo }, headers['x-timestamp']);
    else if (isSlo) await retiring.readNote({ sloPaths: previous.sloPaths }, headers['x-timestamp']);
  }
  let skip: Skip | undefined;
  if (o.skipIdentical && chunks && (await isIdentical(chunks, path, call.signal))) skip = 'skipped-identical';
  else if (path !== undefined && o.changed && Number(headers['content-length']) === size && headers['x-object-meta-mtime'] === mtime) skip = 'skipped-changed';
  if (skip !== undefined && previous.noted) {
    // The object stays: only what the note lists goes (never its own segments: see retiredSegments).
    Object.assign(previous, { dlo: undefined, sloPaths: [] });
    await retiring.finish(new Set());
  }
  return skip;
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
