import { hasHeader, mergeHeaders, type HeadersInput, type ResponseHeaders } from '../http/headers.js';
import type { CallOptions, HeadersOptions, SubdirEntry } from './account.js';
import { withMeta, type MetaInput } from '../native/meta.js';
import { containerPath, listingQuery, withQuery } from './paths.js';
import { discard, readAll, readJson, send, type OpContext, type ResponseDict } from './request.js';

/**
 * An object in a container listing, as the server sent it: Swift always
 * gives `name`, `bytes`, `hash`, `last_modified` and `content_type`.
 */
export interface ObjectInfoEntry {
  /** The object's name. */
  name: string;
  /** Its size in bytes (for a large object's manifest: the manifest's own size, or the total for an SLO). */
  bytes: number;
  /** The ETag: the MD5 of the content (hex) for a plain object. */
  hash: string;
  /** When the object was last written, ISO 8601 in UTC without a zone (`2026-12-07T04:18:10.848110`). */
  last_modified: string;
  /** Its Content-Type. */
  content_type: string;
  /** Never set on an object entry (lets `entry.subdir === undefined` narrow an {@link ObjectEntry}). */
  subdir?: undefined;
  /** The version's id, in a listing with `versions` (object versioning). */
  version_id?: string;
  /** Whether this is the current version, in a listing with `versions`. */
  is_latest?: boolean;
  /** Anything else the server added (`symlink_path`, `slo_etag`, ...). */
  [key: string]: unknown;
}

/**
 * One entry of a container listing: an object, or (only when listing with a
 * `delimiter` or `path`) a pseudo-directory. Tell them apart by `subdir`.
 *
 * @example
 * const [, entries] = await conn.getContainer('photos', { delimiter: '/' });
 * for (const entry of entries) {
 *   if (entry.subdir !== undefined) console.log('dir', entry.subdir);
 *   else console.log(entry.name, entry.bytes, entry.hash);
 * }
 */
export type ObjectEntry = ObjectInfoEntry | SubdirEntry;

/** Options of `getContainer` (python's `get_container`). */
export interface GetContainerOptions extends HeadersOptions {
  /** List only names after this one (exclusive). */
  marker?: string | undefined;
  /** At most this many entries per request; the server's default and cap is 10,000. */
  limit?: number | undefined;
  /** Only names starting with this. */
  prefix?: string | undefined;
  /** Roll names up to this character into {@link SubdirEntry} entries (e.g. `'/'`). */
  delimiter?: string | undefined;
  /** List only names before this one (exclusive). */
  endMarker?: string | undefined;
  /** With `marker`, in a versions listing: start after this version of the marker object. */
  versionMarker?: string | undefined;
  /** Equivalent to delimiter '/' and prefix `path/`. */
  path?: string | undefined;
  /** Follow markers until the listing is complete. @default false */
  fullListing?: boolean | undefined;
  /** A raw query string added to the listing's (e.g. `'versions'`), without `?`. */
  queryString?: string | undefined;
}

/** Options of the calls that change something: a `responseDict` to fill. */
export interface WriteOptions extends CallOptions {
  /** Filled with the response's status, reason and headers (python's `response_dict`). */
  responseDict?: ResponseDict | undefined;
}

/** Options of `deleteContainer` (python's `delete_container`). */
export interface DeleteContainerOptions extends WriteOptions {
  /** Request headers: metadata (`x-container-meta-*`), ACLs, `x-storage-policy`, ... */
  headers?: HeadersInput | undefined;
  /** A raw query string for the request, without `?`. */
  queryString?: string | undefined;
}

/** Options of `putContainer` (python's `put_container`). */
export interface PutContainerOptions extends DeleteContainerOptions {
  /**
   * User metadata, sent as `X-Container-Meta-<name>` headers (names lower-cased;
   * a name in both `meta` and `headers`: `meta` wins). Names must be HTTP
   * tokens and are refused before sending otherwise. Names not given keep
   * their values; an empty value removes that name.
   * @example { meta: { owner: 'ünï', project: 'apollo' } }
   */
  meta?: MetaInput | undefined;
}

/** Options of `postContainer` (python's `post_container`). */
export interface PostContainerOptions extends WriteOptions {
  /**
   * User metadata, sent as `X-Container-Meta-<name>` headers (names lower-cased;
   * a name in both `meta` and `headers`: `meta` wins). Names must be HTTP
   * tokens and are refused before sending otherwise. Names not given keep
   * their values; an empty value removes that name.
   * @example { meta: { owner: 'ünï', project: 'apollo' } }
   */
  meta?: MetaInput | undefined;
}

export async function headContainer(ctx: OpContext, container: string, opts: HeadersOptions): Promise<ResponseHeaders> {
  const res = await send(ctx, { method: 'HEAD', label: 'Container HEAD', path: containerPath(container), headers: mergeHeaders(opts.headers) });
  await discard(res, 'Container HEAD', ctx.signal);
  return res.headers;
}

/** One page of a container listing. */
export async function getContainerPage(
  ctx: OpContext,
  container: string,
  opts: GetContainerOptions,
  marker: string | undefined,
  versionMarker: string | undefined,
): Promise<[ResponseHeaders, ObjectEntry[]]> {
  const query = listingQuery(
    {
      marker,
      limit: opts.limit,
      prefix: opts.prefix,
      delimiter: opts.delimiter,
      end_marker: opts.endMarker,
      version_marker: versionMarker,
      path: opts.path,
    },
    opts.queryString,
  );
  const res = await send(ctx, { method: 'GET', label: 'Container GET', path: containerPath(container), query, headers: mergeHeaders(opts.headers) });
  const listing = await readJson<ObjectEntry[]>(res, 'Container GET', ctx.signal);
  return [res.headers, listing ?? []];
}

export async function putContainer(ctx: OpContext, container: string, opts: PutContainerOptions): Promise<void> {
  const headers = mergeHeaders(withMeta(opts.headers, opts.meta, 'container'));
  if (!hasHeader(headers, 'content-length')) headers['content-length'] = '0';
  const res = await send(ctx, { method: 'PUT', label: 'Container PUT', path: containerPath(container), query: withQuery(opts.queryString), headers });
  await discard(res, 'Container PUT', ctx.signal);
}

export async function postContainer(ctx: OpContext, container: string, headersIn: HeadersInput, opts: PostContainerOptions): Promise<void> {
  const headers = mergeHeaders(withMeta(headersIn, opts.meta, 'container'));
  if (!hasHeader(headers, 'content-length')) headers['content-length'] = '0';
  const res = await send(ctx, { method: 'POST', label: 'Container POST', path: containerPath(container), headers });
  await discard(res, 'Container POST', ctx.signal);
}

export async function deleteContainer(ctx: OpContext, container: string, opts: DeleteContainerOptions): Promise<void> {
  const res = await send(ctx, {
    method: 'DELETE',
    label: 'Container DELETE',
    path: containerPath(container),
    query: withQuery(opts.queryString),
    headers: mergeHeaders(opts.headers),
  });
  await discard(res, 'Container DELETE', ctx.signal);
}
