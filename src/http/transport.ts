import { readFileSync } from 'node:fs';
import { errors as undiciErrors, type Dispatcher } from 'undici';
import { ClientException, NetworkError, TimeoutError, urlFields } from '../errors.js';
import { redactUrl } from '../util/redact.js';
import { decodeResponseHeaders, encodeForWire, type ResponseHeaders } from './headers.js';
import { debugLog, isDebugEnabled } from './log.js';
import { defaultDispatcher, type PoolOptions } from './dispatcher.js';
import { proxyEnv, proxyFor, proxyOrigin, type ProxyEnv } from './proxy.js';
import { defaultUserAgent } from './user-agent.js';

/** HTTP stack, TLS and timeout settings shared by every request of a Connection. */
export interface TransportOptions extends PoolOptions {
  /**
   * The undici Dispatcher every request goes through (an Agent, Pool,
   * ProxyAgent, MockAgent...). It is the caller's: `close()` leaves it open,
   * and the TLS and pool options here do not apply to it.
   * @default an Agent honouring HTTP_PROXY / HTTPS_PROXY / NO_PROXY
   */
  dispatcher?: Dispatcher | undefined;
  /** User-Agent of every request; a `User-Agent` in a call's headers wins. @default `swiftclient/<version> node/<version>` */
  userAgent?: string | undefined;
  /** Seconds to wait for response headers and for each silence in a body. */
  timeout?: number | undefined;
  /** Path of a CA bundle (PEM) to verify servers with. */
  cacert?: string | undefined;
  /** Skip TLS verification (never the default). */
  insecure?: boolean | undefined;
  /** Client certificate (PEM file path), for servers that ask for one. */
  cert?: string | undefined;
  /** Key of the client certificate (PEM file path). */
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

export interface HttpResponse {
  status: number;
  reason: string;
  headers: ResponseHeaders;
  body: Dispatcher.ResponseData['body'];
  url: string;
  /** With a caller-chosen timeout: bounds each wait for the next body chunk to the millisecond. */
  idle?: BodyIdleTimer | undefined;
}

/** How far past a caller's exact timeout undici's own (coarse) timers are set. */
const UNDICI_BACKSTOP_MS = 1000;

/** undici's default when the caller sets no timeout: long, but never forever. */
const DEFAULT_TIMEOUT_MS = 300_000;

/**
 * The one HTTP engine: an undici Agent with pooled keep-alive connections.
 * Network failures become ClientExceptions with the original error as cause.
 */
export class Transport {
  private agent: Dispatcher | undefined;
  /** The proxies of the environment, read when the default dispatcher is made. */
  private proxies: ProxyEnv | undefined;
  /** The cacert path when it could not be read (an error for https only). */
  private caMissing: string | undefined;
  private readonly timeoutMs: number;
  /** A timeout the caller chose: kept to the millisecond (undici's own timers tick every ~0.5 s). */
  private readonly exactTimeout: boolean;

  constructor(private readonly options: TransportOptions = {}) {
    this.exactTimeout = options.timeout !== undefined && options.timeout > 0;
    this.timeoutMs = this.exactTimeout ? (options.timeout as number) * 1000 : DEFAULT_TIMEOUT_MS;
  }

  /**
   * The Agent, made on first use. The CA bundle is read then but only needed
   * for https: as python (requests) does, a missing one is no error for
   * http URLs. A missing client certificate or key is, for any URL.
   */
  private getAgent(https: boolean): Dispatcher {
    const { cacert, insecure, cert, certKey } = this.options;
    if (this.options.dispatcher) return this.options.dispatcher;
    if (!this.agent) {
      const ca = cacert && !insecure ? readTlsFile(cacert) : undefined;
      this.caMissing = ca === null ? (cacert as string) : undefined;
      const certBytes = cert ? readTlsFile(cert) : undefined;
      if (certBytes === null) throw new ClientException(`Could not find the TLS certificate file, invalid path: ${cert}`);
      const keyBytes = certKey ? readTlsFile(certKey) : undefined;
      if (keyBytes === null) throw new ClientException(`Could not find the TLS key file, invalid path: ${certKey}`);
      this.proxies = proxyEnv();
      this.agent = defaultDispatcher({
        keepAlive: this.options.keepAlive,
        maxConnections: this.options.maxConnections,
        connectTimeoutMs: this.timeoutMs,
        tls: {
          rejectUnauthorized: !insecure,
          ...(ca ? { ca } : {}),
          ...(certBytes ? { cert: certBytes } : {}),
          ...(keyBytes ? { key: keyBytes } : {}),
        },
        proxies: this.proxies,
      });
    }
    if (https && this.caMissing !== undefined) {
      throw new ClientException(`Could not find a suitable TLS CA certificate bundle, invalid path: ${this.caMissing}`);
    }
    return this.agent;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    let parsed: URL;
    try {
      parsed = new URL(req.url);
    } catch (err) {
      throw new ClientException(`Invalid URL ${JSON.stringify(redactUrl(req.url))}`, { cause: err });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new ClientException(`Unsupported scheme "${parsed.protocol.replace(/:$/, '')}" in url "${redactUrl(req.url)}"`);
    }
    const agent = this.getAgent(parsed.protocol === 'https:');
    const proxy = this.proxies && proxyFor(parsed, this.proxies);
    const headers = hasName(req.headers, 'user-agent') ? req.headers : { ...req.headers, 'user-agent': this.options.userAgent ?? defaultUserAgent() };
    if (isDebugEnabled()) debugLog.request(req.method, req.url, headers);
    const exactTimeout = req.timeout !== undefined ? req.timeout > 0 : this.exactTimeout;
    const timeoutMs = req.timeout !== undefined && req.timeout > 0 ? req.timeout * 1000 : this.timeoutMs;
    const deadline = exactTimeout ? new HeadersDeadline(timeoutMs, req.signal) : undefined;
    const signal = deadline?.signal ?? req.signal;
    const body = deadline && req.body && !Buffer.isBuffer(req.body) ? deadline.watch(req.body) : req.body;
    const options: Dispatcher.RequestOptions = {
      origin: parsed.origin,
      path: rawPath(req.url),
      method: req.method as Dispatcher.HttpMethod,
      headers: encodeForWire(headers),
      // undici streams async iterables (chunked, or checked against content-length)
      body: (body ?? null) as Buffer | null,
      // undici's timers tick every ~0.5 s and can fire up to 0.5 s early:
      // with our own exact clocks running they are only a backstop, set where
      // they cannot beat ours (still bounding body reads ours do not time).
      headersTimeout: exactTimeout ? timeoutMs + UNDICI_BACKSTOP_MS : timeoutMs,
      bodyTimeout: exactTimeout ? timeoutMs + UNDICI_BACKSTOP_MS : timeoutMs,
      // undici closes the connection after every HEAD, in case a broken
      // server sends a body; Swift never does, and python keeps it too. A
      // reused connection nearly halves a HEAD's CPU (measured 2.2 -> 1.2 ms).
      ...(req.method === 'HEAD' ? { reset: false } : {}),
      ...(signal ? { signal } : {}),
    };
    try {
      const res = await agent.request(options);
      const resHeaders = decodeResponseHeaders(res.headers);
      if (isDebugEnabled()) debugLog.response(res.statusCode, res.statusText, resHeaders);
      const idle = exactTimeout ? new BodyIdleTimer(timeoutMs, res.body) : undefined;
      return { status: res.statusCode, reason: res.statusText || '', headers: resHeaders, body: res.body, url: req.url, idle };
    } catch (err) {
      throw networkError(req.method, req.url, err, req.signal, req.label, proxy);
    } finally {
      deadline?.stop();
    }
  }

  /** Releases pooled connections; the next request opens new ones. A caller's dispatcher is left open. */
  async close(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    if (!agent) return;
    // close() waits for open responses (an unread streamed body would hold it
    // forever); like swiftclient's close, drop what is still open after a moment.
    const closed = agent.close().then(() => true);
    const timer = new Promise<boolean>((resolve) => setTimeout(resolve, 100, false));
    if (!(await Promise.race([closed, timer]))) await agent.destroy();
  }
}

/**
 * The wait for response headers, to the millisecond: like undici's
 * headersTimeout it starts with the request and restarts whenever the
 * request body gives another chunk, so only silence counts. Expiry aborts
 * the request with undici's HeadersTimeoutError (a network error: retried).
 */
class HeadersDeadline {
  readonly signal: AbortSignal;
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number, callerSignal: AbortSignal | undefined) {
    const controller = new AbortController();
    this.timer = setTimeout(() => controller.abort(new undiciErrors.HeadersTimeoutError()), ms);
    this.signal = callerSignal ? AbortSignal.any([callerSignal, controller.signal]) : controller.signal;
  }

  async *watch(body: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
    for await (const chunk of body) {
      this.timer.refresh();
      yield chunk;
    }
    this.timer.refresh();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/**
 * Silence while a body streams, to the millisecond: the clock runs only
 * while a reader waits for the next chunk (a slow reader is not a silent
 * server). Expiry destroys the body with undici's BodyTimeoutError, which
 * the waiting read then throws (and a streamed download resumes from).
 */
export class BodyIdleTimer {
  private waiting = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ms: number,
    private readonly body: { destroy(err: Error): unknown },
  ) {}

  async wait<T>(next: Promise<T>): Promise<T> {
    this.waiting = true;
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(() => this.waiting && this.body.destroy(new undiciErrors.BodyTimeoutError()), this.ms).unref();
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

/** The next chunk of a response body, within the caller's timeout when one was chosen. */
export function nextBodyChunk<T>(res: HttpResponse, chunks: AsyncIterator<T>): Promise<IteratorResult<T>> {
  return res.idle ? res.idle.wait(chunks.next()) : chunks.next();
}

/** True for errors that mean the request or response was cut off. */
export function isAbortError(err: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (err instanceof Error && err.name === 'AbortError');
}

/**
 * Wraps a network-level failure; an abort is re-thrown as the signal's
 * reason. `proxy`: the request went through this proxy, named in the message.
 */
export function networkError(method: string, url: string, err: unknown, signal?: AbortSignal, label?: string, proxy?: string): unknown {
  if (signal?.aborted) return signal.reason ?? err;
  if (err instanceof ClientException) return err;
  // undici reports a proxy's 407 as an invalid argument
  if (err instanceof undiciErrors.InvalidArgumentError && !(proxy && /proxy/i.test(err.message))) {
    // a request we built wrong is not a network failure: never retried
    return new ClientException(`${method} request refused before sending: ${err.message}`, { cause: err });
  }
  const code = (err as { code?: string } | null)?.code;
  let what = err instanceof Error ? err.message : String(err);
  const silent = err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError;
  if (silent) what = `timed out (${what})`;
  const Kind = silent || err instanceof undiciErrors.ConnectTimeoutError ? TimeoutError : NetworkError;
  const via = proxy ? ` (through the proxy ${proxyOrigin(proxy)})` : '';
  return new Kind(`${label ?? `${method} request`} failed${via}: ${what}${code ? ` [${code}]` : ''}`, { cause: err, ...urlFields(url) });
}

/**
 * The path and query exactly as built: `new URL()` would resolve `.` and
 * `..` segments, but Swift stores an object named `a/../b` literally.
 */
function rawPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  return start < 0 ? '/' : url.slice(start);
}

function hasName(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

/** A TLS file's bytes, or null when it cannot be read. */
function readTlsFile(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}
