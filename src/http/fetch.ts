// The platform's fetch as the engine: browsers, workers, or anywhere by
// choice (Bun's fetch included). Same contract as the
// undici engine: streamed bodies both ways, exact timeouts, the caller's
// AbortSignal, typed errors; what a platform cannot do is refused by name.
import { ClientException, NetworkError, urlFields } from '../errors.js';
import { platform } from '../platform/index.js';
import { asBuffer, concatBytes, isBytes, webBytes } from '../util/bytes.js';
import { redactUrl } from '../util/redact.js';
import { decodeHeaderValue, encodeForWire, type ResponseHeaders } from './headers.js';
import { debugLog, isDebugEnabled } from './log.js';
import { proxyEnv, proxyFor } from './proxy.js';
import { canStreamUploads, detectRuntime, isBlockedPort, isForbiddenHeader, withUserAgent, type RuntimeKind } from './runtime.js';
import {
  BodyIdleTimer,
  HeadersDeadline,
  networkError,
  parseRequestUrl,
  rawPath,
  requestTimeout,
  type HttpRequest,
  type HttpResponse,
  type ResponseBody,
  type Transport,
  type TransportOptions,
} from './transport.js';

/**
 * Most bytes of a streamed upload a browser's fetch is given at once: it
 * cannot stream a request body over HTTP/1.1, so a body of announced length
 * up to this size is gathered first; a longer or unsized one is refused.
 */
export const BROWSER_UPLOAD_LIMIT = 64 * 1024 * 1024;

/** A silence past the caller's timeout (code as undici's timeouts read: `HEADERS_TIMEOUT`, `BODY_TIMEOUT`). */
class SilenceError extends Error {
  constructor(
    message: string,
    readonly code: 'HEADERS_TIMEOUT' | 'BODY_TIMEOUT',
  ) {
    super(message);
  }
}

const headersTimeout = (): Error => new SilenceError('Headers Timeout Error', 'HEADERS_TIMEOUT');
const bodyTimeout = (): Error => new SilenceError('Body Timeout Error', 'BODY_TIMEOUT');

/**
 * fetch reports every network failure as `TypeError: fetch failed` (Node)
 * with the real one as cause: the message names both and the code is the
 * cause's (ECONNREFUSED, UND_ERR_SOCKET...), as on the undici path. A page
 * gets only "Failed to fetch", for a server that is down and for a CORS
 * refusal alike: `hint` names both.
 */
class FetchFailure extends Error {
  readonly code: string | undefined;

  constructor(err: Error, hint = '') {
    const inner = err.cause instanceof Error ? err.cause : undefined;
    super(`${inner && inner.message !== err.message ? `${err.message}: ${inner.message}` : err.message}${hint}`, { cause: err });
    const code = (inner as { code?: unknown } | undefined)?.code ?? (err as { code?: unknown }).code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}

function describe(err: unknown, hint?: string): unknown {
  return err instanceof Error && !(err instanceof ClientException) && !(err instanceof SilenceError) && err.name !== 'AbortError' ? new FetchFailure(err, hint) : err;
}

/** Where fetch hides a CORS refusal behind the same error as a server that is down. */
const CORS_HINT = " (no answer: the server is unreachable, or its CORS settings do not allow this page's origin or request)";

/** Bun's extension of RequestInit: TLS settings per request. */
interface BunTls {
  rejectUnauthorized?: boolean;
  ca?: unknown;
  cert?: unknown;
  key?: unknown;
}

interface BunGlobal {
  file(path: string): { exists(): Promise<boolean> };
}

/**
 * The fetch engine. Options it cannot honour on this runtime are refused
 * when it is made (BAD_INPUT), never ignored: `dispatcher` and
 * `maxConnections` always, TLS files everywhere but Bun.
 */
export class FetchTransport implements Transport {
  readonly name = 'fetch';
  private readonly runtime: RuntimeKind;

  constructor(
    private readonly options: TransportOptions = {},
    runtime: RuntimeKind = detectRuntime(),
  ) {
    this.runtime = runtime;
    const refuse = (what: string, why: string): never => {
      throw new ClientException(`The fetch transport cannot honour ${what}: ${why}`);
    };
    if (typeof globalThis.fetch !== 'function') refuse('any request', 'this runtime has no global fetch');
    if (options.dispatcher) refuse('`dispatcher`', 'an undici Dispatcher needs the undici transport (`transport: "undici"`)');
    if (options.maxConnections !== undefined) refuse('`maxConnections`', 'the platform pools fetch connections itself (use the undici transport)');
    const tls = options.cacert || options.cert || options.certKey || options.insecure;
    if (tls && runtime !== 'bun') refuse('TLS options (`cacert`, `cert`, `certKey`, `insecure`)', `${runtime}'s fetch takes no TLS settings (use the undici transport, or the platform's trust store)`);
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const parsed = parseRequestUrl(req.url);
    this.checkPath(req.url, parsed);
    const proxy = this.proxyFor(parsed);
    const browser = !canStreamUploads(this.runtime);
    const named = withUserAgent(req.headers, this.options.userAgent ?? platform().userAgent(), this.runtime);
    if (browser) checkBrowserHeaders(req.headers);
    if (isDebugEnabled()) debugLog.request(req.method, req.url, named);
    const headers = encodeForWire(named);
    const timeout = requestTimeout(req.timeout, this.options.timeout);
    const deadline = new HeadersDeadline(timeout.ms, req.signal, headersTimeout);
    const init: RequestInit & { duplex?: 'half'; tls?: BunTls } = { method: req.method, headers, redirect: 'manual', signal: deadline.signal };
    let res: Response;
    let upload: UploadStream | undefined;
    try {
      const length = headers['content-length'];
      // fetch sets it from a whole body (and refuses it with none); only a
      // stream needs it, or it goes out chunked
      delete headers['content-length'];
      if (req.body === undefined) {
        // as undici does, and Swift expects of a PUT/POST with no body
      } else if (isBytes(req.body)) init.body = webBytes(req.body);
      else if (browser) init.body = webBytes(await gather(req.body, length, req.method, req.url));
      else {
        if (length !== undefined) headers['content-length'] = length;
        upload = new UploadStream(deadline.watch(req.body));
        init.body = upload.stream;
        init.duplex = 'half';
      }
      if (this.runtime === 'bun') {
        const tls = await this.bunTls(parsed.protocol === 'https:');
        if (tls) init.tls = tls;
      }
      res = await fetch(req.url, init);
    } catch (err) {
      upload?.stop();
      throw networkError(req.method, req.url, deadline.expired ?? describe(err, browser ? CORS_HINT : undefined), req.signal, req.label, proxy);
    } finally {
      deadline.stop();
    }
    if (res.type === 'opaqueredirect' || res.status === 0) {
      await res.body?.cancel().catch(() => undefined);
      throw new NetworkError(
        `${req.label ?? `${req.method} request`} failed: the browser hides this response (a redirect or a cross-origin answer the server's CORS settings do not allow)`,
        urlFields(req.url),
      );
    }
    const resHeaders = decodeFetchHeaders(res.headers);
    if (isDebugEnabled()) debugLog.response(res.status, res.statusText, resHeaders);
    const body = new FetchBody(res);
    const idle = new BodyIdleTimer(timeout.ms, body, bodyTimeout);
    return { status: res.status, reason: res.statusText || '', headers: resHeaders, body, url: req.url, idle };
  }

  /** fetch keeps no pool we can reach: nothing to release. */
  async close(): Promise<void> {}

  /**
   * What fetch cannot send is refused by name: a port it blocks, and a path
   * its URL parser rewrites (it resolves `.` and `..` segments, `%2E` too,
   * so an object named `a/../b` would silently become `b`).
   */
  private checkPath(url: string, parsed: URL): void {
    if (parsed.port !== '' && isBlockedPort(Number(parsed.port))) {
      throw new ClientException(`The fetch transport cannot reach port ${parsed.port} of ${parsed.hostname}: fetch blocks it (the Fetch standard's "bad ports"; use the undici transport)`);
    }
    if (rawPath(url) !== `${parsed.pathname}${parsed.search}`) {
      throw new ClientException(
        `The fetch transport cannot send the path of ${JSON.stringify(redactUrl(url))}: the platform's URL parser rewrites its "." or ".." segments (use the undici transport for such names)`,
      );
    }
  }

  /**
   * Node's fetch ignores HTTP_PROXY / HTTPS_PROXY (unless NODE_USE_ENV_PROXY
   * is set): a request the environment sends through a proxy is refused
   * rather than sent around it. Bun and Deno honour the variables themselves.
   */
  private proxyFor(parsed: URL): string | undefined {
    if (this.runtime !== 'node') return undefined;
    const env = globalThis.process?.env ?? {};
    const proxy = proxyFor(parsed, proxyEnv(env));
    if (proxy !== undefined && !env.NODE_USE_ENV_PROXY) {
      throw new ClientException(
        `The fetch transport cannot go through the proxy ${redactUrl(proxy)} the environment names for ${parsed.host}: Node's fetch ignores HTTP_PROXY / HTTPS_PROXY unless NODE_USE_ENV_PROXY=1 (or use the undici transport)`,
      );
    }
    return proxy;
  }

  /**
   * Bun's per-request TLS settings from the options' files, checked as the
   * undici engine checks them: a missing CA bundle is an error for https
   * only (as python's requests), a missing client certificate or key for
   * any URL. Nothing is sent for http.
   */
  private async bunTls(https: boolean): Promise<BunTls | undefined> {
    const { cacert, insecure, cert, certKey } = this.options;
    if (!cacert && !insecure && !cert && !certKey) return undefined;
    const bun = (globalThis as { Bun?: BunGlobal }).Bun as BunGlobal;
    const file = async (path: string, what: string): Promise<unknown> => {
      const handle = bun.file(path);
      if (!(await handle.exists())) throw new ClientException(`Could not find ${what}, invalid path: ${path}`);
      return handle;
    };
    const client = {
      ...(cert ? { cert: await file(cert, 'the TLS certificate file') } : {}),
      ...(certKey ? { key: await file(certKey, 'the TLS key file') } : {}),
    };
    if (!https) return undefined;
    return {
      rejectUnauthorized: !insecure,
      ...(cacert && !insecure ? { ca: await file(cacert, 'a suitable TLS CA certificate bundle') } : {}),
      ...client,
    };
  }
}

/** A header a browser would drop is refused by name. */
function checkBrowserHeaders(headers: Record<string, string>): void {
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() !== 'content-length' && isForbiddenHeader(name)) {
      throw new ClientException(`The fetch transport cannot send the header ${JSON.stringify(name)} from a browser: the browser drops it`);
    }
  }
}

/** Lower-cased names, values read back as UTF-8 (fetch gives the bytes as latin1, as undici does). */
function decodeFetchHeaders(headers: Headers): ResponseHeaders {
  const out: ResponseHeaders = {};
  headers.forEach((value, name) => {
    // a runtime that already decoded UTF-8 gives characters above U+00FF
    out[name.toLowerCase()] = /[^\u0000-\u00ff]/.test(value) ? value : decodeHeaderValue(value);
  });
  return out;
}

/**
 * A request body as the pull-driven stream fetch reads: one chunk per pull,
 * so memory stays bounded. Each chunk is copied: the platform may hold it
 * after asking for the next, and a source may reuse its buffers.
 */
class UploadStream {
  readonly stream: ReadableStream<Uint8Array>;
  private stopped = false;

  constructor(body: AsyncIterable<Buffer>) {
    const chunks = body[Symbol.asyncIterator]();
    const stop = (): void => {
      if (this.stopped) return;
      this.stopped = true;
      void chunks.return?.()?.catch(() => undefined);
    };
    this.stop = stop;
    this.stream = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          if (this.stopped) return controller.close();
          const step = await chunks.next();
          if (step.done) {
            this.stopped = true;
            controller.close();
          } else if (!this.stopped) controller.enqueue(new Uint8Array(step.value));
        },
        cancel: stop,
      },
      { highWaterMark: 0 },
    );
  }

  /** Pulls no more from the source and closes it (a failed attempt's body must not run on). */
  readonly stop: () => void;
}

/** A browser's upload body: gathered into one buffer when its announced length allows. */
async function gather(body: AsyncIterable<Buffer>, length: string | undefined, method: string, url: string): Promise<Uint8Array> {
  const size = length === undefined ? NaN : Number(length);
  if (!(size <= BROWSER_UPLOAD_LIMIT)) {
    throw new ClientException(
      `${method} ${redactUrl(url)}: a browser cannot stream a request body over HTTP/1.1, and this one is ${Number.isNaN(size) ? 'of unknown length' : `${size} bytes`} (at most ${BROWSER_UPLOAD_LIMIT} bytes of known length are gathered first; upload larger data in segments)`,
    );
  }
  const out = new Uint8Array(size);
  let at = 0;
  for await (const chunk of body) {
    if (at + chunk.length > size) break;
    out.set(chunk, at);
    at += chunk.length;
  }
  return out.subarray(0, at);
}

/**
 * fetch's response stream as the body the layers above read: an async
 * iterable of Buffers with text(), dump() and destroy(). destroy() makes a
 * waiting read throw the given error (the idle timer relies on that).
 */
class FetchBody implements ResponseBody {
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private failure: { error: unknown } | undefined;
  private done = false;

  private readonly stream: ReadableStream<Uint8Array> | null;

  /**
   * Holds the Response itself, not only its stream: Node's fetch cancels the
   * stream of a Response that is garbage-collected, which would end a body
   * left unread for a while (a resumed download hashing its partial file
   * first) as if it were complete.
   */
  constructor(private readonly response: Response) {
    this.stream = response.body;
  }

  async next(): Promise<IteratorResult<Buffer>> {
    if (this.failure) throw this.failure.error;
    if (this.done || !this.stream) return { done: true, value: undefined };
    this.reader ??= this.stream.getReader();
    let step: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;
    try {
      step = await this.reader.read();
    } catch (err) {
      throw this.failed()?.error ?? describe(err);
    }
    // cancel() ends a waiting read as done: the reason is the destroy error
    const failure = this.failed();
    if (failure) throw failure.error;
    if (step.done) {
      this.done = true;
      return { done: true, value: undefined };
    }
    const value = step.value;
    return { done: false, value: asBuffer(value) };
  }

  /** Set by destroy(), possibly while a read was waiting. */
  private failed(): { error: unknown } | undefined {
    return this.failure;
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return {
      next: () => this.next(),
      return: async () => {
        this.cancel();
        return { done: true, value: undefined };
      },
    };
  }

  async text(): Promise<string> {
    const chunks: Buffer[] = [];
    for (let step = await this.next(); !step.done; step = await this.next()) chunks.push(step.value);
    return new TextDecoder().decode(concatBytes(chunks));
  }

  async dump(options: { limit?: number } = {}): Promise<void> {
    const limit = options.limit ?? 128 * 1024;
    let seen = 0;
    for (let step = await this.next(); !step.done; step = await this.next()) {
      seen += step.value.length;
      if (seen > limit) {
        this.cancel();
        return;
      }
    }
  }

  destroy(err?: Error): void {
    this.failure ??= { error: err ?? new Error('response body destroyed') };
    this.cancel();
  }

  private cancel(): void {
    if (this.done) return;
    this.done = true;
    const pending = this.reader ? this.reader.cancel(this.failure?.error) : this.stream?.cancel(this.failure?.error);
    void pending?.catch(() => undefined);
  }
}
