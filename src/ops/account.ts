import { PreparedBody } from '../http/body.js';
import { mergeHeaders, type HeadersInput, type ResponseHeaders } from '../http/headers.js';
import { withMeta, type MetaInput } from '../native/meta.js';
import { listingQuery, withQuery } from './paths.js';
import { discard, readAll, readJson, send, type OpContext, type ResponseDict } from './request.js';

/** Options every method takes. */
export interface CallOptions {
  /** Stops the request and any retry wait; the call rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Retries after the first try, for this call. @default the Connection's `retries` */
  retries?: number | undefined;
  /** Seconds per request of this call (at most 3600), as the Connection's `timeout`. @default the Connection's `timeout` */
  timeout?: number | undefined;
}

/** Options of the calls that take only extra request headers (HEADs). */
export interface HeadersOptions extends CallOptions {
  /** Extra request headers (lower-case names; numbers and booleans are sent as text). */
  headers?: HeadersInput | undefined;
}

/**
 * A container in an account listing, as the server sent it: Swift always
 * gives `name`, `count` and `bytes`.
 */
export interface ContainerInfoEntry {
  /** The container's name. */
  name: string;
  /** Objects in the container (as of the last container update, eventually consistent). */
  count: number;
  /** Bytes used by the container's objects. */
  bytes: number;
  /** When the container last changed, ISO 8601 in UTC without a zone (`2026-12-07T04:18:10.848110`); newer Swifts only. */
  last_modified?: string;
  /** Never set on a container entry (lets `entry.subdir === undefined` narrow a {@link ContainerEntry}). */
  subdir?: undefined;
  /** Anything else the server added (e.g. `storage_policy` on some clusters). */
  [key: string]: unknown;
}

/**
 * A pseudo-directory in a listing made with a `delimiter`: the common prefix
 * up to and including the delimiter, standing for every name under it. The
 * fields of container and object entries are declared absent, so that
 * `entry.bytes` on a listing entry reads as `number | undefined`.
 */
export interface SubdirEntry {
  /** The prefix, e.g. `'photos/'`. */
  subdir: string;
  /** Never set on a subdir entry. */
  name?: undefined;
  /** Never set on a subdir entry. */
  count?: undefined;
  /** Never set on a subdir entry. */
  bytes?: undefined;
  /** Never set on a subdir entry. */
  hash?: undefined;
  /** Never set on a subdir entry. */
  last_modified?: undefined;
  /** Never set on a subdir entry. */
  content_type?: undefined;
  /** Never set on a subdir entry. */
  version_id?: undefined;
  /** Never set on a subdir entry. */
  is_latest?: undefined;
  /** Nothing else is set on a subdir entry. */
  [key: string]: unknown;
}

/**
 * One entry of an account listing: a container, or (only when listing with
 * a `delimiter`) a pseudo-directory. Tell them apart by `subdir`.
 *
 * @example
 * const [, entries] = await conn.getAccount({ fullListing: true });
 * for (const entry of entries) if (entry.subdir === undefined) console.log(entry.name, entry.count, entry.bytes);
 */
export type ContainerEntry = ContainerInfoEntry | SubdirEntry;

/** Options of `getAccount` (python's `get_account`). */
export interface GetAccountOptions extends HeadersOptions {
  /** List only names after this one (exclusive). */
  marker?: string | undefined;
  /** At most this many entries per request; the server's default and cap is 10,000. */
  limit?: number | undefined;
  /** Only names starting with this. */
  prefix?: string | undefined;
  /** List only names before this one (exclusive). */
  endMarker?: string | undefined;
  /** Roll names up to this character into {@link SubdirEntry} entries (e.g. `'-'`). */
  delimiter?: string | undefined;
  /** Follow markers until the listing is complete. @default false */
  fullListing?: boolean | undefined;
}

/** Options of `postAccount` (python's `post_account`). */
export interface PostAccountOptions extends CallOptions {
  /** A raw query string for the request, without `?` (e.g. `'bulk-delete'`). */
  queryString?: string | undefined;
  /** Request body (e.g. for bulk operations). */
  data?: string | Uint8Array | undefined;
  /** Filled with the response's status, reason and headers (python's `response_dict`). */
  responseDict?: ResponseDict | undefined;
  /**
   * User metadata, sent as `X-Account-Meta-<name>` headers (names lower-cased;
   * a name in both `meta` and `headers`: `meta` wins). Names must be HTTP
   * tokens and are refused before sending otherwise. Names not given keep
   * their values; an empty value removes that name.
   * @example { meta: { owner: 'ünï', project: 'apollo' } }
   */
  meta?: MetaInput | undefined;
}

export async function headAccount(ctx: OpContext, opts: HeadersOptions): Promise<ResponseHeaders> {
  const res = await send(ctx, { method: 'HEAD', label: 'Account HEAD', path: '', headers: mergeHeaders(opts.headers) });
  await discard(res, 'Account HEAD', ctx.signal);
  return res.headers;
}

/** One page of the account listing. */
export async function getAccountPage(
  ctx: OpContext,
  opts: GetAccountOptions,
  marker: string | undefined,
): Promise<[ResponseHeaders, ContainerEntry[]]> {
  const query = listingQuery({
    marker,
    limit: opts.limit,
    prefix: opts.prefix,
    delimiter: opts.delimiter,
    end_marker: opts.endMarker,
  });
  const res = await send(ctx, { method: 'GET', label: 'Account GET', path: '', query, headers: mergeHeaders(opts.headers) });
  const listing = await readJson<ContainerEntry[]>(res, 'Account GET', ctx.signal);
  return [res.headers, listing ?? []];
}

export async function postAccount(ctx: OpContext, headers: HeadersInput, opts: PostAccountOptions): Promise<[ResponseHeaders, Buffer]> {
  const res = await send(ctx, {
    method: 'POST',
    label: 'Account POST',
    path: '',
    query: withQuery(opts.queryString),
    headers: mergeHeaders(withMeta(headers, opts.meta, 'account')),
    body: PreparedBody.from(opts.data ?? null),
  });
  const body = await readAll(res, 'Account POST', ctx.signal);
  return [res.headers, body];
}
