import { ClientException } from '../errors.js';
import type { BodyInput } from '../http/body.js';
import type { ResponseDict } from '../ops/request.js';
import type { Call } from './context.js';
import { isMissing, SwiftError, toError } from './errors.js';
import { attemptsOf } from './options.js';
import {
  dloManifestValue,
  fileSegmentName,
  normalizeManifestPath,
  SEGMENT_CONTENT_TYPE,
  sloManifestBody,
  splitPath,
  type ManifestSegment,
} from './naming.js';
import { countedSource, type Progress } from './progress.js';
import { holdsRange, storedSegmentsProbed, type ListedSegment } from './resume-upload.js';
import type { RangedSource } from './ranged-source.js';
import type { DeleteSegmentResult, UploadResult, UploadSegmentResult } from './types.js';

/** What the large-object code needs to know about one upload. */
export interface LargeUpload {
  container: string;
  obj: string;
  segmentContainer: string;
  segmentSize: number;
  useSlo: boolean;
  /** x-object-meta-mtime, metadata and extra headers of the manifest. */
  putHeaders: Record<string, string>;
  mtime: string;
  /** Segment paths (`container/name`) the object's previous manifest uses: never removed on failure. */
  protectedPaths: Set<string>;
  /** `container/prefix` of the previous DLO's segments: never removed on failure. */
  protectedPrefix?: string | undefined;
  progress: Progress;
  /** The caller's leaveSegments: a failure removes nothing either. */
  leaveSegments?: boolean | undefined;
  /** Segment paths (`container/name`) whose PUT was sent: after an abort, the server may have stored any of them. */
  sent?: Set<string> | undefined;
  /** Reuse segments a previous run of the same upload stored (see resume-upload.ts). */
  resume?: boolean | undefined;
  /** A stream's journal file (see stream-journal.ts): a failure keeps the segments, for the next run to reuse. */
  journal?: string | undefined;
  /** Called just before the manifest is written, with the new segments (and a DLO's manifest value); must not throw but for an abort. */
  beforeReplace?: ((newPaths: ReadonlySet<string>, dloManifest: string | undefined) => Promise<void>) | undefined;
  /** Called when the manifest PUT was refused on every try (nothing stored); must not throw. */
  afterRefusal?: (() => Promise<void>) | undefined;
}

/** A segment that is stored: where, its ETag and size. */
export interface StoredSegment extends ManifestSegment {
  index: number;
}

/** Outcome of writing a manifest: its response and the new segment paths. */
export interface ManifestOutcome {
  manifestResponseDict: ResponseDict;
  segmentResults: UploadSegmentResult[];
  /** Normalised paths (`container/name`) of the new segments. */
  newPaths: Set<string>;
  /** The DLO manifest value written (DLO only). */
  dloManifest?: string | undefined;
}

/** Thrown when a large upload fails; the segments it wrote are already removed. */
export class LargeUploadError extends SwiftError {
  constructor(
    message: string,
    readonly segmentResults: UploadSegmentResult[],
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

/**
 * Uploads a file (or a Blob) as segments read by byte range (so memory stays
 * bounded whatever the size), `segmentThreads` at a time, then its SLO or
 * DLO manifest. On any failure the segments written are deleted again and a
 * {@link LargeUploadError} is thrown.
 */
export async function uploadFileSegments(call: Call<UploadResult>, up: LargeUpload, source: RangedSource, size: number): Promise<ManifestOutcome> {
  // After a failure the segments not yet started are skipped: the upload is lost anyway.
  let broken = false;
  const jobs: Array<Promise<UploadSegmentResult>> = [];
  const previousRun = up.resume === false ? new Map<string, ListedSegment>() : await storedSegmentsProbed(call, up, size);
  // Queued a few at a time, so that a DLO of a million segments is not a million queued closures.
  const window = 2 * call.segmentLimit.concurrency;
  for (let index = 0, start = 0; start < size; index += 1, start += up.segmentSize) {
    if (index >= window) await jobs[index - window];
    const [at, length] = [start, Math.min(up.segmentSize, size - start)];
    const name = fileSegmentName(up.obj, up.mtime, size, up.segmentSize, index, up.useSlo);
    const segment = index;
    jobs.push(
      call.segmentLimit(async () => {
        if (broken) return skippedSegment(up, segment, name, length);
        if (await holdsRange(previousRun.get(name), source, at, length, call.signal)) return reusedSegment(call, up, segment, name, length, previousRun.get(name));
        const body = () => countedSource(source.range(at, length), up.progress, segment);
        const result = await putSegment(call, up, segment, name, length, body);
        if (!result.success) broken = true;
        return result;
      }),
    );
  }
  const results = await Promise.all(jobs);
  const stored = await checkSegments(call, up, results);
  if (up.useSlo) return putSloManifest(call, up, stored, results);
  const dloManifest = dloManifestValue(up.segmentContainer, up.obj, up.mtime, size, up.segmentSize);
  const rd: ResponseDict = {};
  up.putHeaders['x-object-manifest'] = dloManifest;
  await up.beforeReplace?.(pathsOf(stored), dloManifest);
  try {
    await call.conn.putObject(up.container, up.obj, '', { contentLength: 0, headers: up.putHeaders, responseDict: rd, signal: call.signal });
  } catch (err) {
    throw await manifestFailed(call, up, stored, results, 'Could not write the DLO manifest', err, rd);
  }
  return { manifestResponseDict: rd, segmentResults: results, newPaths: pathsOf(stored), dloManifest };
}

/** PUTs one segment and reports it (python's `_upload_segment_job`). */
export async function putSegment(
  call: Call<UploadResult>,
  up: LargeUpload,
  index: number,
  name: string,
  length: number,
  body: () => BodyInput,
  headers: Record<string, string> = {},
): Promise<UploadSegmentResult> {
  const rd: ResponseDict = {};
  const result: UploadSegmentResult = { ...segmentResult(up, index, name, length), responseDict: rd };
  if (call.signal.aborted) {
    result.error = toError(call.signal.reason);
    return result;
  }
  (up.sent ??= new Set()).add(`${up.segmentContainer}/${name}`);
  try {
    const options = { contentLength: length, headers, responseDict: rd, signal: call.signal, checksum: call.checksum };
    result.segmentEtag = await call.conn.putObject(
      up.segmentContainer,
      name,
      body(),
      headers.etag ? options : { ...options, contentType: SEGMENT_CONTENT_TYPE },
    );
    result.success = true;
  } catch (err) {
    result.error = toError(err);
    // Refused outright: this PUT stored nothing (and the name may be an old manifest's segment).
    if (err instanceof ClientException && err.httpStatus !== undefined && err.httpStatus >= 400) {
      up.sent?.delete(`${up.segmentContainer}/${name}`);
    }
  }
  result.attempts = attemptsOf(rd);
  if (!call.signal.aborted) call.runner.emit(result);
  return result;
}

/** What every segment result says about the segment, before its outcome. */
function segmentResult(up: LargeUpload, index: number, name: string, length: number): UploadSegmentResult {
  return {
    action: 'upload_segment',
    success: false,
    container: up.segmentContainer,
    object: name,
    forContainer: up.container,
    forObject: up.obj,
    segmentIndex: index,
    segmentSize: length,
    segmentLocation: `/${up.segmentContainer}/${name}`,
    logLine: `${up.obj} segment ${index}`,
  };
}

/** The result of a segment a previous run stored and this one reuses (reported, status 'reused'). */
export function reusedSegment(call: Call<UploadResult>, up: LargeUpload, index: number, name: string, length: number, stored: ListedSegment | undefined): UploadSegmentResult {
  const result: UploadSegmentResult = { ...segmentResult(up, index, name, length), success: true, status: 'reused', segmentEtag: stored?.hash, attempts: 0 };
  up.progress.add(index, length);
  if (!call.signal.aborted) call.runner.emit(result);
  return result;
}

/** The result of a segment not uploaded because another one failed (not reported). */
export function skippedSegment(up: LargeUpload, index: number, name: string, length: number): UploadSegmentResult {
  return {
    ...segmentResult(up, index, name, length),
    status: 'cancelled',
    error: new SwiftError('Segment not uploaded: another segment of the object failed', { segment: index }),
  };
}

/** All segments stored, or cleanup and a LargeUploadError. */
async function checkSegments(call: Call<UploadResult>, up: LargeUpload, results: UploadSegmentResult[]): Promise<StoredSegment[]> {
  const stored = results.filter((r) => r.success).map(toStored);
  const failure = results.find((r) => !r.success && r.status !== 'cancelled') ?? results.find((r) => !r.success);
  if (failure) {
    throw await failed(call, up, stored, results, 'Aborting manifest creation because not all segments could be uploaded', failure.error);
  }
  return stored;
}

function toStored(r: UploadSegmentResult): StoredSegment {
  return { index: r.segmentIndex, path: r.segmentLocation, etag: r.segmentEtag ?? '', sizeBytes: r.segmentSize };
}

function pathsOf(stored: StoredSegment[]): Set<string> {
  return new Set(stored.map((s) => normalizeManifestPath(s.path)));
}

/** PUTs the SLO manifest python would write for these segments. */
export async function putSloManifest(
  call: Call<UploadResult>,
  up: LargeUpload,
  stored: StoredSegment[],
  results: UploadSegmentResult[],
): Promise<ManifestOutcome> {
  const sorted = [...stored].sort((a, b) => a.index - b.index);
  const rd: ResponseDict = {};
  await up.beforeReplace?.(pathsOf(stored), undefined);
  try {
    await call.conn.putObject(up.container, up.obj, sloManifestBody(sorted), {
      headers: up.putHeaders,
      queryString: 'multipart-manifest=put',
      responseDict: rd,
      signal: call.signal,
    });
  } catch (err) {
    throw await manifestFailed(call, up, stored, results, 'Could not write the SLO manifest', err, rd);
  }
  return { manifestResponseDict: rd, segmentResults: results, newPaths: pathsOf(stored) };
}

/**
 * Whether a manifest PUT was surely not stored: every try was answered and
 * the last answer was a 4xx refusal (a 5xx, 408 or 499, or a try without an
 * answer, may have stored it: a retry's error says nothing of an earlier try).
 */
function refusedOnEveryTry(cause: unknown, rd: ResponseDict): boolean {
  const refusal = (status: number | undefined): boolean =>
    status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 499;
  return cause instanceof ClientException && refusal(cause.httpStatus) && (rd.responseDicts ?? []).every((t) => refusal(t.status));
}

/** The error of a large upload that failed, with what became of its segments (`detail`). */
function largeUploadError(up: LargeUpload, results: UploadSegmentResult[], message: string, detail: string, cause: unknown): LargeUploadError {
  return new LargeUploadError(`${message}. ${up.container}/${up.obj}${detail}: ${toError(cause).message}`, results, cause);
}

/**
 * A manifest PUT that failed. When the server said no, the segments go (see
 * `failed`); when no answer came (aborted, network error, timeout) the
 * manifest may have been written all the same, so its segments stay: deleting
 * them could break a live object.
 */
async function manifestFailed(
  call: Call<UploadResult>,
  up: LargeUpload,
  stored: StoredSegment[],
  results: UploadSegmentResult[],
  message: string,
  cause: unknown,
  rd: ResponseDict,
): Promise<Error> {
  if (call.signal.aborted) return toError(call.signal.reason);
  if (refusedOnEveryTry(cause, rd)) {
    await up.afterRefusal?.();
    return failed(call, up, stored, results, message, cause);
  }
  return largeUploadError(up, results, message, `; its ${stored.length} segments are kept, since the manifest may have been written`, cause);
}

/**
 * Removes the segments this upload wrote (except those the object's previous
 * manifest still uses) and builds the error to throw. After an abort they are
 * removed without reporting each (see removeAfterAbort).
 */
export async function failed(
  call: Call<UploadResult>,
  up: LargeUpload,
  stored: StoredSegment[],
  results: UploadSegmentResult[],
  message: string,
  cause: unknown,
): Promise<Error> {
  // leaveSegments skips the look at the current object, so which segments an
  // old manifest still uses is unknown (a re-upload of the same file reuses
  // its names): nothing is removed, as python never removes any.
  // A journal's segments stay for the next run to reuse.
  if (up.leaveSegments || up.journal !== undefined) {
    if (call.signal.aborted) return toError(call.signal.reason);
    return largeUploadError(up, results, message, `; its segments are kept (${up.leaveSegments ? 'leaveSegments' : 'journal'})`, cause);
  }
  const prefix = up.protectedPrefix;
  // Not only the segments reported stored: one cut off by an abort or a
  // network error, or refused for its ETag, may be stored all the same (a
  // DELETE's later timestamp wins either way; a 404 counts as deleted).
  const doomed = [...new Set([...pathsOf(stored), ...(up.sent ?? [])])].filter(
    (p) => !up.protectedPaths.has(p) && !(prefix !== undefined && p.startsWith(prefix)),
  );
  if (call.signal.aborted) {
    await removeAfterAbort(call, doomed);
    return toError(call.signal.reason);
  }
  const deletions = await deleteSegments(call, doomed);
  const left = deletions.filter((d) => !d.success).length;
  const detail = left ? `; ${left} uploaded segments could not be removed` : doomed.length ? `; the ${doomed.length} uploaded segments were removed` : '';
  return largeUploadError(up, results, message, detail, cause);
}

/** Deletes segments (`container/name` paths), `segmentThreads` at a time, reporting each. */
export async function deleteSegments<R>(call: Call<R>, paths: Iterable<string>): Promise<DeleteSegmentResult[]> {
  const jobs: Array<Promise<DeleteSegmentResult>> = [];
  for (const path of paths) {
    const [container, obj] = splitPath(path);
    jobs.push(call.segmentLimit(() => deleteSegment(call, container, obj)));
  }
  return Promise.all(jobs);
}

/** How long an aborted upload may spend removing the segments it wrote. */
const ABORT_CLEANUP_MS = 10_000;

/**
 * An aborted upload leaves no orphans behind: the segments it stored are
 * deleted (all at once, no results reported, bounded in time) before the
 * call settles. python, which cannot be aborted, leaves them on Ctrl-C.
 */
async function removeAfterAbort<R>(call: Call<R>, paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  const signal = AbortSignal.timeout(ABORT_CLEANUP_MS);
  await Promise.allSettled(paths.map((path) => call.conn.deleteObject(...splitPath(path), { signal })));
}

/** python's `_delete_segment`: a 404 counts as deleted. */
export async function deleteSegment<R>(call: Call<R>, container: string, obj: string): Promise<DeleteSegmentResult> {
  const rd: ResponseDict = {};
  const result: DeleteSegmentResult = { action: 'delete_segment', success: true, container, object: obj, responseDict: rd };
  if (call.signal.aborted) return { ...result, success: false, error: toError(call.signal.reason) };
  try {
    await call.conn.deleteObject(container, obj, { responseDict: rd, signal: call.signal });
  } catch (err) {
    if (!(isMissing(err))) {
      result.success = false;
      result.error = toError(err);
    }
  }
  result.attempts = attemptsOf(rd);
  if (!call.signal.aborted) call.runner.emit(result as unknown as R);
  return result;
}
