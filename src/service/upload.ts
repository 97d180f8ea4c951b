import { promises as fsp } from 'node:fs';
import type { Capabilities } from '../ops/capabilities.js';
import type { ResponseDict } from '../ops/request.js';
import { createContainer, policyHeader } from './containers.js';
import { roomFor, schedule, startCall, type Call, type ServiceHandle } from './context.js';
import { isMissing, SwiftError, toError } from './errors.js';
import { attemptsOf, mergeOptions, parseSegmentSize, splitHeaders } from './options.js';
import { cleanObjectName, DIR_MARKER_TYPES, EMPTY_ETAG, pythonMtime, pythonNowMtime, segmentContainerOf } from './naming.js';
import { checkUploadObjects, expandUploads, type UploadJob } from './upload-inputs.js';
import { uploadObject, type LargeMode } from './upload-object.js';
import type { CreateDirMarkerResult, UploadObject, UploadOptions, UploadResult } from './types.js';

/**
 * python's `SwiftService.upload`: creates the container (and the segment
 * container when segmenting), then uploads every file, directory tree,
 * stream or buffer, `objectThreads` objects and `segmentThreads` segments at
 * a time, yielding a result per container, object, segment and deleted old
 * segment as each completes.
 */
export async function* upload(
  service: ServiceHandle,
  defaults: UploadOptions,
  target: string,
  objects: ReadonlyArray<string | UploadObject>,
  options: UploadOptions | undefined,
): AsyncGenerator<UploadResult, void, undefined> {
  const o = mergeOptions<UploadOptions>(defaults, options);
  checkUploadObjects(objects, o.journal);
  // 'container/pseudo/folder': the rest of the path prefixes every object name
  const slash = target.indexOf('/');
  const container = slash < 0 ? target : target.slice(0, slash);
  const pseudoFolder = slash < 0 ? '' : target.slice(slash + 1);
  if (!container) throw new SwiftError('Container name must not be empty');
  const mode = await largeMode(() => service.info(o.signal), o, container);
  const call = startCall<UploadResult>(service, o);
  call.runner.spawn(async () => {
    if (!o.skipContainerPut) await createContainers(call, o, container, mode);
    for await (const job of expandUploads(objects, pseudoFolder)) {
      if (call.signal.aborted) return;
      schedule(call, call.objectLimit, () => runJob(call, o, container, job, mode), () => cancelled(container, job));
      await roomFor(call, call.objectLimit);
    }
  });
  yield* call.runner.drain();
}

async function createContainers(call: Call<UploadResult>, o: UploadOptions, container: string, mode: LargeMode): Promise<void> {
  const policy = policyHeader(splitHeaders(o.headers));
  call.runner.emit(await createContainer(call, container, policy));
  if (mode.segmentSize > 0 && mode.segmentContainer !== container) {
    // Without an explicit policy, segments get the policy of the main container.
    const hasPolicy = Object.keys(policy).length > 0;
    call.runner.emit(await createContainer(call, mode.segmentContainer, policy, hasPolicy ? undefined : container));
  }
}

async function runJob(call: Call<UploadResult>, base: UploadOptions, container: string, job: UploadJob, baseMode: LargeMode): Promise<UploadResult> {
  const o = job.options ? mergeOptions<UploadOptions>(base, job.options) : base;
  if (job.kind === 'dir') return dirMarker(call, o, container, job.name, job.path);
  let mode = baseMode;
  if (job.options) {
    try {
      mode = await largeMode(call.info, o, container);
    } catch (err) {
      return { action: 'upload_object', success: false, container, object: cleanObjectName(job.name), path: pathOf(job), error: toError(err) };
    }
  }
  return uploadObject(call, o, container, job, mode);
}

function pathOf(job: UploadJob): string | undefined {
  return job.kind === 'data' ? undefined : job.path;
}

function cancelled(container: string, job: UploadJob): UploadResult {
  const error = new SwiftError('Not started: an earlier operation failed and failFast is set');
  const object = cleanObjectName(job.name);
  if (job.kind === 'dir') return { action: 'create_dir_marker', success: false, status: 'cancelled', container, object, path: job.path, error };
  return { action: 'upload_object', success: false, status: 'cancelled', container, object, path: pathOf(job), error };
}

/**
 * Whether and how large files are split, checked against /info: the segment
 * size must fit swift.max_file_size and, for SLO, slo.min_segment_size. SLO
 * is the default when the cluster offers it.
 */
export async function largeMode(info: () => Promise<Capabilities | undefined>, o: UploadOptions, container: string): Promise<LargeMode> {
  const segmentSize = parseSegmentSize(o.segmentSize);
  const segmentContainer = segmentContainerOf(container, o.segmentContainer);
  if (segmentSize === 0) return { segmentSize, useSlo: false, segmentContainer, maxSegments: undefined };
  if (o.useSlo === true && o.useDlo === true) throw new SwiftError('useSlo and useDlo cannot both be set');
  const caps = await info();
  const slo = caps?.slo;
  const useSlo = o.useDlo === true ? false : (o.useSlo ?? slo !== undefined);
  if (useSlo && caps !== undefined && slo === undefined) {
    throw new SwiftError('The cluster does not offer static large objects (no "slo" in /info): use useDlo');
  }
  const maxFileSize = numberOf(caps?.swift?.max_file_size);
  if (maxFileSize !== undefined && segmentSize > maxFileSize) {
    throw new SwiftError(`segmentSize ${segmentSize} is larger than the cluster's max_file_size of ${maxFileSize} bytes`);
  }
  const minSegment = numberOf(slo?.min_segment_size);
  if (useSlo && minSegment !== undefined && segmentSize < minSegment) {
    throw new SwiftError(`segmentSize ${segmentSize} is smaller than the cluster's slo min_segment_size of ${minSegment} bytes`);
  }
  return { segmentSize, useSlo, segmentContainer, maxSegments: useSlo ? numberOf(slo?.max_manifest_segments) : undefined };
}

function numberOf(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/**
 * python's `_create_dir_marker_job`: an empty `application/directory`
 * object; with `changed`, skipped when an identical marker is there.
 */
async function dirMarker(
  call: Call<UploadResult>,
  o: UploadOptions,
  container: string,
  name: string,
  path: string | undefined,
): Promise<CreateDirMarkerResult> {
  const obj = cleanObjectName(name);
  const rd: ResponseDict = {};
  const res: CreateDirMarkerResult = { action: 'create_dir_marker', success: false, container, object: obj, path };
  try {
    const mtime = path === undefined ? pythonNowMtime() : pythonMtime(await fsp.stat(path, { bigint: true }));
    const headers = { 'x-object-meta-mtime': mtime };
    res.headers = headers;
    if (o.changed) {
      try {
        const h = await call.conn.headObject(container, obj, { signal: call.signal });
        const type = (h['content-type'] ?? '').split(';', 1)[0] as string;
        if (DIR_MARKER_TYPES.includes(type) && h['content-length'] === '0' && h.etag === EMPTY_ETAG && h['x-object-meta-mtime'] === mtime) {
          res.success = true;
          return res;
        }
      } catch (err) {
        if (!(isMissing(err))) throw err;
      }
    }
    await call.conn.putObject(container, obj, '', {
      contentLength: 0,
      contentType: DIR_MARKER_TYPES[0],
      headers,
      responseDict: rd,
      signal: call.signal,
    });
    res.success = true;
    res.responseDict = rd;
  } catch (err) {
    res.error = toError(err);
    res.responseDict = rd;
  }
  res.attempts = attemptsOf(rd);
  return res;
}
