// What the transfer tests share: a scratch directory, a connection, a
// byte-counting proxy in front of the local Swift with the storage URL and
// token to reach it, services through it, and the containers to delete at the end.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { Connection } from '../../src/index.js';
import { SwiftService, type ServiceDefaults } from '../../src/service/index.js';
import { startByteProxy, type ByteProxy } from './byte-proxy.js';
import { unique } from './env.js';
import { startScratchService } from './scratch-service.js';

const MiB = 1 << 20;

export interface ProxiedSwift {
  /** A scratch directory, removed by close(). */
  root: string;
  /** A direct connection (not through the proxy). */
  conn: Connection;
  proxy: ByteProxy;
  /** The account's storage URL through the proxy, and a token for it (for child processes). */
  storageUrl: string;
  token: string;
  /** A unique container name; it and its `_segments` container are deleted by close(). */
  newContainer(prefix: string): string;
  /** A service whose requests go through the proxy (one segment thread unless told); close() it. */
  viaProxy(options?: { retries?: number; defaults?: ServiceDefaults }): SwiftService;
  /** Deletes the containers made so far (close() does too): their objects can be GiBs of tmpfs. */
  deleteContainers(): Promise<void>;
  /** Deletes the containers, stops the proxy, removes the scratch directory. */
  close(): Promise<void>;
}

/** Starts the proxy and a connection; call close() in `after`. */
export async function startProxiedSwift(prefix: string): Promise<ProxiedSwift> {
  const scratch = await startScratchService(prefix);
  const proxy = await startByteProxy('http://127.0.0.1:8080');
  const [url, token] = await scratch.conn.getAuth();
  const storageUrl = url.replace(/^https?:\/\/[^/]+/, proxy.url);
  return {
    root: scratch.root,
    conn: scratch.conn,
    proxy,
    storageUrl,
    token,
    newContainer(name) {
      const container = unique(name);
      scratch.containers.push(container, `${container}_segments`);
      return container;
    },
    viaProxy({ retries, defaults } = {}) {
      // Connection options, not a Connection: the service's close() closes it.
      return new SwiftService({ preauthUrl: storageUrl, preauthToken: token, ...(retries === undefined ? {} : { retries }) }, { segmentThreads: 1, ...defaults });
    },
    deleteContainers: () => scratch.deleteContainers(),
    async close() {
      try {
        await proxy.close();
      } finally {
        await scratch.close();
      }
    },
  };
}

/** MD5 (hex) of a local file. */
export async function fileMd5(path: string): Promise<string> {
  const hash = createHash('md5');
  const handle = await fsp.open(path);
  try {
    for await (const chunk of handle.createReadStream({ highWaterMark: MiB, autoClose: false })) hash.update(chunk as Buffer);
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/** MD5 (hex) of an object's content, streamed. */
export async function objectMd5(conn: Connection, container: string, obj: string): Promise<string> {
  const [, body] = await conn.getObject(container, obj, { respChunkSize: MiB });
  const hash = createHash('md5');
  for await (const chunk of body) hash.update(chunk);
  return hash.digest('hex');
}
