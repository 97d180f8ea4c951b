import type { Readable } from 'node:stream';
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
  action: 'upload' | 'download';
  container: string;
  object: string;
  bytesDone: number;
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
   * starts afresh. Streams (no stable identity) always start afresh.
   * `false` sends every segment without looking. @default true
   */
  resume?: boolean | undefined;
  /** Called as bytes of each object are sent. Exceptions it throws are ignored. */
  onProgress?: ((event: ProgressEvent) => void) | undefined;
}

/** What an upload reads: a path (file or directory), bytes, a stream, or `null` (empty object). */
export type UploadSource =
  | string
  | Uint8Array
  | Readable
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | null;

/** One upload with its own name and options (python's `SwiftUploadObject`). */
export interface UploadObject {
  source: UploadSource;
  /** Required unless `source` is a path; for a directory, replaces the directory's path in every name. */
  objectName?: string | undefined;
  options?: UploadObjectOptions | undefined;
}

/** Options one object of an upload may override. */
export type UploadObjectOptions = Pick<
  UploadOptions,
  'meta' | 'headers' | 'segmentSize' | 'useSlo' | 'useDlo' | 'leaveSegments' | 'changed' | 'skipIdentical' | 'checksum' | 'dirMarker' | 'resume'
>;

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
  objectName: string;
  options?: Pick<DeleteOptions, 'leaveSegments' | 'versionId' | 'headers'> | undefined;
}

export interface ListOptions extends CommonOptions {
  /** Add each container's headers (`meta`) to account listings. @default false */
  long?: boolean | undefined;
  prefix?: string | undefined;
  delimiter?: string | undefined;
  marker?: string | undefined;
  /** List object versions. @default false */
  versions?: boolean | undefined;
}

export interface StatOptions extends CommonOptions {
  versionId?: string | undefined;
}

export interface PostOptions extends CommonOptions {
  /** Metadata: `X-Account-Meta-`, `X-Container-Meta-` or `X-Object-Meta-<name>`. */
  meta?: HeaderPairs | undefined;
  /** Containers only. */
  readAcl?: string | undefined;
  writeAcl?: string | undefined;
  syncTo?: string | undefined;
  syncKey?: string | undefined;
}

/** One object to post with its own metadata (python's `SwiftPostObject`). */
export interface PostObject {
  objectName: string;
  options?: Pick<PostOptions, 'meta' | 'headers'> | undefined;
}

export interface CopyOptions extends CommonOptions {
  meta?: HeaderPairs | undefined;
  /** `/container` or `/container/object`. @default the object itself */
  destination?: string | undefined;
  /** Start from no metadata instead of the source's. @default false */
  freshMetadata?: boolean | undefined;
}

/** One object to copy with its own options (python's `SwiftCopyObject`). */
export interface CopyObject {
  objectName: string;
  options?: Pick<CopyOptions, 'meta' | 'headers' | 'destination' | 'freshMetadata'> | undefined;
}

/** Defaults for every call of a service (python's service `options`). */
export type ServiceDefaults = Omit<
  UploadOptions & DownloadOptions & DeleteOptions & ListOptions & StatOptions & PostOptions & CopyOptions,
  'signal'
>;

/** Fields shared by every result, as in python's result dicts. */
export interface ResultBase {
  action: string;
  success: boolean;
  container: string | undefined;
  object?: string | undefined;
  error?: Error | undefined;
  /** Tries the request took (retries included). */
  attempts?: number | undefined;
  responseDict?: ResponseDict | undefined;
  /**
   * 'cancelled' when failFast stopped the call before this ran;
   * 'already-deleted' for an object of a container being emptied that was gone by the time its DELETE came.
   */
  status?: string | undefined;
}

export interface CreateContainerResult extends ResultBase {
  action: 'create_container';
  headers: Record<string, string>;
}

export interface CreateDirMarkerResult extends ResultBase {
  action: 'create_dir_marker';
  object: string;
  path: string | undefined;
  headers?: Record<string, string> | undefined;
}

export interface UploadSegmentResult extends ResultBase {
  action: 'upload_segment';
  /** The segment container and segment name. */
  object: string;
  forContainer: string;
  forObject: string;
  segmentIndex: number;
  segmentSize: number;
  /** `/<segment container>/<segment name>`. */
  segmentLocation: string;
  segmentEtag?: string | undefined;
  logLine: string;
}

export interface DeleteSegmentResult extends ResultBase {
  action: 'delete_segment';
  object: string;
}

export interface UploadObjectResult extends ResultBase {
  action: 'upload_object';
  object: string;
  path: string | undefined;
  /** 'uploaded', 'skipped-identical', 'skipped-changed' or 'cancelled'. */
  status?: string | undefined;
  headers?: Record<string, string> | undefined;
  largeObject?: boolean | undefined;
  /** Bytes uploaded. */
  bytes?: number | undefined;
  segmentResults?: UploadSegmentResult[] | undefined;
  manifestResponseDict?: ResponseDict | undefined;
  segmentDeleteResults?: DeleteSegmentResult[] | undefined;
}

export type UploadResult = CreateContainerResult | CreateDirMarkerResult | UploadObjectResult | UploadSegmentResult | DeleteSegmentResult;

export interface DownloadObjectResult extends ResultBase {
  action: 'download_object';
  object: string;
  path: string;
  /** The object name ends in '/': nothing was written. */
  pseudodir: boolean;
  /** 'skipped-identical' when skipIdentical found the local file identical. */
  status?: string | undefined;
  /** Bytes received. */
  readLength?: number | undefined;
  bytes?: number | undefined;
  /** Seconds since the epoch, as python's `time()`. */
  startTime?: number | undefined;
  headersReceipt?: number | undefined;
  finishTime?: number | undefined;
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

export interface DeleteObjectResult extends ResultBase {
  action: 'delete_object';
  object: string;
  /** Deleted through the bulk middleware. */
  bulkDelete?: boolean | undefined;
  dloSegmentsDeleted?: boolean | undefined;
}

export interface DeleteContainerResult extends ResultBase {
  action: 'delete_container';
}

export type DeleteResult = DeleteObjectResult | DeleteSegmentResult | DeleteContainerResult;

export interface ListResult extends ResultBase {
  action: 'list_account_part' | 'list_container_part';
  prefix: string | undefined;
  marker: string | undefined;
  listing: Array<ObjectEntry | (ContainerEntry & { meta?: ResponseHeaders })>;
}

export interface StatResult extends ResultBase {
  action: 'stat_account' | 'stat_container' | 'stat_object';
  headers?: ResponseHeaders | undefined;
  /** Label/value pairs as `swift stat` prints them. */
  items?: Array<[string, string | number | undefined]> | undefined;
}

export interface PostResult extends ResultBase {
  action: 'post_account' | 'post_container' | 'post_object';
  /** Headers sent. */
  headers: Record<string, string>;
}

export interface CopyObjectResult extends ResultBase {
  action: 'copy_object';
  object: string;
  destination: string | undefined;
  headers: Record<string, string>;
  freshMetadata: boolean;
}

export type CopyResult = CreateContainerResult | CopyObjectResult;

export interface CapabilitiesResult {
  action: 'capabilities';
  success: boolean;
  capabilities?: Capabilities | undefined;
  error?: Error | undefined;
  url?: string | undefined;
  /** Seconds since the epoch. */
  timestamp: number;
}

/** Any result a service call yields. */
export type ServiceResult = UploadResult | DownloadObjectResult | DeleteResult | ListResult | StatResult | PostResult | CopyResult;
