/**
 * A small HTTP-aware fault-injection proxy for reliability tests.
 *
 * It listens on 127.0.0.1 (port 0) and forwards every request to the real
 * Swift (default http://127.0.0.1:8080), unless a queued rule matches the
 * request: then it answers with a status without forwarding, resets or
 * truncates the request or the response after a number of body bytes,
 * stalls before the headers or in the middle of the body, or replaces
 * response headers. Every request it
 * sees is recorded (method, path, headers, arrival time, body bytes) so tests
 * can count tries, measure the gaps between them and check resume headers.
 *
 * Client side: node:http server (keep-alive, parses requests for us).
 * Upstream side: one fresh connection per request (no pooled upstream
 * sockets, so a stale upstream socket can never add a try of its own).
 *
 *   const proxy = await FaultProxy.start();
 *   const conn = new Connection({ preauthUrl: proxy.storageUrl(), preauthToken: token });
 *   proxy.failWith(503, 2, { method: 'PUT' });                       // two 503s, then forward
 *   proxy.add({ method: 'GET', path: /\/obj$/, fault: { type: 'truncateResponse', afterBytes: 1000 } });
 *   ...
 *   proxy.seen('PUT').length; proxy.gaps('PUT'); proxy.seen('GET')[1].headers.range;
 *   await proxy.close();
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** What the proxy does with a matched request. */
export type Fault =
  /** Answer with this status (and headers/body) without forwarding. */
  | { type: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Forward, but reset both connections once `afterBytes` of the request body arrived. */
  | { type: 'resetRequest'; afterBytes: number }
  /** Forward; send the headers and `afterBytes` of the response body, then reset (RST). */
  | { type: 'resetResponse'; afterBytes: number }
  /** Forward; send the headers and `afterBytes` of the response body, then close cleanly (FIN). */
  | { type: 'truncateResponse'; afterBytes: number }
  /** Send nothing for `seconds`, then forward, close (FIN) or reset (RST). */
  | { type: 'stall'; seconds: number; then: 'forward' | 'close' | 'reset' }
  /** Forward; after `afterBytes` of the response body send nothing for `seconds`, then continue or close. */
  | { type: 'stallResponse'; afterBytes: number; seconds: number; then: 'continue' | 'close' }
  /** Forward; answer with these response headers set (names lower case), e.g. a wrong ETag. */
  | { type: 'replaceHeaders'; headers: Record<string, string> }
  /** Forward unchanged (useful with `before`). */
  | { type: 'forward' };

export interface FaultRule {
  /** HTTP method, case-insensitive; any when absent. */
  method?: string;
  /** Tested against the request target (path and query); any when absent. */
  path?: RegExp | string;
  /** Number of requests this rule handles (default 1; Infinity for all). */
  times?: number;
  /** Runs (and is awaited) before the fault is applied. */
  before?: (req: SeenRequest) => unknown;
  fault: Fault;
}

/** One request as the proxy saw it. */
export interface SeenRequest {
  method: string;
  /** Request target: path and query, as sent. */
  path: string;
  headers: http.IncomingHttpHeaders;
  /** performance.now() when the request headers arrived (ms). */
  at: number;
  /** Request body bytes received from the client. */
  bodyBytes: number;
  /** Response body bytes sent to the client. */
  responseBytes: number;
  /** Status sent to the client, when headers were sent. */
  status?: number;
  /** The fault applied, if any ('forward' when passed through). */
  fault: Fault['type'] | 'passthrough';
  /** True once the whole answer was sent to the client. */
  answered: boolean;
}

interface ActiveRule extends FaultRule {
  remaining: number;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'transfer-encoding',
]);

function responseHeaders(res: http.IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function requestHeaders(req: http.IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    // keep transfer-encoding: node then chunks what we write upstream
    if (HOP_BY_HOP.has(name) && name !== 'transfer-encoding') continue;
    out[name] = value;
  }
  return out;
}

export class FaultProxy {
  /** Every request seen, in arrival order. */
  readonly requests: SeenRequest[] = [];
  /** Client connections accepted so far (reset() does not clear it). */
  connectionsOpened = 0;
  private rules: ActiveRule[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private waiters: Array<{ method?: string | undefined; path?: RegExp | string | undefined; resolve: (req: SeenRequest) => void }> = [];
  private readonly upstreamHost: string;
  private readonly upstreamPort: number;
  private closed = false;

  private constructor(
    private readonly server: http.Server,
    upstream: URL,
  ) {
    this.upstreamHost = upstream.hostname;
    this.upstreamPort = Number(upstream.port || 80);
  }

  /** Starts a proxy on 127.0.0.1 with a free port. */
  static async start(upstream = 'http://127.0.0.1:8080'): Promise<FaultProxy> {
    // Large enough for the metadata tests: Swift, not the proxy, must refuse them.
    const server = http.createServer({ maxHeaderSize: 256 * 1024 });
    const proxy = new FaultProxy(server, new URL(upstream));
    // Never close an idle client connection first: the client would see a
    // reset on reuse and count an extra try.
    server.keepAliveTimeout = 120_000;
    server.headersTimeout = 120_000;
    server.requestTimeout = 0;
    server.on('connection', (socket: Socket) => {
      proxy.sockets.add(socket);
      proxy.connectionsOpened += 1;
      socket.on('close', () => proxy.sockets.delete(socket));
    });
    server.on('request', (req, res) => proxy.handle(req, res));
    server.on('clientError', (_err, socket: Socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** http://127.0.0.1:PORT */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The storage URL of an account, through the proxy. */
  storageUrl(account = 'AUTH_test'): string {
    return `${this.origin}/v1/${account}`;
  }

  /** Client connections open now (closed ones leave once the proxy sees them close). */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** Queues a rule; rules are tried in the order added. */
  add(rule: FaultRule): this {
    this.rules.push({ ...rule, remaining: rule.times ?? 1 });
    return this;
  }

  /** Answers the next `times` matching requests with `status`. */
  failWith(status: number, times: number, match: Omit<FaultRule, 'fault' | 'times'> = {}, headers?: Record<string, string>): this {
    return this.add({ ...match, times, fault: { type: 'status', status, ...(headers ? { headers } : {}) } });
  }

  /** Forgets every rule and the request log. */
  reset(): void {
    this.rules = [];
    this.requests.length = 0;
  }

  /** Rules that still have requests left to handle. */
  get pendingRules(): number {
    return this.rules.filter((r) => r.remaining > 0).length;
  }

  /** Requests seen matching method and path. */
  seen(method?: string, path?: RegExp | string): SeenRequest[] {
    return this.requests.filter((r) => matches({ method, path }, r.method, r.path));
  }

  /**
   * Resolves once a request matching method and path has been answered in
   * full (at once if one already was): lets a test order requests by
   * events instead of sleeps.
   */
  answered(method?: string, path?: RegExp | string): Promise<SeenRequest> {
    const done = this.seen(method, path).find((r) => r.answered);
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => this.waiters.push({ method, path, resolve }));
  }

  /** Gaps in seconds between consecutive matching requests. */
  gaps(method?: string, path?: RegExp | string): number[] {
    const times = this.seen(method, path).map((r) => r.at);
    return times.slice(1).map((t, i) => (t - (times[i] as number)) / 1000);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private later(seconds: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, seconds * 1000);
    this.timers.add(timer);
  }

  private take(method: string, path: string): ActiveRule | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && matches(r, method, path));
    if (rule) rule.remaining -= 1;
    return rule;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const seen: SeenRequest = {
      method,
      path,
      headers: { ...req.headers },
      at: performance.now(),
      bodyBytes: 0,
      responseBytes: 0,
      fault: 'passthrough',
      answered: false,
    };
    this.requests.push(seen);
    res.once('finish', () => {
      seen.answered = true;
      const waiting = this.waiters.filter((w) => matches(w, method, path));
      this.waiters = this.waiters.filter((w) => !waiting.includes(w));
      for (const w of waiting) w.resolve(seen);
    });
    const rule = this.take(method, path);
    if (rule) seen.fault = rule.fault.type;
    req.on('data', (chunk: Buffer) => {
      seen.bodyBytes += chunk.length;
    });
    // The request body waits (paused) until the fault decides what to do with it.
    req.pause();
    void (async () => {
      try {
        if (rule?.before) await rule.before(seen);
      } catch {
        // a failing hook must not take the proxy down; the test will notice
      }
      if (this.closed) return;
      this.apply(rule?.fault ?? { type: 'forward' }, req, res, seen);
    })();
  }

  private apply(fault: Fault, req: http.IncomingMessage, res: http.ServerResponse, seen: SeenRequest): void {
    const socket = req.socket;
    switch (fault.type) {
      case 'status': {
        const body = fault.body ?? `<html><h1>${fault.status} injected by fault proxy</h1></html>`;
        // Drain the request body first so the connection stays usable.
        req.resume();
        const answer = (): void => {
          if (socket.destroyed) return;
          seen.status = fault.status;
          res.writeHead(fault.status, {
            'content-type': 'text/html; charset=UTF-8',
            'content-length': String(Buffer.byteLength(body)),
            'x-trans-id': 'txfaultproxy',
            ...(fault.headers ?? {}),
          });
          res.end(req.method === 'HEAD' ? undefined : body);
        };
        if (req.complete) answer();
        else req.once('end', answer);
        return;
      }
      case 'stall':
        this.later(fault.seconds, () => {
          if (socket.destroyed) return;
          if (fault.then === 'forward') this.forward(req, res, seen, { type: 'forward' });
          else if (fault.then === 'close') socket.destroy();
          else socket.resetAndDestroy();
        });
        return;
      default:
        this.forward(req, res, seen, fault);
    }
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, seen: SeenRequest, fault: Fault): void {
    const clientSocket = req.socket;
    const upstream = http.request({
      host: this.upstreamHost,
      port: this.upstreamPort,
      method: req.method,
      path: req.url,
      headers: requestHeaders(req),
      agent: false, // one fresh upstream connection per request
    });
    let done = false;
    const abortBoth = (reset: boolean): void => {
      if (done) return;
      done = true;
      upstream.destroy();
      if (reset) clientSocket.resetAndDestroy();
      else clientSocket.destroy();
    };
    res.once('close', () => {
      // the client went away before the whole answer was sent
      if (!res.writableFinished) {
        done = true;
        upstream.destroy();
      }
    });
    upstream.on('error', () => abortBoth(false));

    // Request body: forwarded, or cut after N bytes.
    if (fault.type === 'resetRequest') {
      let received = 0;
      const limit = fault.afterBytes;
      if (limit <= 0) {
        abortBoth(true);
        return;
      }
      let cut = false;
      req.on('data', (chunk: Buffer) => {
        if (done || cut) return;
        const room = limit - received;
        received += chunk.length;
        if (chunk.length < room) {
          upstream.write(chunk);
          return;
        }
        cut = true;
        upstream.write(chunk.subarray(0, room));
        // Let the first bytes reach the server, then cut both sides.
        setImmediate(() => abortBoth(true));
      });
      req.on('end', () => {
        // the whole body fitted below the limit: cut anyway, before any answer
        abortBoth(true);
      });
      req.resume();
    } else {
      req.pipe(upstream);
    }

    upstream.on('response', (upRes) => {
      if (done) {
        upRes.destroy();
        return;
      }
      seen.status = upRes.statusCode ?? 502;
      res.writeHead(seen.status, upRes.statusMessage, { ...responseHeaders(upRes), ...(fault.type === 'replaceHeaders' ? fault.headers : {}) });
      if (req.method === 'HEAD' || fault.type === 'forward' || fault.type === 'resetRequest' || fault.type === 'replaceHeaders') {
        upRes.on('data', (chunk: Buffer) => {
          seen.responseBytes += chunk.length;
        });
        upRes.pipe(res);
        return;
      }
      this.cutResponse(fault, upRes, res, seen, abortBoth);
    });
  }

  private cutResponse(
    fault: Fault,
    upRes: http.IncomingMessage,
    res: http.ServerResponse,
    seen: SeenRequest,
    abortBoth: (reset: boolean) => void,
  ): void {
    const limit = 'afterBytes' in fault ? fault.afterBytes : Infinity;
    let stalled = false;
    const onLimit = (): void => {
      if (fault.type === 'resetResponse') {
        // let the written bytes leave before the RST
        setTimeout(() => abortBoth(true), 20);
      } else if (fault.type === 'truncateResponse') {
        upRes.destroy();
        res.socket?.end();
      } else if (fault.type === 'stallResponse') {
        stalled = true;
        upRes.pause();
        this.later(fault.seconds, () => {
          if (res.socket?.destroyed ?? true) return;
          if (fault.then === 'close') {
            upRes.destroy();
            res.socket?.end();
          } else {
            upRes.resume();
          }
        });
      }
    };
    let cut = false;
    upRes.on('data', (chunk: Buffer) => {
      if (cut && !stalled) return;
      if (cut && stalled) {
        seen.responseBytes += chunk.length;
        res.write(chunk);
        return;
      }
      const room = limit - seen.responseBytes;
      if (chunk.length < room) {
        seen.responseBytes += chunk.length;
        res.write(chunk);
        return;
      }
      cut = true;
      const head = chunk.subarray(0, room);
      const tail = chunk.subarray(room);
      seen.responseBytes += head.length;
      if (head.length) res.write(head);
      onLimit();
      if (stalled && tail.length) {
        // resumed later: the tail goes first
        const resumeTail = (): void => {
          seen.responseBytes += tail.length;
          res.write(tail);
        };
        upRes.once('resume', resumeTail);
      }
    });
    upRes.on('end', () => {
      if (!cut || stalled) res.end();
    });
  }
}

function matches(rule: { method?: string | undefined; path?: RegExp | string | undefined }, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (rule.path === undefined) return true;
  return typeof rule.path === 'string' ? path === rule.path : rule.path.test(path);
}
