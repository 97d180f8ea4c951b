// A static page server on 127.0.0.1 for the browser tests: the page's origin
// is what Swift's and Keystone's CORS settings allow, or not.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The page origins scripts/swift-aio's proxies and keystone-aio's Keystone allow. */
export const CORS_ORIGINS = (process.env.SWIFT_AIO_CORS_ORIGINS ?? 'http://127.0.0.1:8090,http://127.0.0.1:8091,http://127.0.0.1:8092,http://127.0.0.1:8093')
  .split(',')
  .filter(Boolean);

export interface PageServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  close(): Promise<void>;
}

/** Serves `html` at `/` (and nothing else) from `port` (0: any free one). */
async function serveOn(port: number, html: string): Promise<PageServer> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else {
      res.writeHead(404).end();
    }
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const { port: bound } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${bound}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A page on the first free allowed origin (test runs of several sessions may hold the others). */
export async function serveAllowedPage(html: string): Promise<PageServer> {
  for (const origin of CORS_ORIGINS) {
    try {
      return await serveOn(Number(new URL(origin).port), html);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  throw new Error(`every allowed page origin is in use: ${CORS_ORIGINS.join(', ')}`);
}

/** A page on a port no server-wide CORS setting allows. */
export function serveOtherPage(html: string): Promise<PageServer> {
  return serveOn(0, html);
}
