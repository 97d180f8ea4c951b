import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP proxy that drops one client connection mid-response, once. */
export interface CutProxy {
  /** `http://127.0.0.1:PORT` of the proxy. */
  readonly origin: string;
  /** How many connections were cut so far (0 or 1). */
  readonly cuts: number;
  /** How many client connections the proxy accepted. */
  readonly connections: number;
  /** Lets a held connection be cut now (see `hold`). */
  release(): void;
  close(): Promise<void>;
}

export interface CutProxyOptions {
  /** Where to forward to. */
  targetHost?: string;
  targetPort: number;
  /**
   * The first connection whose server-to-client bytes exceed this count gets
   * exactly this many bytes, then is closed (once; later connections pass).
   */
  cutAfter: number;
  /**
   * When true, the victim connection stalls after `cutAfter` bytes until
   * `release()` is called, and only then is closed. This lets a test read
   * from the body before the break is seen.
   */
  hold?: boolean;
}

/** Starts the proxy on 127.0.0.1, on a free port. */
export async function startCutProxy(options: CutProxyOptions): Promise<CutProxy> {
  const sockets = new Set<Socket>();
  let armed = true;
  let cuts = 0;
  let connections = 0;
  let released = !options.hold;
  let pendingCut: (() => void) | undefined;

  const server = createServer((client) => {
    connections += 1;
    const upstream = createConnection({ host: options.targetHost ?? '127.0.0.1', port: options.targetPort });
    sockets.add(client);
    sockets.add(upstream);
    client.on('close', () => {
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.end();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream);

    let forwarded = 0;
    let cutting = false;
    upstream.on('data', (chunk: Buffer) => {
      if (cutting) return; // bytes after the cut are dropped
      if (armed && forwarded + chunk.length > options.cutAfter) {
        armed = false;
        cutting = true;
        const head = chunk.subarray(0, options.cutAfter - forwarded);
        forwarded += head.length;
        client.write(head);
        upstream.pause();
        const cut = (): void => {
          cuts += 1;
          client.end(); // FIN after the partial body: a dropped connection
          upstream.destroy();
        };
        if (released) cut();
        else pendingCut = cut;
        return;
      }
      forwarded += chunk.length;
      if (!client.write(chunk)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    get cuts() {
      return cuts;
    },
    get connections() {
      return connections;
    },
    release() {
      released = true;
      const cut = pendingCut;
      pendingCut = undefined;
      cut?.();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
