import { hasHeader, mergeHeaders, type HeadersInput, type ResponseHeaders } from '../http/headers.js';
import type { CallOptions, HeadersOptions } from './account.js';
import { withMeta, type MetaInput } from '../native/meta.js';
import { containerPath, listingQuery, withQuery } from './paths.js';
import { discard, readAll, readJson, send, type OpContext, type ResponseDict } from './request.js';

/** One entry of a container listing, as the server sent it. */
export interface ObjectEntry {
  name?: string;
  bytes?: number;
  hash?: string;
  last_modified?: string;
  content_type?: string;
  subdir?: string;
  version_id?: string;
  is_latest?: boolean;
  [key: string]: unknown;
}

export interface GetContainerOptions extends HeadersOptions {
  marker?: string | undefined;
  limit?: number | undefined;
  prefix?: string | undefined;
  delimiter?: string | undefined;
  endMarker?: string | undefined;
  versionMarker?: string | undefined;
  /** Equivalent to delimiter '/' and prefix `path/`. */
  path?: string | undefined;
  /** Follow markers until the listing is complete. @default false */
  fullListing?: boolean | undefined;
  queryString?: string | undefined;
}

export interface WriteOptions extends CallOptions {
  responseDict?: ResponseDict | undefined;
}

export interface DeleteContainerOptions extends WriteOptions {
  headers?: HeadersInput | undefined;
  queryString?: string | undefined;
}

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

/** Options of `postContainer`. */
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
  await discard(res, 'HEAD', ctx.signal);
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
  const listing = await readJson<ObjectEntry[]>(res, 'GET', ctx.signal);
  return [res.headers, listing ?? []];
}

export async function putContainer(ctx: OpContext, container: string, opts: PutContainerOptions): Promise<void> {
  const headers = mergeHeaders(withMeta(opts.headers, opts.meta, 'container'));
  if (!hasHeader(headers, 'content-length')) headers['content-length'] = '0';
  const res = await send(ctx, { method: 'PUT', label: 'Container PUT', path: containerPath(container), query: withQuery(opts.queryString), headers });
  await discard(res, 'PUT', ctx.signal);
}

export async function postContainer(ctx: OpContext, container: string, headersIn: HeadersInput, opts: PostContainerOptions): Promise<void> {
  const headers = mergeHeaders(withMeta(headersIn, opts.meta, 'container'));
  if (!hasHeader(headers, 'content-length')) headers['content-length'] = '0';
  const res = await send(ctx, { method: 'POST', label: 'Container POST', path: containerPath(container), headers });
  await discard(res, 'POST', ctx.signal);
}

export async function deleteContainer(ctx: OpContext, container: string, opts: DeleteContainerOptions): Promise<void> {
  const res = await send(ctx, {
    method: 'DELETE',
    label: 'Container DELETE',
    path: containerPath(container),
    query: withQuery(opts.queryString),
    headers: mergeHeaders(opts.headers),
  });
  await discard(res, 'DELETE', ctx.signal);
}
