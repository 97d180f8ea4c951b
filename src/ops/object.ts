import { ClientException } from '../errors.js';
import { PreparedBody } from '../http/body.js';
import { mergeHeaders, type HeadersInput, type ResponseHeaders } from '../http/headers.js';
import type { HttpResponse } from '../http/transport.js';
import { checkDigest, downloadDigest, md5Hex, parseEtag, uploadEtagComparable } from '../http/integrity.js';
import { utf8Text } from '../util/bytes.js';
import { quote } from '../util/quote.js';
import type { CallOptions } from './account.js';
import type { WriteOptions } from './container.js';
import { withMeta, type MetaInput } from '../native/meta.js';
import type { ProgressListener } from '../native/progress.js';
import { objectPath, withQuery } from './paths.js';
import { discard, readAll, send, type OpContext } from './request.js';

/** Options of `headObject` (python's `head_object`). */
export interface HeadObjectOptions extends CallOptions {
  /** Extra request headers (e.g. `'x-newest': 'true'`). */
  headers?: HeadersInput | undefined;
  /** A raw query string for the request, without `?` (e.g. `'version-id=...'`). */
  queryString?: string | undefined;
}

/** Options of `getObject` (python's `get_object`). */
export interface GetObjectOptions extends HeadObjectOptions {
  /** When > 0, resolve with a streaming body yielding chunks of at most this many bytes. @default 0 (the whole body as one Buffer) */
  respChunkSize?: number | undefined;
  /** Filled with the response's status, reason and headers (python's `response_dict`). */
  responseDict?: WriteOptions['responseDict'];
  /** Check the body's MD5 against the ETag for this call. @default the Connection's `checksum` */
  checksum?: boolean | undefined;
  /**
   * Told the bytes received as the body comes in (see `ProgressListener`).
   * Without `respChunkSize` the body is then read as a stream into the
   * Buffer, so a dropped connection is resumed rather than restarted.
   */
  onProgress?: ProgressListener | undefined;
}

/** Options of `putObject` (python's `put_object`). */
export interface PutObjectOptions extends WriteOptions {
  /** Bytes to send; also limits how much is read from a stream. */
  contentLength?: number | undefined;
  /** MD5 the server must verify (quotes are stripped). */
  etag?: string | undefined;
  /** Accepted for swiftclient compatibility; streams are sent as they come. */
  chunkSize?: number | undefined;
  /** Wins over a Content-Type in `headers`. */
  contentType?: string | undefined;
  /** Request headers: metadata (`x-object-meta-*`), `x-delete-after`, ... */
  headers?: HeadersInput | undefined;
  /** A raw query string for the request, without `?` (e.g. `'multipart-manifest=put'`). */
  queryString?: string | undefined;
  /** Compare the returned ETag with the MD5 sent, for this call. @default the Connection's `checksum` */
  checksum?: boolean | undefined;
  /** Told the bytes sent as the transport takes them (see `ProgressListener`). */
  onProgress?: ProgressListener | undefined;
  /**
   * User metadata, sent as `X-Object-Meta-<name>` headers (names lower-cased;
   * a name in both `meta` and `headers`: `meta` wins). Names must be HTTP
   * tokens and are refused before sending otherwise.
   * @example { meta: { owner: 'ünï', project: 'apollo' } }
   */
  meta?: MetaInput | undefined;
}

/** Options of `postObject` (python's `post_object`). */
export interface PostObjectOptions extends WriteOptions {
  /**
   * User metadata, sent as `X-Object-Meta-<name>` headers (names lower-cased;
   * a name in both `meta` and `headers`: `meta` wins). Names must be HTTP
   * tokens and are refused before sending otherwise. A POST replaces ALL of the
   * object's user metadata, as Swift does: names not given here (or in
   * `headers`) are removed, so pass every name that must survive.
   * @example { meta: { owner: 'ünï', project: 'apollo' } }
   */
  meta?: MetaInput | undefined;
}

/** Options of `copyObject` (python's `copy_object`). */
export interface CopyObjectOptions extends WriteOptions {
  /** `/container/object`; default: the source itself (in-place copy). */
  destination?: string | undefined;
  /** Request headers: metadata for the copy (merged over the source's unless `freshMetadata`). */
  headers?: HeadersInput | undefined;
  /** Start from no user metadata instead of the source's. */
  freshMetadata?: boolean | undefined;
}

/** Options of `deleteObject` (python's `delete_object`). */
export interface DeleteObjectOptions extends WriteOptions {
  /** Extra request headers. */
  headers?: HeadersInput | undefined;
  /** A raw query string, without `?` (e.g. `'multipart-manifest=delete'` removes an SLO's segments too). */
  queryString?: string | undefined;
}

export async function headObject(ctx: OpContext, container: string, obj: string, opts: HeadObjectOptions): Promise<ResponseHeaders> {
  const res = await send(ctx, {
    method: 'HEAD',
    label: 'Object HEAD',
    path: objectPath(container, obj),
    query: withQuery(opts.queryString),
    headers: mergeHeaders(opts.headers),
  });
  await discard(res, 'Object HEAD', ctx.signal);
  return res.headers;
}

/** Starts a GET and returns the response with its body unread. */
export function getObjectResponse(ctx: OpContext, container: string, obj: string, opts: GetObjectOptions): Promise<HttpResponse> {
  return send(ctx, {
    method: 'GET',
    label: 'Object GET',
    path: objectPath(container, obj),
    query: withQuery(opts.queryString),
    headers: mergeHeaders(opts.headers),
  });
}

/** GET and read the whole body, checking its MD5 when the ETag is one. */
export async function getObjectBuffer(
  ctx: OpContext,
  container: string,
  obj: string,
  opts: GetObjectOptions,
  checksum: boolean,
): Promise<[ResponseHeaders, Buffer]> {
  const res = await getObjectResponse(ctx, container, obj, opts);
  const body = await readAll(res, 'Object GET', ctx.signal);
  const digest = checksum ? downloadDigest(res.headers, res.status) : undefined;
  if (digest !== undefined) {
    checkDigest(digest, md5Hex(body), {
      container,
      object: obj,
      url: res.url,
      message: (etag, got) => `Object GET ${container}/${obj}: received data has MD5 ${got} but the ETag is ${etag}`,
    });
  }
  return [res.headers, body];
}

export function putObjectHeaders(opts: PutObjectOptions, body: PreparedBody): Record<string, string> {
  const headers = mergeHeaders(withMeta(opts.headers, opts.meta, 'object'));
  // Through mergeHeaders too, so CR/LF in these options is refused like any header.
  const extra: Record<string, string> = {};
  if (opts.etag) extra.etag = parseEtag(opts.etag);
  if (opts.contentType !== undefined && opts.contentType !== null) extra['content-type'] = String(opts.contentType);
  Object.assign(headers, mergeHeaders(extra));
  return headers;
}

export async function putObject(
  ctx: OpContext,
  container: string,
  obj: string,
  body: PreparedBody,
  opts: PutObjectOptions,
  checksum: boolean,
): Promise<string> {
  const headers = putObjectHeaders(opts, body);
  const query = withQuery(opts.queryString);
  const res = await send(ctx, { method: 'PUT', label: 'Object PUT', path: objectPath(container, obj), query, headers, body });
  await discard(res, 'Object PUT', ctx.signal);
  const etag = parseEtag(res.headers.etag);
  const sentMd5 = body.md5;
  if (checksum && sentMd5 && uploadEtagComparable(query, headers, res.headers.etag)) {
    checkDigest(etag, sentMd5, {
      container,
      object: obj,
      url: res.url,
      message: (expected, sent) => `Object PUT ${container}/${obj}: the server's ETag ${expected} does not match the MD5 ${sent} of the data sent`,
    });
  }
  return etag;
}

export async function postObject(ctx: OpContext, container: string, obj: string, headers: HeadersInput, opts: PostObjectOptions): Promise<void> {
  const res = await send(ctx, { method: 'POST', label: 'Object POST', path: objectPath(container, obj), headers: mergeHeaders(withMeta(headers, opts.meta, 'object')) });
  await discard(res, 'Object POST', ctx.signal);
}

export async function copyObject(ctx: OpContext, container: string, obj: string, opts: CopyObjectOptions): Promise<void> {
  const path = objectPath(container, obj);
  const headers = mergeHeaders(opts.headers);
  headers.destination = opts.destination !== undefined && opts.destination !== null ? quote(opts.destination) : path;
  if (opts.freshMetadata !== undefined && opts.freshMetadata !== null) {
    headers['x-fresh-metadata'] = opts.freshMetadata ? 'true' : 'false';
  }
  const res = await send(ctx, { method: 'COPY', label: 'Object COPY', path, headers });
  await discard(res, 'Object COPY', ctx.signal);
}

export async function deleteObject(ctx: OpContext, container: string, obj: string, opts: DeleteObjectOptions): Promise<void> {
  const query = withQuery(opts.queryString);
  const res = await send(ctx, {
    method: 'DELETE',
    label: 'Object DELETE',
    path: objectPath(container, obj),
    query,
    headers: mergeHeaders(opts.headers),
  });
  if (!/(^|&)multipart-manifest=delete(&|$)/.test(query ?? '')) return discard(res, 'Object DELETE', ctx.signal);
  // An SLO delete answers 200 and reports in its body, after the work is
  // done, whether every segment went: python ignores it, we raise. Never
  // retried, not even a body cut off: the manifest may be gone already, and
  // a second try would only report it "not found".
  ctx.tookEffect = true;
  const body = utf8Text(await readAll(res, 'Object DELETE', ctx.signal)).trim();
  const outcome = bulkOutcome(body);
  if (!outcome || (outcome.status >= 200 && outcome.status < 300)) return;
  throw ClientException.fromResponse('Object DELETE failed', res.url, outcome.status, outcome.reason, res.headers, body);
}

/** "Response Status" of a bulk-style answer in any of its formats (text, JSON, XML). */
function bulkOutcome(body: string): { status: number; reason: string } | undefined {
  let line: string | undefined;
  if (body.startsWith('{')) {
    try {
      const value = (JSON.parse(body) as Record<string, unknown>)['Response Status'];
      if (typeof value === 'string') line = value;
    } catch {
      return undefined;
    }
  } else {
    line = (/^Response Status: (.*)$/m.exec(body) ?? /<response_status>([^<]*)<\/response_status>/.exec(body))?.[1];
  }
  const match = /^(\d{3}) ?(.*)$/.exec(line?.trim() ?? '');
  return match ? { status: Number(match[1]), reason: (match[2] as string).trim() } : undefined;
}
