import { promises as fsp } from 'node:fs';
import type { ObjectEntry } from '../ops/container.js';
import type { ServiceHandle } from './context.js';
import { isMissing, SwiftError } from './errors.js';
import { parseSyncLocation, type SyncLocation } from './sync-location.js';
import { chunkData, fileMd5, isIdentical } from './identical.js';
import { listAll } from './list.js';
import { mergeOptions } from './options.js';
import { joinPath, pythonMtime } from './naming.js';
import { expandUploads } from './upload-inputs.js';
import type { DeleteResult, DownloadObjectResult, DownloadOptions, ResultBase, UploadOptions, UploadResult } from './types.js';

export { parseSyncLocation, type SyncLocation } from './sync-location.js';

/**
 * Mirror sync between a local directory and a container (or a "folder" of
 * it): what is new or changed at the source is transferred (changed: another
 * size, else another MD5: per segment for large objects, or the mtime a
 * large object stores), what the destination has and the source does not is
 * deleted only with `delete`. Transfers go through the service's own upload
 * (large files as segments, resumable) and download (verified, resumable),
 * so a second run transfers nothing, and an interrupted run is finished by
 * the next.
 */

/** Options of {@link SwiftService.sync}: those of upload and download apply to the transfers. */
export interface SyncOptions extends Omit<UploadOptions, 'changed' | 'skipIdentical'>, Pick<DownloadOptions, 'ignoreMtime' | 'respChunkSize' | 'resume'> {
  /** Delete at the destination what the source does not have. @default false */
  delete?: boolean | undefined;
  /** Report the plan (`sync_plan` results); transfer and delete nothing. @default false */
  dryRun?: boolean | undefined;
}

/** One step of the plan, yielded as is by a dry run. */
export interface SyncPlanResult extends ResultBase {
  action: 'sync_plan';
  container: string;
  /** The object name. */
  object: string;
  /** The local file. */
  path: string;
  /** What would be done. */
  operation: 'upload' | 'download' | 'delete-object' | 'delete-file';
  /** Why: 'new', 'size' (sizes differ), 'content' (MD5s differ), 'absent' (not at the source). */
  reason: 'new' | 'size' | 'content' | 'absent';
}

/** What {@link SwiftService.sync} yields: the plan (dry run), or the results of the uploads, downloads and deletes. */
export type SyncResult = SyncPlanResult | UploadResult | DownloadObjectResult | DeleteResult | SyncDeleteFileResult;

/** A local file deleted because the container does not have its object. */
export interface SyncDeleteFileResult extends ResultBase {
  action: 'delete_file';
  container: string;
  object: string;
  /** The local file that was deleted. */
  path: string;
}

/** The transfers the service runs for a sync. */
export interface SyncTransfers {
  upload(container: string, objects: Array<{ source: string; objectName: string }>, options: UploadOptions): AsyncIterable<UploadResult>;
  download(container: string, objects: string[], options: DownloadOptions): AsyncIterable<DownloadObjectResult>;
  delete(container: string, objects: string[], options: object): AsyncIterable<DeleteResult>;
}

interface LocalFile {
  path: string;
  size: number;
}

/**
 * Files under `dir` by their relative name (`/`-separated). A missing
 * directory is empty as a destination, and an error as the source: a
 * mistyped source must never make `delete` empty the destination.
 */
async function localFiles(dir: string, isSource: boolean): Promise<Map<string, LocalFile>> {
  const files = new Map<string, LocalFile>();
  try {
    if (!(await fsp.stat(dir)).isDirectory()) throw new SwiftError(`${JSON.stringify(dir)} is not a directory`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (isSource) throw new SwiftError(`Local directory ${JSON.stringify(dir)} not found`, { cause: err });
    return files;
  }
  for await (const job of expandUploads([{ source: dir, objectName: '' }], '')) {
    // (expandUploads passes over an interrupted download's partial files: no sync sends or deletes them)
    if (job.kind !== 'file') continue;
    files.set(job.name, { path: job.path, size: (await fsp.stat(job.path)).size });
  }
  return files;
}

/**
 * The container's objects under the prefix, by name without it
 * (pseudo-directory markers left out). A missing container is empty as the
 * destination, and an error as the source (as for a local directory).
 */
async function remoteObjects(service: ServiceHandle, container: string, prefix: string, isSource: boolean, signal: AbortSignal): Promise<Map<string, ObjectEntry>> {
  const objects = new Map<string, ObjectEntry>();
  let entries: ObjectEntry[] = [];
  try {
    entries = await listAll(service.connection, container, prefix, signal);
  } catch (err) {
    if (!isMissing(err)) throw err;
    if (isSource) throw new SwiftError(`Container '${container}' not found`, { cause: err });
  }
  for (const e of entries) {
    if (e.name === undefined || e.name.endsWith('/')) continue;
    objects.set(e.name.slice(prefix.length), e);
  }
  return objects;
}

/**
 * Why a file and an object differ, or undefined when they are the same:
 * size first (a DLO's listing says 0 bytes: its HEAD tells), then the MD5 of
 * a plain object, or for a large object the mtime it stores, else its
 * segments' MD5s.
 */
async function difference(
  service: ServiceHandle,
  container: string,
  name: string,
  entry: ObjectEntry,
  file: LocalFile,
  signal: AbortSignal,
): Promise<'size' | 'content' | undefined> {
  const slo = (entry as { slo_etag?: string }).slo_etag !== undefined;
  const maybeDlo = !slo && entry.bytes === 0 && file.size !== 0;
  if (!slo && !maybeDlo) {
    if ((entry.bytes ?? -1) !== file.size) return 'size';
    return (await fileMd5(file.path, signal)) === entry.hash ? undefined : 'content';
  }
  const headers = await service.connection.headObject(container, name, { signal });
  if (Number(headers['content-length'] ?? -1) !== file.size) return 'size';
  const mtime = headers['x-object-meta-mtime'];
  if (mtime !== undefined && mtime === pythonMtime(await fsp.stat(file.path, { bigint: true }))) return undefined;
  const chunks = await chunkData(service.connection, container, name, headers, signal);
  return (await isIdentical(chunks, file.path, signal)) ? undefined : 'content';
}

/** The plan of a sync, step by step. */
export async function planSync(service: ServiceHandle, source: SyncLocation, destination: SyncLocation, o: SyncOptions, signal: AbortSignal): Promise<SyncPlanResult[]> {
  const up = source.kind === 'local';
  const local = up ? source : destination;
  const remote = up ? destination : source;
  if (local.kind !== 'local' || remote.kind !== 'swift') throw new SwiftError('sync goes between a local directory and swift://container[/prefix]');
  const [files, objects] = await Promise.all([localFiles(local.path, up), remoteObjects(service, remote.container, remote.prefix, !up, signal)]);
  const plan: SyncPlanResult[] = [];
  const step = (rel: string, operation: SyncPlanResult['operation'], reason: SyncPlanResult['reason']): void => {
    plan.push({ action: 'sync_plan', success: true, container: remote.container, object: remote.prefix + rel, path: joinPath(local.path, rel), operation, reason });
  };
  const names = up ? [...files.keys()] : [...objects.keys()];
  for (const rel of names.sort()) {
    const file = files.get(rel);
    const entry = objects.get(rel);
    if (file === undefined || entry === undefined) {
      step(rel, up ? 'upload' : 'download', 'new');
      continue;
    }
    const why = await difference(service, remote.container, remote.prefix + rel, entry, file, signal);
    if (why !== undefined) step(rel, up ? 'upload' : 'download', why);
  }
  if (o.delete) {
    const extra = up ? [...objects.keys()].filter((n) => !files.has(n)) : [...files.keys()].filter((n) => !objects.has(n));
    for (const rel of extra.sort()) step(rel, up ? 'delete-object' : 'delete-file', 'absent');
  }
  return plan;
}

/** Runs a sync: the plan, then its uploads or downloads, then its deletes. */
export async function* sync(
  service: ServiceHandle & SyncTransfers,
  defaults: SyncOptions,
  source: string,
  destination: string,
  options: SyncOptions | undefined,
): AsyncGenerator<SyncResult, void, undefined> {
  const o = mergeOptions<SyncOptions>(defaults, options);
  const from = parseSyncLocation(source);
  const to = parseSyncLocation(destination);
  const signal = o.signal ?? new AbortController().signal;
  const plan = await planSync(service, from, to, o, signal);
  if (o.dryRun) {
    yield* plan;
    return;
  }
  const { delete: _delete, dryRun: _dryRun, ...transferOptions } = o;
  const remote = (from.kind === 'swift' ? from : to) as Extract<SyncLocation, { kind: 'swift' }>;
  const local = (from.kind === 'local' ? from : to) as Extract<SyncLocation, { kind: 'local' }>;
  const uploads = plan.filter((s) => s.operation === 'upload').map((s) => ({ source: s.path, objectName: s.object }));
  if (uploads.length > 0) yield* service.upload(remote.container, uploads, transferOptions);
  const downloads = plan.filter((s) => s.operation === 'download').map((s) => s.object);
  if (downloads.length > 0) {
    yield* service.download(remote.container, downloads, { ...transferOptions, outputDir: local.path, prefix: remote.prefix, removePrefix: true });
  }
  const deletes = plan.filter((s) => s.operation === 'delete-object').map((s) => s.object);
  if (deletes.length > 0) yield* service.delete(remote.container, deletes, { signal: o.signal, headers: o.headers });
  for (const s of plan.filter((p) => p.operation === 'delete-file')) {
    if (signal.aborted) throw signal.reason;
    const result: SyncDeleteFileResult = { action: 'delete_file', success: true, container: s.container, object: s.object, path: s.path };
    try {
      await fsp.rm(s.path);
    } catch (err) {
      Object.assign(result, { success: false, error: err as Error });
    }
    yield result;
  }
}
