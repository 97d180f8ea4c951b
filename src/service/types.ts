import type { Readable } from '../platform/node-types.js';
import type { HeaderValue, ResponseHeaders } from '../http/headers.js';
import type { ContainerEntry } from '../ops/account.js';
import type { Capabilities } from '../ops/capabilities.js';
import type { ObjectEntry } from '../ops/container.js';
import type { ResponseDict } from '../ops/request.js';

/**
 * Headers or metadata as python-swiftclient takes them: `'Name: value'`
 * strings, `[name, value]` pairs, or a plain object.
 */
export type HeaderPairs =
  | Readonly<Record<string, HeaderValue>>
  | ReadonlyArray<string | readonly [string, HeaderValue]>;

/** A transfer's progress; `bytesTotal` is undefined for streams of unknown length. */
export interface ProgressEvent {
  /** Which transfer this is. */
  action: 'upload' | 'download';
  /** The object's container. */
  container: string;
  /** The object's name. */
  object: string;
  /** Bytes of this object sent or written so far. */
  bytesDone: number;
  /** The object's size in bytes, when known. */
  bytesTotal: number | undefined;
}

/** Concurrency limits; each call gets its own pools. */
export interface ThreadOptions {
  /** Objects transferred, stat'ed, posted, copied or deleted at once. @default 10 */
  objectThreads?: number | undefined;
  /** Segments uploaded or deleted at once, shared by all objects of a call. @default 10 */
  segmentThreads?: number | undefined;
  /** Containers created, listed or deleted at once. @default 10 */
  containerThreads?: number | undefined;
}

/** Options every service call takes. */
export interface CommonOptions extends ThreadOptions {
  /** Stops the call: no new requests, requests in flight aborted; the iterator rejects with the reason. */
  signal?: AbortSignal | undefined;
  /** Extra request headers (python's `header`). */
  headers?: HeaderPairs | undefined;
  /** After the first failure, start nothing new (the rest is reported as `cancelled`). @default false */
  failFast?: boolean | undefined;
}

/** Options of `SwiftService.upload` (python's `upload` options). */
export interface UploadOptions extends CommonOptions {
  /** Object metadata (sent as `X-Object-Meta-<name>`). */
  meta?: HeaderPairs | undefined;
  /** Split files larger than this into segments: bytes, or `'100M'` style (B, K, M, G). @default 0 (never) */
  segmentSize?: number | string | undefined;
  /** Where segments go. @default `<container>_segments` */
  segmentContainer?: string | undefined;
  /** Static large objects. @default true when /info offers SLO, else false (DLO) */
  useSlo?: boolean | undefined;
  /** Dynamic large objects (same as `useSlo: false`). @default false */
  useDlo?: boolean | undefined;
  /** Keep the segments of a manifest that is overwritten. @default false */
  leaveSegments?: boolean | undefined;
  /** Skip files whose size and mtime match the object's. @default false */
  changed?: boolean | undefined;
  /** Skip files whose MD5 (per segment for large objects) matches the object's. @default false */
  skipIdentical?: boolean | undefined;
  /** Assume the containers exist; do not try to create them. @default false */
  skipContainerPut?: boolean | undefined;
  /** Verify what was sent against the ETags returned. @default true */
  checksum?: boolean | undefined;
  /** Upload `null` sources as directory markers. @default false */
  dirMarker?: boolean | undefined;
  /**
   * Resume a segmented file upload that an earlier run (this client's or
   * python's `swift upload`, killed or failed) left half done: one listing
   * of the segment names finds the segments already stored, and each one
   * whose size and MD5 equal the file's byte range is reused instead of
   * sent again. The names carry the file's mtime and size, so a changed file
   * starts afresh. Streams (no stable identity) start afresh unless given a
   * `journal`. `false` sends every segment without looking (and ignores a
   * journal's content). @default true
   */
  resume?: boolean | undefined;
  /**
   * A local file recording the segments of a stream upload (stdin, a
   * generator, a `Readable`) as they are stored, so that a re-run with the
   * same journal and the same stream resumes: the stream is read from the
   * start, and each segment-sized piece whose MD5 and size equal the
   * journal's, and whose segment is still stored, is read past instead of
   * sent. The first piece that differs makes the rest of the journal stale:
   * from there everything is sent under fresh segment names, and the stale
   * segments are deleted once the new manifest is written. The file is
   * created when missing, started afresh when it belongs to another object or
   * segment size, and removed when the upload succeeds; a failed upload keeps
   * it and its segments (a new run, or `cleanup`, takes care of them). Only
   * for streams uploaded as SLO segments (files resume by their segment
   * names without one); one journal per stream, so with several streams in a
   * call give each its own in its `options`. @default none: a stream starts
   * afresh
   * @example
   * swift.upload('backups', [{ source: process.stdin, objectName: 'db.dump', options: { journal: '/var/tmp/db.dump.journal' } }], { segmentSize: '64M' })
   */
  journal?: string | undefined;
  /** Called as bytes of each object are sent. Exceptions it throws are ignored. */
  onProgress?: ((event: ProgressEvent) => void) | undefined;
}

/**
 * What an upload reads: a path (file or directory), bytes, a `Blob` (a
 * browser's `File`: segmented by `blob.slice()` when larger than
 * `segmentSize`, like a file), a stream, or `null` (empty object).
 */
export type UploadSource =
  | string
  | Uint8Array
  | Blob
  | Readable
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | null;

/** One upload with its own name and options (python's `SwiftUploadObject`). */
export interface UploadObject {
  /**
   * What to upload: a local path (file or directory), bytes, a stream, or `null` (an empty object, or a directory marker with `dirMarker`).
   */
  source: UploadSource;
  /** Required unless `source` is a path; for a directory, replaces the directory's path in every name. */
  objectName?: string | undefined;
  /** Options for this object only, over the call's. */
  options?: UploadObjectOptions | undefined;
}

/** Options one object of an upload may override. */
export type UploadObjectOptions = Pick<
  UploadOptions,
  'meta' | 'headers' | 'segmentSize' | 'useSlo' | 'useDlo' | 'leaveSegments' | 'changed' | 'skipIdentical' | 'checksum' | 'dirMarker' | 'resume' | 'journal'
>;

/** Options of `SwiftService.download` (python's `download` options). */
export interface DownloadOptions extends CommonOptions {
  /** With no container: download every container (paths become `<container>/<object>`). @default false */
  yesAll?: boolean | undefined;
  /** Start listing after this name. */
  marker?: string | undefined;
  /** Only objects whose names start with this. */
  prefix?: string | undefined;
  /** Fetch and check, but write nothing. @default false */
  noDownload?: boolean | undefined;
  /** Skip objects whose MD5 (per segment for large objects) matches the local file. @default false */
  skipIdentical?: boolean | undefined;
  /** Download this version. */
  versionId?: string | undefined;
  /** Directory to write into. @default the current directory */
  outputDir?: string | undefined;
  /** Write the single object requested to this file; `'-'`: hand its bytes back as the result's `contents`. */
  outFile?: string | undefined;
  /** Strip `prefix` from the local paths. @default false */
  removePrefix?: boolean | undefined;
  /** Verify MD5s of whole, non-manifest objects. @default true */
  checksum?: boolean | undefined;
  /** Download in random order. @default false */
  shuffle?: boolean | undefined;
  /** Do not set the files' mtime from X-Object-Meta-Mtime. @default false */
  ignoreMtime?: boolean | undefined;
  /** Size of the chunks read from the network and written to disk. @default 65536 */
  respChunkSize?: number | undefined;
  /** Called as bytes of each object are written. Exceptions it throws are ignored. */
  onProgress?: ((event: ProgressEvent) => void) | undefined;
  /**
   * Keep the partial file of a download that fails or is killed (beside the
   * target, as `.<name>.swiftclient-partial` with a `.json` state file), and
   * continue from it on the next run: `Range` + `If-Match` for a plain
   * object, the segments already in place for a large one; an object that
   * changed meanwhile is downloaded from the start. `false`: a failure
   * removes the partial file, and an existing one is ignored. @default true
   */
  resume?: boolean | undefined;
}

/** Options of `SwiftService.delete` (python's `delete` options). */
export interface DeleteOptions extends CommonOptions {
  /** With no container: delete every container and everything in it. @default false */
  yesAll?: boolean | undefined;
  /** Keep the segments of deleted manifests. @default false */
  leaveSegments?: boolean | undefined;
  /** Delete this version. */
  versionId?: string | undefined;
  /** Only objects whose names start with this (the container itself is kept). */
  prefix?: string | undefined;
  /** Delete every version of every object of the container. @default false */
  versions?: boolean | undefined;
}

/** One object to delete with its own options (python's `SwiftDeleteObject`). */
export interface DeleteObject {
  /** The object to delete. */
  objectName: string;
  /** Options for this object only, over the call's. */
  options?: Pick<DeleteOptions, 'leaveSegments' | 'versionId' | 'headers'> | undefined;
}

/** Options of `SwiftService.list` (python's `list` options). */
export interface ListOptions extends CommonOptions {
  /** Add each container's headers (`meta`) to account listings. @default false */
  long?: boolean | undefined;
  /** Only names starting with this. */
  prefix?: string | undefined;
  /** Roll names up to this character into `{ subdir }` entries (e.g. `'/'`). */
  delimiter?: string | undefined;
  /** Start listing after this name. */
  marker?: string | undefined;
  /** List object versions. @default false */
  versions?: boolean | undefined;
}

/** Options of `SwiftService.stat`. */
export interface StatOptions extends CommonOptions {
  /** Stat this version of the object (object versioning). */
  versionId?: string | undefined;
}

/** Options of `SwiftService.post` (python's `post` options). */
export interface PostOptions extends CommonOptions {
  /** Metadata: `X-Account-Meta-`, `X-Container-Meta-` or `X-Object-Meta-<name>`. */
  meta?: HeaderPairs | undefined;
  /** Containers only: the read ACL (`X-Container-Read`, e.g. `'.r:*'`). */
  readAcl?: string | undefined;
  /** Containers only: the write ACL (`X-Container-Write`). */
  writeAcl?: string | undefined;
  /** Containers only: container sync target (`X-Container-Sync-To`). */
  syncTo?: string | undefined;
  /** Containers only: container sync secret (`X-Container-Sync-Key`). */
  syncKey?: string | undefined;
}

/** One object to post with its own metadata (python's `SwiftPostObject`). */
export interface PostObject {
  /** The object to post to. */
  objectName: string;
  /** Metadata and headers for this object only, over the call's. */
  options?: Pick<PostOptions, 'meta' | 'headers'> | undefined;
}

/** Options of `SwiftService.copy` (python's `copy` options). */
export interface CopyOptions extends CommonOptions {
  /** Metadata for the copies (`X-Object-Meta-<name>`), merged over the source's unless `freshMetadata`. */
  meta?: HeaderPairs | undefined;
  /** `/container` or `/container/object`. @default the object itself */
  destination?: string | undefined;
  /** Start from no metadata instead of the source's. @default false */
  freshMetadata?: boolean | undefined;
}

/** One object to copy with its own options (python's `SwiftCopyObject`). */
export interface CopyObject {
  /** The object to copy. */
  objectName: string;
  /** Options for this object only, over the call's. */
  options?: Pick<CopyOptions, 'meta' | 'headers' | 'destination' | 'freshMetadata'> | undefined;
}

/** Defaults for every call of a service (python's service `options`). */
export type ServiceDefaults = Omit<
  UploadOptions & DownloadOptions & DeleteOptions & ListOptions & StatOptions & PostOptions & CopyOptions,
  'signal'
>;

/** Fields shared by every result, as in python's result dicts. */
export interface ResultBase {
  /** What was done, as python names it (`upload_object`, `delete_container`, ...). */
  action: string;
  /** Whether it worked; when false, `error` says why. */
  success: boolean;
  /** The container concerned (undefined for account-level results). */
  container: string | undefined;
  /** The object concerned, if any. */
  object?: string | undefined;
  /** Why it failed (a ClientException, SwiftError or the caller's stream error). */
  error?: Error | undefined;
  /** Tries the request took (retries included). */
  attempts?: number | undefined;
  /** Status, reason and headers of the request behind this result. */
  responseDict?: ResponseDict | undefined;
  /**
   * 'cancelled' when failFast stopped the call before this ran;
   * 'already-deleted' for an object of a container being emptied that was gone by the time its DELETE came.
   */
  status?: string | undefined;
}

/** A container created (or found existing) before an upload or copy. */
export interface CreateContainerResult extends ResultBase {
  /** Always `'create_container'`. */
  action: 'create_container';
  /** Headers sent with the PUT. */
  headers: Record<string, string>;
}

/** A directory marker object created (`dirMarker`, or an empty local directory). */
export interface CreateDirMarkerResult extends ResultBase {
  /** Always `'create_dir_marker'`. */
  action: 'create_dir_marker';
  /** The marker object's name. */
  object: string;
  /** The local directory it stands for. */
  path: string | undefined;
  /** Headers sent with the PUT. */
  headers?: Record<string, string> | undefined;
}

/** One segment of a large object uploaded. */
export interface UploadSegmentResult extends ResultBase {
  /** Always `'upload_segment'`. */
  action: 'upload_segment';
  /** The segment container and segment name. */
  object: string;
  /** Container of the large object the segment belongs to. */
  forContainer: string;
  /** Name of the large object the segment belongs to. */
  forObject: string;
  /** Position of the segment in the object (0 first). */
  segmentIndex: number;
  /** The segment's size in bytes. */
  segmentSize: number;
  /** `/<segment container>/<segment name>`. */
  segmentLocation: string;
  /** The segment's ETag (MD5, hex) as the server returned it. */
  segmentEtag?: string | undefined;
  /** The line `swift upload` prints for the segment. */
  logLine: string;
}

/** One old segment removed (an overwritten manifest's, or a failed upload's). */
export interface DeleteSegmentResult extends ResultBase {
  /** Always `'delete_segment'`. */
  action: 'delete_segment';
  /** The segment's name. */
  object: string;
}

/** One object uploaded (or skipped, or failed). */
export interface UploadObjectResult extends ResultBase {
  /** Always `'upload_object'`. */
  action: 'upload_object';
  /** The object's name. */
  object: string;
  /** The local file, when the source was a path. */
  path: string | undefined;
  /** 'uploaded', 'skipped-identical', 'skipped-changed' or 'cancelled'. */
  status?: string | undefined;
  /** Headers sent with the PUT. */
  headers?: Record<string, string> | undefined;
  /** Whether it went up in segments with a manifest. */
  largeObject?: boolean | undefined;
  /** Bytes uploaded. */
  bytes?: number | undefined;
  /** Each segment's result, for a large object. */
  segmentResults?: UploadSegmentResult[] | undefined;
  /** Status, reason and headers of the manifest PUT, for a large object. */
  manifestResponseDict?: ResponseDict | undefined;
  /** Old segments removed because the object was overwritten. */
  segmentDeleteResults?: DeleteSegmentResult[] | undefined;
}

/** Any result `SwiftService.upload` yields; switch on `action`. */
export type UploadResult = CreateContainerResult | CreateDirMarkerResult | UploadObjectResult | UploadSegmentResult | DeleteSegmentResult;

/** One object downloaded (or skipped, or failed). */
export interface DownloadObjectResult extends ResultBase {
  /** Always `'download_object'`. */
  action: 'download_object';
  /** The object's name. */
  object: string;
  /** The local file written (or that would have been, with `noDownload`). */
  path: string;
  /** The object name ends in '/': nothing was written. */
  pseudodir: boolean;
  /** 'skipped-identical' when skipIdentical found the local file identical. */
  status?: string | undefined;
  /** Bytes received. */
  readLength?: number | undefined;
  /** The object's size in bytes (Content-Length). */
  bytes?: number | undefined;
  /** Seconds since the epoch, as python's `time()`. */
  startTime?: number | undefined;
  /** When the response headers came, seconds since the epoch. */
  headersReceipt?: number | undefined;
  /** When the last byte was written, seconds since the epoch. */
  finishTime?: number | undefined;
  /** The object's response headers. */
  headers?: ResponseHeaders | undefined;
  /** Bytes a partial file of an earlier, interrupted run already held (not downloaded again). */
  reusedBytes?: number | undefined;
  /**
   * With `outFile: '-'`: the object's bytes, for the caller to read (as
   * python's `contents`); nothing is written. Reading it checks the MD5 and
   * the length at the end (a mismatch throws) and then sets `readLength`,
   * `bytes` and `finishTime`. Read it to the end, or break out of the loop,
   * to release the connection.
   */
  contents?: AsyncIterable<Buffer> | undefined;
}

/** One object deleted (or failed). */
export interface DeleteObjectResult extends ResultBase {
  /** Always `'delete_object'`. */
  action: 'delete_object';
  /** The object's name. */
  object: string;
  /** Deleted through the bulk middleware. */
  bulkDelete?: boolean | undefined;
  /** Whether the segments of a DLO manifest were deleted with it. */
  dloSegmentsDeleted?: boolean | undefined;
}

/** One container deleted (or failed). */
export interface DeleteContainerResult extends ResultBase {
  /** Always `'delete_container'`. */
  action: 'delete_container';
}

/** Any result `SwiftService.delete` yields; switch on `action`. */
export type DeleteResult = DeleteObjectResult | DeleteSegmentResult | DeleteContainerResult;

/** One page of an account or container listing. */
export interface ListResult extends ResultBase {
  /** `'list_account_part'` or `'list_container_part'`. */
  action: 'list_account_part' | 'list_container_part';
  /** The prefix listed. */
  prefix: string | undefined;
  /** The marker this page started after. */
  marker: string | undefined;
  /**
   * The page's entries, as the server sent them (with `long`, containers carry their headers as `meta`).
   */
  listing: Array<ObjectEntry | (ContainerEntry & { meta?: ResponseHeaders })>;
}

/** The headers of the account, a container or an object. */
export interface StatResult extends ResultBase {
  /** Which level was stat'ed. */
  action: 'stat_account' | 'stat_container' | 'stat_object';
  /** The HEAD's response headers. */
  headers?: ResponseHeaders | undefined;
  /** Label/value pairs as `swift stat` prints them. */
  items?: Array<[string, string | number | undefined]> | undefined;
}

/** One account, container or object posted to. */
export interface PostResult extends ResultBase {
  /** Which level was posted to. */
  action: 'post_account' | 'post_container' | 'post_object';
  /** Headers sent. */
  headers: Record<string, string>;
}

/** One object copied (or failed). */
export interface CopyObjectResult extends ResultBase {
  /** Always `'copy_object'`. */
  action: 'copy_object';
  /** The source object's name. */
  object: string;
  /** `/container/object` of the copy (undefined: copied onto itself). */
  destination: string | undefined;
  /** Headers sent with the COPY. */
  headers: Record<string, string>;
  /** Whether the copy started from no metadata. */
  freshMetadata: boolean;
}

/** Any result `SwiftService.copy` yields; switch on `action`. */
export type CopyResult = CreateContainerResult | CopyObjectResult;

/** What `SwiftService.capabilities` resolves to. */
export interface CapabilitiesResult {
  /** Always `'capabilities'`. */
  action: 'capabilities';
  /** Whether `/info` was read. */
  success: boolean;
  /** The cluster's `/info` document. */
  capabilities?: Capabilities | undefined;
  /** Why it failed. */
  error?: Error | undefined;
  /** The `/info` URL asked. */
  url?: string | undefined;
  /** Seconds since the epoch. */
  timestamp: number;
}

/** Any result a service call yields. */
export type ServiceResult = UploadResult | DownloadObjectResult | DeleteResult | ListResult | StatResult | PostResult | CopyResult;
