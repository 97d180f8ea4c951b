import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A plain HTTP forwarder that counts the requests passing through it. */
export interface CountingProxy {
  url: string;
  /** `METHOD path` of every request, in order. */
  seen: string[];
  count(method: string, pathPattern: RegExp): number;
  close(): Promise<void>;
}

/** A request handler that passes each request on to `target` unchanged. */
export function forwardTo(target: string): (req: IncomingMessage, res: ServerResponse) => void {
  const upstream = new URL(target);
  return (req, res) => {
    const outgoing = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.statusMessage, up.rawHeaders);
        up.pipe(res);
      },
    );
    outgoing.on('error', () => res.destroy());
    req.pipe(outgoing);
  };
}

/**
 * `delayMs`: each request waits that long before it is forwarded (a slow
 * server), or a function of the request's number (0, 1, ...) for staggered answers.
 */
export async function startCountingProxy(target: string, delayMs: number | ((n: number) => number) = 0): Promise<CountingProxy> {
  const forward = forwardTo(target);
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const delay = typeof delayMs === 'function' ? delayMs(seen.length) : delayMs;
    seen.push(`${req.method} ${req.url}`);
    if (delay > 0) setTimeout(() => forward(req, res), delay);
    else forward(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    count: (method, pattern) => seen.filter((line) => line.startsWith(`${method} `) && pattern.test(line.slice(method.length + 1))).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
