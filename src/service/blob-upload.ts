// A Blob (a browser's File) uploaded as SwiftService.upload uploads one:
// one PUT when small, else an SLO of blob.slice() segments sent
// `segmentThreads` at a time through the service's segment pool, each
// MD5-checked against its ETag, then the manifest. Loads without node:fs, so
// the browser entry carries it (SwiftService itself reads local files).
import type { Connection } from '../connection.js';
import type { ResponseDict } from '../ops/request.js';
import { createContainer, policyHeader } from './containers.js';
import { startCall, type Call } from './context.js';
import { toError } from './errors.js';
import { attemptsOf, parseSegmentSize, splitHeaders } from './options.js';
import { cleanObjectName, percentF, pythonNowMtime, segmentContainerOf } from './naming.js';
import { countedSource, Progress } from './progress.js';
import { blobRanges } from './ranged-source.js';
import { LargeUploadError, uploadFileSegments, type LargeUpload } from './segments.js';
import type { HeaderPairs, ProgressEvent, UploadObjectResult, UploadResult, UploadSegmentResult } from './types.js';

/** Segment size of {@link uploadBlob} unless given: 16 MiB. */
export const DEFAULT_BLOB_SEGMENT_SIZE = 16 * 1024 * 1024;

/** Options of {@link uploadBlob}: SwiftService.upload's, for one Blob. */
export interface UploadBlobOptions {
  /**
   * A Blob larger than this goes up as an SLO of segments of this size
   * (bytes, or `'100M'`-style with a B, K, M or G suffix); 0 sends it in one
   * PUT (in a browser at most 64 MiB, `BROWSER_UPLOAD_LIMIT`). @default 16 MiB
   */
  segmentSize?: number | string | undefined;
  /** Segments sent at a time. A browser opens at most 6 HTTP/1.1 connections per host. @default 4 */
  segmentThreads?: number | undefined;
  /** Where the segments go. @default `<container>_segments` */
  segmentContainer?: string | undefined;
  /** `X-Object-Meta-*` of the object, names without the prefix. */
  meta?: HeaderPairs | undefined;
  /** More headers of the object's PUT (e.g. `Content-Type`, `X-Delete-After`). */
  headers?: HeaderPairs | undefined;
  /** Do not create the container and the segment container first (a page may write into containers it cannot create). */
  skipContainerPut?: boolean | undefined;
  /** On a failure, keep the segments already stored (a later run reuses them). @default false */
  leaveSegments?: boolean | undefined;
  /** Reuse segments an interrupted earlier upload of the same File stored (same name, size, lastModified; each MD5-checked). @default true */
  resume?: boolean | undefined;
  /** `false` skips the MD5 check of each PUT. @default the Connection's `checksum` */
  checksum?: boolean | undefined;
  /**
   * Told the bytes sent as each segment (or the whole Blob) goes out; see
   * SwiftService's `onProgress`. `bytesTotal` is always known here: the Blob's size.
   */
  onProgress?: ((event: ProgressEvent & { bytesTotal: number }) => void) | undefined;
  /** Told each result as it completes: container creates, and each segment's `upload_segment`. */
  onResult?: ((result: UploadResult) => void) | undefined;
  /** Stops the upload: requests in flight are aborted, the segments stored so far removed, and the call rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/**
 * Uploads a `Blob` or `File` to `container/objectName` the way
 * `SwiftService.upload` uploads a file: larger than `segmentSize`, as a
 * static large object whose segments are `blob.slice()`s sent
 * `segmentThreads` at a time (python's segment names, the File's
 * `lastModified` as the mtime, so an interrupted upload of the same File
 * resumes), each checked against its ETag; else one PUT. Progress through
 * `onProgress`. Runs in browsers (the only bulk upload the browser entry
 * has) and on Node, Deno and Bun.
 *
 * Resolves to the `upload_object` result (`segmentResults` for a large
 * object); rejects with the error when the upload failed (its segments
 * removed unless `leaveSegments`), or with the signal's reason when aborted.
 * Unlike `SwiftService.upload` it does not look at the object it replaces:
 * the segments of a large object it overwrites stay.
 *
 * @example
 * const file = input.files[0];
 * await uploadBlob(conn, 'uploads', file.name, file, {
 *   segmentSize: '8M',
 *   onProgress: ({ bytesDone, bytesTotal }) => (bar.value = bytesDone / bytesTotal),
 * });
 */
export async function uploadBlob(
  connection: Connection,
  container: string,
  objectName: string,
  blob: Blob,
  options: UploadBlobOptions = {},
): Promise<UploadObjectResult> {
  const segmentSize = parseSegmentSize(options.segmentSize ?? DEFAULT_BLOB_SEGMENT_SIZE);
  const call = startCall<UploadResult>(
    { connection, info: async () => undefined },
    { segmentThreads: options.segmentThreads ?? 4, signal: options.signal, ...(options.checksum === false ? { checksum: false } : {}) },
  );
  let outcome: UploadObjectResult | undefined;
  call.runner.spawn(async () => {
    outcome = await putBlob(call, options, container, cleanObjectName(objectName), blob, segmentSize);
  });
  for await (const result of call.runner.drain()) {
    try {
      options.onResult?.(result);
    } catch {
      // a faulty listener must not break the upload
    }
  }
  const result = outcome as UploadObjectResult;
  if (!result.success) throw result.error;
  return result;
}

async function putBlob(
  call: Call<UploadResult>,
  o: UploadBlobOptions,
  container: string,
  obj: string,
  blob: Blob,
  segmentSize: number,
): Promise<UploadObjectResult> {
  const size = blob.size;
  const lastModified = (blob as { lastModified?: unknown }).lastModified;
  const mtime = typeof lastModified === 'number' ? percentF(lastModified / 1000) : pythonNowMtime();
  const putHeaders: Record<string, string> = { 'x-object-meta-mtime': mtime, ...splitHeaders(o.meta, 'x-object-meta-'), ...splitHeaders(o.headers) };
  const res: UploadObjectResult = { action: 'upload_object', success: false, container, object: obj, path: undefined, headers: putHeaders };
  const large = segmentSize > 0 && size > segmentSize;
  const segmentContainer = segmentContainerOf(container, o.segmentContainer);
  let rd: ResponseDict = {};
  try {
    if (!o.skipContainerPut) {
      const policy = policyHeader(splitHeaders(o.headers));
      call.runner.emit(await createContainer(call, container, policy));
      if (large && segmentContainer !== container) {
        call.runner.emit(await createContainer(call, segmentContainer, policy, Object.keys(policy).length > 0 ? undefined : container));
      }
    }
    // The listener takes events whose bytesTotal is a number: this Progress always has one (size).
    const progress = new Progress(o.onProgress as ((event: ProgressEvent) => void) | undefined, 'upload', container, obj, size);
    progress.report();
    const ranges = blobRanges(blob);
    if (large) {
      const up: LargeUpload = {
        container,
        obj,
        segmentContainer,
        segmentSize,
        useSlo: true,
        putHeaders,
        mtime,
        protectedPaths: new Set(),
        progress,
        leaveSegments: o.leaveSegments === true,
        resume: o.resume !== false,
      };
      res.largeObject = true;
      const manifest = await uploadFileSegments(call, up, ranges, size);
      res.segmentResults = manifest.segmentResults;
      res.manifestResponseDict = rd = manifest.manifestResponseDict;
    } else {
      res.largeObject = false;
      res.responseDict = rd;
      await call.conn.putObject(container, obj, countedSource(ranges.range(0, size), progress, 0), {
        contentLength: size,
        headers: putHeaders,
        responseDict: rd,
        signal: call.signal,
        checksum: call.checksum,
      });
    }
    Object.assign(res, { success: true, status: 'uploaded', bytes: size });
  } catch (err) {
    res.error = toError(err);
    if (err instanceof LargeUploadError) res.segmentResults = err.segmentResults as UploadSegmentResult[];
  }
  res.attempts = attemptsOf(rd);
  return res;
}
