import { BadAnswerError, ClientException } from '../errors.js';
import type { PreparedBody } from '../http/body.js';
import type { ResponseHeaders } from '../http/headers.js';
import { networkError, nextBodyChunk, type HttpResponse, type Transport } from '../http/transport.js';
import { platform } from '../platform/index.js';
import { asBuffer, concatBytes, utf8Text } from '../util/bytes.js';

/** The response facts swiftclient stores in a caller's `response_dict`. */
export interface ResponseDict {
  /** The HTTP status of the last attempt. */
  status?: number;
  /** Its reason phrase. */
  reason?: string;
  /** Its response headers (lower-case names). */
  headers?: ResponseHeaders;
  /** One entry per attempt, oldest first. */
  responseDicts?: ResponseDict[];
}

/** What one attempt of an operation gets from the retry loop. */
export interface OpContext {
  transport: Transport;
  /** Storage URL, no trailing slash. */
  url: string;
  token: string | undefined;
  serviceToken: string | undefined;
  signal: AbortSignal | undefined;
  /** Filled with this attempt's status, reason and headers. */
  responseDict: ResponseDict;
  /**
   * Set by an operation once its request has taken effect on the server (an
   * SLO delete that answered): a failure after that is final, never retried.
   */
  tookEffect?: boolean;
  /** Seconds for this call's requests, overriding the connection's `timeout`. */
  timeout?: number | undefined;
}

export interface SwiftRequest {
  method: string;
  /** 'Object GET' etc.: the start of the error message. */
  label: string;
  /** Already-quoted path below the storage URL ('' , '/c', '/c/o'). */
  path: string;
  query?: string | undefined;
  headers: Record<string, string>;
  body?: PreparedBody | undefined;
  /** Send no X-Auth-Token (capabilities, temp URLs). */
  anonymous?: boolean;
}

/** Limit on how much of an error body is kept for the exception. */
const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * Sends one request with the auth headers; resolves with the response when
 * it is 2xx, else reads a bounded part of the body and throws the
 * ClientException swiftclient would.
 */
export async function send(ctx: OpContext, req: SwiftRequest): Promise<HttpResponse> {
  const headers = { ...req.headers };
  if (!req.anonymous) {
    if (ctx.token) headers['x-auth-token'] = ctx.token;
    if (ctx.serviceToken) headers['x-service-token'] = ctx.serviceToken;
  }
  let url = `${ctx.url}${req.path}${req.query ? `?${req.query}` : ''}`;
  // the platform's asynchronous set-up (the browser's MD5) ends before the first body is hashed
  const ready = platform().ready;
  if (ready) await ready;
  const body = req.body ? await req.body.open() : undefined;
  if (req.body && req.body.length !== undefined) headers['content-length'] = String(req.body.length);
  let res = await ctx.transport.request({ method: req.method, url, headers, body, signal: ctx.signal, label: req.label, timeout: ctx.timeout });
  // Redirects are followed for reads only, and tokens never go to another origin.
  for (let hop = 0; REDIRECT_STATUSES.has(res.status) && !body && hop < MAX_REDIRECTS; hop += 1) {
    const location = res.headers.location;
    if (!location || (req.method !== 'GET' && req.method !== 'HEAD')) break;
    await readAll(res, req.label, ctx.signal);
    const next = new URL(location, url);
    if (next.origin !== new URL(url).origin) {
      for (const name of AUTH_HEADERS) delete headers[name];
    }
    url = next.toString();
    res = await ctx.transport.request({ method: req.method, url, headers, signal: ctx.signal, label: req.label, timeout: ctx.timeout });
  }
  ctx.responseDict.status = res.status;
  ctx.responseDict.reason = res.reason;
  ctx.responseDict.headers = res.headers;
  if (res.status >= 200 && res.status < 300) return res;
  const text = await readErrorBody(res, ctx.signal);
  throw ClientException.fromResponse(`${req.label} failed`, url, res.status, res.reason, res.headers, text);
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const AUTH_HEADERS = ['x-auth-token', 'x-service-token', 'authorization', 'cookie'];

async function readErrorBody(res: HttpResponse, signal: AbortSignal | undefined): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (size < ERROR_BODY_LIMIT) chunks.push(chunk);
      size += chunk.length;
    }
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    // the status is what matters; a broken error body is not worth a retry
    void err;
  }
  return utf8Text(concatBytes(chunks).subarray(0, ERROR_BODY_LIMIT));
}

/** Reads a whole (successful) response body; network failures as ClientException named by `label` ('Object GET'...). */
export async function readAll(res: HttpResponse, label: string, signal: AbortSignal | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    const it = (res.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    for (let step = await nextBodyChunk(res, it); !step.done; step = await nextBodyChunk(res, it)) chunks.push(step.value);
  } catch (err) {
    throw networkError(label, res.url, err, signal, label);
  } finally {
    res.idle?.stop();
  }
  return chunks.length === 1 ? asBuffer(chunks[0] as Buffer) : concatBytes(chunks);
}

/**
 * Drains a small body we do not need so the connection goes back to the
 * pool (undici's dump: no per-chunk iteration; a large body closes the
 * socket instead). The request has already succeeded.
 */
export async function discard(res: HttpResponse, label: string, signal: AbortSignal | undefined): Promise<void> {
  try {
    await res.body.dump({ limit: 256 * 1024 });
  } catch (err) {
    throw networkError(label, res.url, err, signal, label);
  }
}

/** Parses a JSON listing body (an empty 204 is an empty list). */
export async function readJson<T>(res: HttpResponse, label: string, signal: AbortSignal | undefined): Promise<T | undefined> {
  const raw = await readAll(res, label, signal);
  if (res.status === 204 || raw.length === 0) return undefined;
  try {
    return JSON.parse(utf8Text(raw)) as T;
  } catch (err) {
    throw new BadAnswerError(`${label} ${res.url}: the server's answer is not JSON`, { cause: err });
  }
}

/** Records one attempt in the caller's responseDict (python keeps every try in `responseDicts`). */
export function addResponseDict(target: ResponseDict | undefined, attempt: ResponseDict): void {
  if (!target) return;
  const { responseDicts: _ignored, ...copy } = attempt;
  (target.responseDicts ??= []).push(copy);
  if (attempt.status !== undefined) target.status = attempt.status;
  if (attempt.reason !== undefined) target.reason = attempt.reason;
  if (attempt.headers !== undefined) target.headers = attempt.headers;
}
