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

export interface HeadersOptions extends CallOptions {
  headers?: HeadersInput | undefined;
}

/** One entry of an account listing, as the server sent it. */
export interface ContainerEntry {
  name?: string;
  count?: number;
  bytes?: number;
  last_modified?: string;
  subdir?: string;
  [key: string]: unknown;
}

export interface GetAccountOptions extends HeadersOptions {
  marker?: string | undefined;
  limit?: number | undefined;
  prefix?: string | undefined;
  endMarker?: string | undefined;
  delimiter?: string | undefined;
  /** Follow markers until the listing is complete. @default false */
  fullListing?: boolean | undefined;
}

export interface PostAccountOptions extends CallOptions {
  queryString?: string | undefined;
  /** Request body (e.g. for bulk operations). */
  data?: string | Uint8Array | undefined;
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
  await discard(res, 'HEAD', ctx.signal);
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
  const listing = await readJson<ContainerEntry[]>(res, 'GET', ctx.signal);
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
  const body = await readAll(res, 'POST', ctx.signal);
  return [res.headers, body];
}
