// The transport seam: one request in, status + headers + a streamed body
// out. Two engines implement it: undici (undici.ts, the default on Node, Deno
// and Bun) and the platform's fetch (fetch.ts: browsers, workers). Everything above
// (retries, re-auth, resume, integrity) sees only these types.
import { ClientException, NetworkError, TimeoutError, urlFields } from '../errors.js';
import { redactUrl } from '../util/redact.js';
import type { ResponseHeaders } from './headers.js';
import { proxyOrigin } from './proxy.js';
import type { Dispatcher } from '../platform/node-types.js';

/**
 * Which HTTP engine a Connection uses.
 * - `'undici'`: undici's pooled keep-alive Agent (Node, Deno and Bun):
 *   proxies from the environment, TLS options, `dispatcher`, `maxConnections`.
 * - `'fetch'`: the platform's global `fetch` (browsers, workers, or
 *   anywhere by choice); TLS, proxies and pooling are the platform's.
 */
export type TransportName = 'undici' | 'fetch';

/** Pooling settings of the default dispatcher (the undici engine's; here so that the shared declarations need no undici). */
export interface PoolOptions {
  /** Seconds an idle connection is kept for reuse. @default 30 */
  keepAlive?: number | undefined;
  /** Most connections open at once to one origin (server or proxy); further requests queue. @default unlimited */
  maxConnections?: number | undefined;
}

/** HTTP stack, TLS and timeout settings shared by every request of a Connection. */
export interface TransportOptions extends PoolOptions {
  /**
   * The HTTP engine.
   * @default `'undici'` on Node, Deno and Bun (and whenever a `dispatcher` is
   * given), `'fetch'` in browsers and workers; the
   * `SWIFTCLIENT_TRANSPORT` environment variable (`undici` or `fetch`)
   * overrides the default
   * @example new Session({ auth, transport: 'fetch' })
   */
  transport?: TransportName | undefined;
  /**
   * The undici Dispatcher every request goes through (an Agent, Pool,
   * ProxyAgent, MockAgent...). It is the caller's: `close()` leaves it open,
   * and the TLS and pool options here do not apply to it. Undici transport
   * only (refused with the fetch transport).
   * @default an Agent honouring HTTP_PROXY / HTTPS_PROXY / NO_PROXY
   */
  dispatcher?: Dispatcher | undefined;
  /** User-Agent of every request; a `User-Agent` in a call's headers wins (in a browser neither is sent). @default `swiftclient/<version> node/<version>` */
  userAgent?: string | undefined;
  /** Seconds to wait for response headers and for each silence in a body. */
  timeout?: number | undefined;
  /** Path of a CA bundle (PEM) to verify servers with. */
  cacert?: string | undefined;
  /** Skip TLS verification (never the default). */
  insecure?: boolean | undefined;
  /** Client certificate (PEM path) and its key. */
  cert?: string | undefined;
  /** The client certificate's key (PEM path). */
  certKey?: string | undefined;
}

export interface HttpRequest {
  method: string;
  /** Absolute, already quoted URL. */
  url: string;
  headers: Record<string, string>;
  body?: Buffer | AsyncIterable<Buffer> | undefined;
  signal?: AbortSignal | undefined;
  /** 'Object GET' etc.: names the call in a network error, as in an HTTP one. */
  label?: string | undefined;
  /** Seconds for this request, overriding the transport's `timeout`. */
  timeout?: number | undefined;
}

/**
 * A streamed response body, as both engines produce it: an async iterable
 * of Buffers (undici's body is one as it is; fetch's stream is wrapped).
 */
export interface ResponseBody extends AsyncIterable<Buffer> {
  /** The whole body as UTF-8 text. */
  text(): Promise<string>;
  /** Reads and drops up to `limit` bytes so the connection can be reused; a longer body is cut off. */
  dump(options?: { limit?: number }): Promise<unknown>;
  /** Ends the body with `err`: a waiting read rejects with it. */
  destroy(err?: Error): unknown;
  /**
   * A chunk already received, without a promise: a Buffer, `null` at the
   * end, `undefined` when the next one must be waited for (through the
   * iterator). Throws the body's error. Optional: the undici engine has it.
   */
  take?(): Buffer | null | undefined;
}

export interface HttpResponse {
  status: number;
  reason: string;
  headers: ResponseHeaders;
  body: ResponseBody;
  url: string;
  /** With a caller-chosen timeout: bounds each wait for the next body chunk to the millisecond. */
  idle?: BodyIdleTimer | undefined;
}

/** The HTTP engine behind a Connection or Session. */
export interface Transport {
  /** Which engine this is. */
  readonly name: TransportName;
  /** Sends one request; resolves when the response headers arrived. Network failures reject with a ClientException. */
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Releases pooled connections; the next request opens new ones. */
  close(): Promise<void>;
}

/** The default when the caller sets no timeout (undici's): long, but never forever. */
export const DEFAULT_TIMEOUT_MS = 300_000;

/** The timeout of one request: exact (ours, to the millisecond) when a caller chose it. */
export function requestTimeout(perRequest: number | undefined, connectionTimeout: number | undefined): { exact: boolean; ms: number } {
  const chosen = perRequest !== undefined ? perRequest : connectionTimeout;
  return chosen !== undefined && chosen > 0 ? { exact: true, ms: chosen * 1000 } : { exact: false, ms: DEFAULT_TIMEOUT_MS };
}

/** Parses and checks a request URL: http or https only. */
export function parseRequestUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new ClientException(`Invalid URL ${JSON.stringify(redactUrl(url))}`, { cause: err });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ClientException(`Unsupported scheme "${parsed.protocol.replace(/:$/, '')}" in url "${redactUrl(url)}"`);
  }
  return parsed;
}

/** A silence past the caller's timeout, in either engine's words (the undici path passes undici's classes). */
export type TimeoutReason = () => Error;

/**
 * The wait for response headers, to the millisecond: like undici's
 * headersTimeout it starts with the request and restarts whenever the
 * request body gives another chunk, so only silence counts. Expiry aborts
 * the request with `reason()` (a timeout: retried).
 */
export class HeadersDeadline {
  readonly signal: AbortSignal;
  private timer: ReturnType<typeof setTimeout>;
  private readonly controller = new AbortController();
  private readonly start: () => ReturnType<typeof setTimeout>;

  constructor(ms: number, callerSignal: AbortSignal | undefined, reason: TimeoutReason) {
    const controller = this.controller;
    this.start = () => setTimeout(() => controller.abort(reason()), ms);
    this.timer = this.start();
    this.signal = callerSignal ? AbortSignal.any([callerSignal, controller.signal]) : controller.signal;
  }

  /** The timeout error when the deadline passed. */
  get expired(): Error | undefined {
    return this.controller.signal.aborted ? (this.controller.signal.reason as Error) : undefined;
  }

  async *watch(body: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
    for await (const chunk of body) {
      this.timer = restarted(this.timer, this.start);
      yield chunk;
    }
    this.timer = restarted(this.timer, this.start);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/**
 * Silence while a body streams, to the millisecond: the clock runs only
 * while a reader waits for the next chunk (a slow reader is not a silent
 * server). Expiry destroys the body with `reason()`, which the waiting read
 * then throws (and a streamed download resumes from).
 */
export class BodyIdleTimer {
  private waiting = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ms: number,
    private readonly body: { destroy(err: Error): unknown },
    private readonly reason: TimeoutReason,
  ) {}

  async wait<T>(next: Promise<T>): Promise<T> {
    this.waiting = true;
    const start = (): ReturnType<typeof setTimeout> => unref(setTimeout(() => this.waiting && this.body.destroy(this.reason()), this.ms));
    this.timer = this.timer === undefined ? start() : restarted(this.timer, start);
    try {
      return await next;
    } finally {
      this.waiting = false;
    }
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/** A timer started again: Node's `refresh()` where timers have it, else a new one (a browser's timers are numbers). */
function restarted(timer: ReturnType<typeof setTimeout>, start: () => ReturnType<typeof setTimeout>): ReturnType<typeof setTimeout> {
  const refresh = (timer as { refresh?: () => unknown }).refresh;
  if (typeof refresh === 'function') {
    refresh.call(timer);
    return timer;
  }
  clearTimeout(timer);
  return start();
}

/** A timer that does not keep the process alive, where timers can say so. */
function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * The next chunk of a response body, within the caller's timeout when one
 * was chosen: one already received is taken without waiting, as a plain
 * result (await it either way).
 */
export function nextBodyChunk(res: HttpResponse, chunks: AsyncIterator<Buffer>): Promise<IteratorResult<Buffer>> | IteratorResult<Buffer> {
  const now = res.body.take?.();
  if (now) return { done: false, value: now };
  if (now === null) return { done: true, value: undefined };
  return res.idle ? res.idle.wait(chunks.next()) : chunks.next();
}

/** True for errors that mean the request or response was cut off. */
export function isAbortError(err: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (err instanceof Error && err.name === 'AbortError');
}

/** Codes of silences (undici's and the fetch engine's): a TimeoutError. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'HEADERS_TIMEOUT', 'BODY_TIMEOUT']);
const CONNECT_TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT']);

/**
 * Wraps a network-level failure; an abort is re-thrown as the signal's
 * reason. `proxy`: the request went through this proxy, named in the message.
 */
export function networkError(method: string, url: string, err: unknown, signal?: AbortSignal, label?: string, proxy?: string): unknown {
  if (signal?.aborted) return signal.reason ?? err;
  if (err instanceof ClientException) return err;
  const code = (err as { code?: unknown } | null)?.code;
  // undici reports a proxy's 407 as an invalid argument
  if (code === 'UND_ERR_INVALID_ARG' && !(proxy && err instanceof Error && /proxy/i.test(err.message))) {
    // a request we built wrong is not a network failure: never retried
    return new ClientException(`${method} request refused before sending: ${(err as Error).message}`, { cause: err });
  }
  let what = err instanceof Error ? err.message : String(err);
  const silent = typeof code === 'string' && TIMEOUT_CODES.has(code);
  if (silent) what = `timed out (${what})`;
  const Kind = silent || (typeof code === 'string' && CONNECT_TIMEOUT_CODES.has(code)) ? TimeoutError : NetworkError;
  const via = proxy ? ` (through the proxy ${proxyOrigin(proxy)})` : '';
  return new Kind(`${label ?? `${method} request`} failed${via}: ${what}${typeof code === 'string' ? ` [${code}]` : ''}`, { cause: err, ...urlFields(url) });
}

/**
 * The path and query exactly as built: `new URL()` would resolve `.` and
 * `..` segments, but Swift stores an object named `a/../b` literally.
 */
export function rawPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  return start < 0 ? '/' : url.slice(start);
}
