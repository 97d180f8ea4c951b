// Object versioning, both Swift's current mode (X-Versions-Enabled,
// ?versions listings, ?version-id operations) and the legacy modes
// (X-Versions-Location "stack", X-History-Location "history").
import type { Connection } from './connection.js';
import { ChecksumError, ClientException } from './errors.js';
import type { ResponseHeaders } from './http/headers.js';
import { parseEtag } from './http/integrity.js';
import type { CallOptions, HeadersOptions } from './ops/account.js';
import type { GetContainerOptions, ObjectEntry, WriteOptions } from './ops/container.js';
import type { DeleteObjectOptions, GetObjectOptions, HeadObjectOptions } from './ops/object.js';
import type { ResponseDict } from './ops/request.js';
import { utf8Length } from './util/bytes.js';
import { quote, unquote } from './util/quote.js';

/** Turns object versioning on (`X-Versions-Enabled: true`); Swift creates the hidden versions container. */
export async function enableVersioning(conn: Connection, container: string, options: WriteOptions = {}): Promise<void> {
  await conn.postContainer(container, { 'X-Versions-Enabled': 'true' }, options);
}

/** Stops versioning new writes; existing versions stay and can still be listed and read. */
export async function disableVersioning(conn: Connection, container: string, options: WriteOptions = {}): Promise<void> {
  await conn.postContainer(container, { 'X-Versions-Enabled': 'false' }, options);
}

/** True when the container has object versioning enabled. */
export async function isVersioningEnabled(conn: Connection, container: string, options: HeadersOptions = {}): Promise<boolean> {
  const headers = await conn.headContainer(container, options);
  return (headers['x-versions-enabled'] ?? '').toLowerCase() === 'true';
}

/** Options of {@link listVersions}: those of `getContainer` (markers, prefix, limit, fullListing, ...). */
export type ListVersionsOptions = Omit<GetContainerOptions, 'queryString'>;

/**
 * Lists every version of the container's objects, newest first per name
 * (`GET ?versions`). Entries carry `version_id` and `is_latest`; delete
 * markers have content type `application/x-deleted;swift_versions_deleted=1`.
 * Page with `marker` + `versionMarker`, or pass `fullListing: true`.
 */
export async function listVersions(conn: Connection, container: string, options: ListVersionsOptions = {}): Promise<[ResponseHeaders, ObjectEntry[]]> {
  return conn.getContainer(container, { ...options, queryString: 'versions' });
}

/** The query string that addresses one version. */
export function versionQuery(versionId: string): string {
  if (typeof versionId !== 'string' || versionId === '') throw new ClientException('A version id must be a non-empty string');
  return `version-id=${quote(versionId, '')}`;
}

/** Downloads one version of an object. */
export async function getObjectVersion(
  conn: Connection,
  container: string,
  obj: string,
  versionId: string,
  options: Omit<GetObjectOptions, 'queryString' | 'respChunkSize'> = {},
): Promise<[ResponseHeaders, Buffer]> {
  return conn.getObject(container, obj, { ...options, queryString: versionQuery(versionId) });
}

/** Headers of one version of an object. */
export async function headObjectVersion(
  conn: Connection,
  container: string,
  obj: string,
  versionId: string,
  options: Omit<HeadObjectOptions, 'queryString'> = {},
): Promise<ResponseHeaders> {
  return conn.headObject(container, obj, { ...options, queryString: versionQuery(versionId) });
}

/** Deletes one version for good (no delete marker is written). */
export async function deleteObjectVersion(
  conn: Connection,
  container: string,
  obj: string,
  versionId: string,
  options: Omit<DeleteObjectOptions, 'queryString'> = {},
): Promise<void> {
  await conn.deleteObject(container, obj, { ...options, queryString: versionQuery(versionId) });
}

/** Options of {@link restoreObjectVersion}. */
export interface RestoreVersionOptions extends CallOptions {
  /** Filled with the status, reason and headers of the copy that restores the version. */
  responseDict?: ResponseDict | undefined;
}

/**
 * Makes an older version the current one again (a zero-byte
 * `PUT ?version-id=<id>`); resolves to the restored data's ETag.
 */
export async function restoreObjectVersion(
  conn: Connection,
  container: string,
  obj: string,
  versionId: string,
  options: RestoreVersionOptions = {},
): Promise<string> {
  const dict: ResponseDict = {};
  try {
    return await conn.putObject(container, obj, null, { ...options, responseDict: dict, queryString: versionQuery(versionId) });
  } catch (err) {
    // The server answers with the restored version's ETag, not the MD5 of
    // the (empty) body sent: a checksum error after a 2xx means the restore happened.
    if (err instanceof ChecksumError && dict.status !== undefined && dict.status >= 200 && dict.status < 300) {
      return parseEtag(dict.headers?.etag);
    }
    throw err;
  } finally {
    if (options.responseDict) Object.assign(options.responseDict, dict);
  }
}

// ---------------------------------------------------------------------------
// Legacy versioning

/**
 * `stack`: `X-Versions-Location` (a DELETE brings the previous version
 * back); `history`: `X-History-Location` (a DELETE archives the current
 * copy and leaves the object gone).
 */
export type LegacyVersioningMode = 'stack' | 'history';

/** A container's legacy versioning (`X-Versions-Location` / `X-History-Location`). */
export interface LegacyVersioning {
  /** `'stack'` (X-Versions-Location: a delete restores the previous version) or `'history'` (X-History-Location: a delete archives). */
  mode: LegacyVersioningMode;
  /** The archive container. */
  location: string;
}

export interface SetVersionsLocationOptions extends WriteOptions {
  /** @default 'stack' */
  mode?: LegacyVersioningMode | undefined;
}

/** Archives overwritten (and, in history mode, deleted) objects of `container` into `archive`. */
export async function setVersionsLocation(conn: Connection, container: string, archive: string, options: SetVersionsLocationOptions = {}): Promise<void> {
  const { mode = 'stack', ...rest } = options;
  if (mode !== 'stack' && mode !== 'history') throw new ClientException(`Unknown legacy versioning mode ${String(mode)}: use 'stack' or 'history'`);
  if (typeof archive !== 'string' || !archive || archive.includes('/')) throw new ClientException('The archive container name must be non-empty, without "/"');
  // Swift unquotes the stored location before using it.
  await conn.postContainer(container, { [mode === 'stack' ? 'X-Versions-Location' : 'X-History-Location']: quote(archive, '') }, rest);
}

/** Turns legacy versioning off (archived copies stay in the archive container). */
export async function removeVersionsLocation(conn: Connection, container: string, options: WriteOptions = {}): Promise<void> {
  await conn.postContainer(container, { 'X-Remove-Versions-Location': 'x', 'X-Remove-History-Location': 'x' }, options);
}

/** The container's legacy versioning setting, or undefined when off. */
export async function getVersionsLocation(conn: Connection, container: string, options: HeadersOptions = {}): Promise<LegacyVersioning | undefined> {
  return legacyVersioningOf(await conn.headContainer(container, options));
}

/** The legacy versioning setting in a container's headers, or undefined when off. */
export function legacyVersioningOf(headers: ResponseHeaders): LegacyVersioning | undefined {
  if (headers['x-history-location']) return { mode: 'history', location: unquote(headers['x-history-location']) };
  if (headers['x-versions-location']) return { mode: 'stack', location: unquote(headers['x-versions-location']) };
  return undefined;
}

/**
 * The name prefix legacy versioning gives the archived copies of `obj`:
 * its UTF-8 length as three hex digits, the name, and `/`.
 */
export function legacyVersionPrefix(obj: string): string {
  if (typeof obj !== 'string' || obj === '') throw new ClientException('Object name must be a non-empty string');
  return `${utf8Length(obj).toString(16).padStart(3, '0')}${obj}/`;
}

/** Lists the archived copies of `obj` in a legacy archive container, oldest first. */
export async function listLegacyVersions(
  conn: Connection,
  archive: string,
  obj: string,
  options: Omit<GetContainerOptions, 'prefix' | 'path' | 'delimiter'> = {},
): Promise<[ResponseHeaders, ObjectEntry[]]> {
  return conn.getContainer(archive, { ...options, prefix: legacyVersionPrefix(obj) });
}
