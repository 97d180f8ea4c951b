import { ClientException } from '../errors.js';
import { PreparedBody } from '../http/body.js';
import { mergeHeaders, type HeadersInput, type ResponseHeaders } from '../http/headers.js';
import type { HttpResponse } from '../http/transport.js';
import { quote } from '../util/quote.js';
import type { CallOptions } from './account.js';
import type { WriteOptions } from './container.js';
import { objectPath, withQuery } from './paths.js';
import { discard, finalError, readAll, send, type OpContext } from './request.js';
import { createHash } from 'node:crypto';

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
}

/** Options of `postObject` (python's `post_object`). */
export interface PostObjectOptions extends WriteOptions {}

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

const PLAIN_MD5 = /^[0-9a-f]{32}$/;

/** True when an object's ETag is the MD5 of its bytes (not a manifest's). */
export function etagIsContentMd5(headers: ResponseHeaders): boolean {
  const etag = headers.etag ?? '';
  return PLAIN_MD5.test(etag) && !headers['x-object-manifest'] && !headers['x-static-large-object'];
}

export async function headObject(ctx: OpContext, container: string, obj: string, opts: HeadObjectOptions): Promise<ResponseHeaders> {
  const res = await send(ctx, {
    method: 'HEAD',
    label: 'Object HEAD',
    path: objectPath(container, obj),
    query: withQuery(opts.queryString),
    headers: mergeHeaders(opts.headers),
  });
  await discard(res, 'HEAD', ctx.signal);
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
  const body = await readAll(res, 'GET', ctx.signal);
  if (checksum && res.status === 200 && etagIsContentMd5(res.headers)) {
    const md5 = createHash('md5').update(body).digest('hex');
    if (md5 !== res.headers.etag) {
      throw new ClientException(`Object GET ${container}/${obj}: received data has MD5 ${md5} but the ETag is ${res.headers.etag}`);
    }
  }
  return [res.headers, body];
}

export function putObjectHeaders(opts: PutObjectOptions, body: PreparedBody): Record<string, string> {
  const headers = mergeHeaders(opts.headers);
  // Through mergeHeaders too, so CR/LF in these options is refused like any header.
  const extra: Record<string, string> = {};
  if (opts.etag) extra.etag = opts.etag.replace(/^"+|"+$/g, '');
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
  await discard(res, 'PUT', ctx.signal);
  const etag = (res.headers.etag ?? '').replace(/^"+|"+$/g, '');
  const sentMd5 = body.md5;
  // Manifests answer with their own ETag, and restoring a version (empty PUT
  // with version-id) with the restored version's: nothing to compare there.
  // Server-side copies (X-Copy-From) answer with the source's ETag too.
  const isManifestPut =
    /(^|&)(multipart-manifest=put|version-id=)/.test(query ?? '') || 'x-object-manifest' in headers || 'x-copy-from' in headers;
  if (checksum && sentMd5 && !isManifestPut && PLAIN_MD5.test(res.headers.etag ?? '') && etag !== sentMd5) {
    throw new ClientException(`Object PUT ${container}/${obj}: the server's ETag ${etag} does not match the MD5 ${sentMd5} of the data sent`);
  }
  return etag;
}

export async function postObject(ctx: OpContext, container: string, obj: string, headers: HeadersInput, _opts: PostObjectOptions): Promise<void> {
  const res = await send(ctx, { method: 'POST', label: 'Object POST', path: objectPath(container, obj), headers: mergeHeaders(headers) });
  await discard(res, 'POST', ctx.signal);
}

export async function copyObject(ctx: OpContext, container: string, obj: string, opts: CopyObjectOptions): Promise<void> {
  const path = objectPath(container, obj);
  const headers = mergeHeaders(opts.headers);
  headers.destination = opts.destination !== undefined && opts.destination !== null ? quote(opts.destination) : path;
  if (opts.freshMetadata !== undefined && opts.freshMetadata !== null) {
    headers['x-fresh-metadata'] = opts.freshMetadata ? 'true' : 'false';
  }
  const res = await send(ctx, { method: 'COPY', label: 'Object COPY', path, headers });
  await discard(res, 'COPY', ctx.signal);
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
  if (!/(^|&)multipart-manifest=delete(&|$)/.test(query ?? '')) return discard(res, 'DELETE', ctx.signal);
  // An SLO delete answers 200 and reports in its body, after the work is
  // done, whether every segment went: python ignores it, we raise. Never
  // retried, not even a body cut off: the manifest may be gone already, and
  // a second try would only report it "not found".
  let body: string;
  try {
    body = (await readAll(res, 'DELETE', ctx.signal)).toString('utf8').trim();
  } catch (err) {
    throw typeof err === 'object' && err !== null ? finalError(err) : err;
  }
  const outcome = bulkOutcome(body);
  if (!outcome || (outcome.status >= 200 && outcome.status < 300)) return;
  throw finalError(ClientException.fromResponse('Object DELETE failed', res.url, outcome.status, outcome.reason, res.headers, body));
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
