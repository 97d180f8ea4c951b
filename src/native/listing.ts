// Listings as async iterables of typed entries, over the one pager (pages.ts).
import type { Connection } from '../connection.js';
import { ClientException } from '../errors.js';
import type { ContainerEntry } from '../ops/account.js';
import type { ObjectEntry } from '../ops/container.js';
import { parseEtag } from '../http/integrity.js';
import { swiftDate } from './dates.js';
import { accountPages, containerPages } from './pages.js';

/** An object in a container listing. */
export interface ListedObject {
  /** Always `'object'`: tells it from a {@link ListedSubdir}. */
  kind: 'object';
  /** The object's name. */
  name: string;
  /** Size in bytes (a static large object's total size). */
  bytes: number;
  /** The listing's ETag: the MD5 of the bytes, or a manifest's own ETag. */
  hash: string;
  /** Its Content-Type. */
  contentType: string;
  /** When the object was last written. */
  lastModified: Date;
  /** A symlink's target path (`/v1/AUTH_x/container/object`), when Swift lists the object as one. */
  symlinkPath?: string;
  /** The ETag a static symlink is pinned to (quotes stripped). */
  symlinkEtag?: string;
  /** The size of a static symlink's target. */
  symlinkBytes?: number;
  /** A static large object's ETag (the MD5 of its segments' ETags), quotes stripped (as `statObject`'s `etag`). */
  sloEtag?: string;
  /** In a versioned listing: this version's id. */
  versionId?: string;
  /** In a versioned listing: true for the current version. */
  isLatest?: boolean;
}

/** A pseudo-directory of a listing made with `delimiter`: `name` ends with the delimiter. */
export interface ListedSubdir {
  /** Always `'subdir'`: tells it from a {@link ListedObject}. */
  kind: 'subdir';
  /** The pseudo-directory: the prefix up to and including the delimiter. */
  name: string;
}

/** What `Connection.listObjects` yields: narrow on `kind`. */
export type ListObjectsEntry = ListedObject | ListedSubdir;

/** A container in the account listing. */
export interface ListedContainer {
  /** The container's name. */
  name: string;
  /** Objects in the container. */
  count: number;
  /** Bytes used by the container. */
  bytes: number;
  /** When the container last changed; absent from older Swift versions. */
  lastModified?: Date;
}

/** Options of `Connection.listContainers`. */
export interface ListContainersOptions {
  /** Only names starting with this. */
  prefix?: string | undefined;
  /** Start after this name. */
  marker?: string | undefined;
  /** Stop before this name. */
  endMarker?: string | undefined;
  /**
   * Entries fetched per request (1 to the server's listing limit, 10,000 by
   * default). A page shorter than this ends the listing without another
   * request. @default the server's listing limit
   */
  pageSize?: number | undefined;
  /** Stops the listing: the pending request and any further ones. */
  signal?: AbortSignal | undefined;
  /** Retries of each page request after its first try. @default the Connection's `retries` */
  retries?: number | undefined;
  /** Seconds to wait for each page's response headers and for each silence in its body (at most 3600). @default the Connection's `timeout` */
  timeout?: number | undefined;
}

/** Options of `Connection.listObjects`. */
export interface ListObjectsOptions extends ListContainersOptions {
  /** Roll names up to the first occurrence of this after the prefix into `subdir` entries (usually `'/'`). */
  delimiter?: string | undefined;
}

function checkPageSize(pageSize: number | undefined): number | undefined {
  if (pageSize === undefined || pageSize === null) return undefined;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw new ClientException(`Invalid pageSize ${String(pageSize)}: must be a whole number of entries, at least 1`);
  }
  return pageSize;
}

/** A raw container-listing entry as a typed one. */
export function toListObjectsEntry(entry: ObjectEntry): ListObjectsEntry {
  if (entry.subdir !== undefined && entry.name === undefined) return { kind: 'subdir', name: entry.subdir };
  const out: ListedObject = {
    kind: 'object',
    name: entry.name ?? '',
    bytes: Number(entry.bytes ?? 0),
    hash: entry.hash ?? '',
    contentType: entry.content_type ?? '',
    lastModified: swiftDate(entry.last_modified),
  };
  if (typeof entry.symlink_path === 'string') out.symlinkPath = entry.symlink_path;
  if (typeof entry.symlink_etag === 'string') out.symlinkEtag = parseEtag(entry.symlink_etag);
  if (entry.symlink_bytes !== undefined && entry.symlink_bytes !== null) out.symlinkBytes = Number(entry.symlink_bytes);
  // Swift lists slo_etag with its quotes (the manifest's ETag header value).
  if (typeof entry.slo_etag === 'string') out.sloEtag = parseEtag(entry.slo_etag);
  if (typeof entry.version_id === 'string') out.versionId = entry.version_id;
  if (typeof entry.is_latest === 'boolean') out.isLatest = entry.is_latest;
  return out;
}

/** A raw account-listing entry as a typed one. */
export function toListedContainer(entry: ContainerEntry): ListedContainer {
  const out: ListedContainer = { name: entry.name ?? entry.subdir ?? '', count: Number(entry.count ?? 0), bytes: Number(entry.bytes ?? 0) };
  if (entry.last_modified !== undefined) out.lastModified = swiftDate(entry.last_modified);
  return out;
}

/**
 * The account's containers, one page fetched at a time as the loop asks
 * for more; leaving the loop early fetches no further page.
 */
export async function* listContainers(conn: Connection, options: ListContainersOptions = {}): AsyncGenerator<ListedContainer, void, undefined> {
  const o = options ?? {};
  const limit = checkPageSize(o.pageSize);
  const pages = accountPages(conn, { prefix: o.prefix, marker: o.marker, endMarker: o.endMarker, limit, signal: o.signal, retries: o.retries, timeout: o.timeout });
  for await (const page of pages) {
    for (const entry of page) yield toListedContainer(entry);
  }
}

/**
 * A container's objects (and, with `delimiter`, pseudo-directories), one
 * page fetched at a time as the loop asks for more; leaving the loop early
 * fetches no further page.
 */
export async function* listObjects(conn: Connection, container: string, options: ListObjectsOptions = {}): AsyncGenerator<ListObjectsEntry, void, undefined> {
  const o = options ?? {};
  const limit = checkPageSize(o.pageSize);
  const pages = containerPages(conn, container, {
    prefix: o.prefix,
    delimiter: o.delimiter,
    marker: o.marker,
    endMarker: o.endMarker,
    limit,
    signal: o.signal,
    retries: o.retries,
    timeout: o.timeout,
  });
  for await (const page of pages) {
    for (const entry of page) yield toListObjectsEntry(entry);
  }
}
