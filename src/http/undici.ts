// The Node default engine: an undici Agent with pooled keep-alive
// connections, proxies from the environment and TLS options.
import { readFileSync } from 'node:fs';
import type { Dispatcher } from 'undici';
import { ClientException } from '../errors.js';
import { decodeResponseHeaders, encodeForWire, withDefaultUserAgent } from './headers.js';
import { debugLog, isDebugEnabled } from './log.js';
import { defaultDispatcher } from './dispatcher.js';
import { proxyEnv, proxyFor, type ProxyEnv } from './proxy.js';
import { errors as undiciErrors } from './undici-parts.js';
import {
  BodyIdleTimer,
  HeadersDeadline,
  networkError,
  parseRequestUrl,
  rawPath,
  requestTimeout,
  type HttpRequest,
  type HttpResponse,
  type Transport,
  type TransportOptions,
} from './transport.js';
import { dispatchRequest } from './undici-body.js';
import { defaultUserAgent } from './user-agent.js';

/** How far past a caller's exact timeout undici's own (coarse) timers are set. */
const UNDICI_BACKSTOP_MS = 1000;

const headersTimeout = (): Error => new undiciErrors.HeadersTimeoutError();
const bodyTimeout = (): Error => new undiciErrors.BodyTimeoutError();

/** Distinct origins (and proxies) remembered by a transport before it starts over. */
const MAX_TARGETS = 64;

/** What a request needs of its URL's scheme and authority. */
interface Target {
  origin: string;
  https: boolean;
  proxy: string | undefined;
}

/**
 * The undici engine. Network failures become ClientExceptions with the
 * original error as cause.
 */
export class UndiciTransport implements Transport {
  readonly name = 'undici';
  private agent: Dispatcher | undefined;
  /** The proxies of the environment, read when the default dispatcher is made. */
  private proxies: ProxyEnv | undefined;
  /** The cacert path when it could not be read (an error for https only). */
  private caMissing: string | undefined;
  private readonly targets = new Map<string, Target>();

  constructor(private readonly options: TransportOptions = {}) {}

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
        connectTimeoutMs: requestTimeout(undefined, this.options.timeout).ms,
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

  /**
   * The origin, scheme and proxy of a URL, kept per scheme and authority
   * (the URL up to its path): a Connection's requests share a few, and
   * parsing each URL again cost a measurable share of a small request.
   * It makes the Agent first, since the proxies are read with it.
   */
  private target(url: string): Target {
    const slashes = url.indexOf('//');
    const pathStart = slashes < 0 ? -1 : url.indexOf('/', slashes + 2);
    // Only a plain prefix parses the same alone as within the URL.
    const key = pathStart < 0 ? undefined : url.slice(0, pathStart);
    const known = key === undefined ? undefined : this.targets.get(key);
    if (known) return known;
    const parsed = parseRequestUrl(url);
    const https = parsed.protocol === 'https:';
    this.getAgent(https); // the proxies of the environment are read with the Agent
    const target: Target = { origin: parsed.origin, https, proxy: this.proxies && proxyFor(parsed, this.proxies) };
    if (key !== undefined && !/[\\?#]/.test(key)) {
      if (this.targets.size >= MAX_TARGETS) this.targets.clear();
      this.targets.set(key, target);
    }
    return target;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const { origin, https, proxy } = this.target(req.url);
    const agent = this.getAgent(https);
    const userAgent = this.options.userAgent ?? defaultUserAgent();
    if (isDebugEnabled()) debugLog.request(req.method, req.url, withDefaultUserAgent(req.headers, userAgent));
    const timeout = requestTimeout(req.timeout, this.options.timeout);
    const deadline = timeout.exact ? new HeadersDeadline(timeout.ms, req.signal, headersTimeout) : undefined;
    const signal = deadline?.signal ?? req.signal;
    const body = deadline && req.body && !Buffer.isBuffer(req.body) ? deadline.watch(req.body) : req.body;
    const options: Dispatcher.DispatchOptions = {
      origin,
      path: rawPath(req.url),
      method: req.method as Dispatcher.HttpMethod,
      headers: encodeForWire(req.headers, userAgent),
      // undici streams async iterables (chunked, or checked against content-length)
      body: (body ?? null) as Buffer | null,
      // undici's timers tick every ~0.5 s and can fire up to 0.5 s early:
      // with our own exact clocks running they are only a backstop, set where
      // they cannot beat ours (still bounding body reads ours do not time).
      headersTimeout: timeout.exact ? timeout.ms + UNDICI_BACKSTOP_MS : timeout.ms,
      bodyTimeout: timeout.exact ? timeout.ms + UNDICI_BACKSTOP_MS : timeout.ms,
      // undici closes the connection after every HEAD, in case a broken
      // server sends a body; Swift never does, and python keeps it too. A
      // reused connection nearly halves a HEAD's CPU (measured 2.2 -> 1.2 ms).
      ...(req.method === 'HEAD' ? { reset: false } : {}),
    };
    try {
      const res = await dispatchRequest(agent, options, signal);
      const resHeaders = decodeResponseHeaders(res.headers);
      if (isDebugEnabled()) debugLog.response(res.statusCode, res.statusText, resHeaders);
      const idle = timeout.exact ? new BodyIdleTimer(timeout.ms, res.body, bodyTimeout) : undefined;
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
    this.targets.clear(); // the next Agent reads the proxies of the environment again
    if (!agent) return;
    // close() waits for open responses (an unread streamed body would hold it
    // forever); like swiftclient's close, drop what is still open after a moment.
    const closed = agent.close().then(() => true);
    const timer = new Promise<boolean>((resolve) => setTimeout(resolve, 100, false));
    if (!(await Promise.race([closed, timer]))) await agent.destroy();
  }
}

/** A TLS file's bytes, or null when it cannot be read. */
function readTlsFile(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}
