import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request that passed through a {@link ByteProxy}, with the body bytes each way. */
export interface ProxiedRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  /** Request body bytes forwarded to the server. */
  sent: number;
  /** Response body bytes forwarded to the client. */
  received: number;
  /** The request's Range header, if any. */
  range: string | undefined;
  status: number | undefined;
}

/** An HTTP forwarder that counts the body bytes of every request and response. */
export interface ByteProxy {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  requests: ProxiedRequest[];
  /** Request body bytes of the requests whose method and URL match. */
  sent(method?: string, url?: RegExp): number;
  /** Response body bytes of the requests whose method and URL match. */
  received(method?: string, url?: RegExp): number;
  /** Called after each chunk either way (e.g. to kill a client half-way). */
  onBytes: ((proxy: ByteProxy) => void) | undefined;
  /** Called when a response arrives; the response waits for the promise it returns (e.g. to keep a download in progress). */
  hold: ((request: ProxiedRequest) => Promise<void> | undefined) | undefined;
  /** Forgets what was counted. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts a byte-counting forwarder to `target` (an origin such as `http://127.0.0.1:8080`). */
export async function startByteProxy(target: string): Promise<ByteProxy> {
  const upstream = new URL(target);
  const proxy: ByteProxy = {
    url: '',
    requests: [],
    onBytes: undefined,
    hold: undefined,
    sent: (method, url) => sum(proxy.requests, method, url, (r) => r.sent),
    received: (method, url) => sum(proxy.requests, method, url, (r) => r.received),
    reset: () => {
      proxy.requests = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const record: ProxiedRequest = { method: req.method ?? '', url: req.url ?? '', sent: 0, received: 0, range: req.headers.range, status: undefined };
    proxy.requests.push(record);
    const outgoing = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, async (up) => {
      await proxy.hold?.(record);
      record.status = up.statusCode;
      res.writeHead(up.statusCode ?? 502, up.statusMessage, up.rawHeaders);
      up.on('data', (chunk: Buffer) => {
        record.received += chunk.length;
        proxy.onBytes?.(proxy);
      });
      up.pipe(res);
      res.on('close', () => up.destroy());
    });
    outgoing.on('error', () => res.destroy());
    req.on('data', (chunk: Buffer) => {
      record.sent += chunk.length;
      proxy.onBytes?.(proxy);
    });
    // A client that dies mid-body: the server must not see a complete request.
    req.on('aborted', () => outgoing.destroy());
    req.on('close', () => {
      if (!req.complete) outgoing.destroy();
    });
    req.pipe(outgoing);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

function sum(requests: ProxiedRequest[], method: string | undefined, url: RegExp | undefined, pick: (r: ProxiedRequest) => number): number {
  return requests.filter((r) => (method === undefined || r.method === method) && (url === undefined || url.test(r.url))).reduce((n, r) => n + pick(r), 0);
}
