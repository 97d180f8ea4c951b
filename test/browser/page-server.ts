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

/** What a test page server serves: files by path, and what to do with a POST. */
export interface PageSite {
  /** GET `path` answers with `body` as `type`; `/` is the page. */
  files: Record<string, { type: string; body: string | Uint8Array }>;
  /** Told every POST's path and body (the page hands bytes back to the test this way). */
  onPost?: (path: string, body: Buffer) => void;
}

/** Serves `html` at `/` (or a whole site) from `port` (0: any free one). */
async function serveOn(port: number, site: string | PageSite): Promise<PageServer> {
  const { files, onPost } = typeof site === 'string' ? { files: { '/': { type: 'text/html; charset=utf-8', body: site } }, onPost: undefined } : site;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    if (req.method === 'POST' && onPost) {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        onPost(path, Buffer.concat(chunks));
        res.writeHead(204).end();
      });
      return;
    }
    const file = files[path];
    if (req.method === 'GET' && file) {
      res.writeHead(200, { 'content-type': file.type }).end(file.body);
    } else {
      res.writeHead(404).end();
    }
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const { port: bound } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A page on the first free allowed origin (test runs of several sessions may hold the others). */
export async function serveAllowedPage(html: string | PageSite): Promise<PageServer> {
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
