// What the service tests share: a scratch directory, a connection, a service
// on it, and the containers to delete at the end.
import { promises as fsp } from 'node:fs';
import type { Connection } from '../../src/index.js';
import { SwiftService, type DeleteOptions, type ServiceDefaults } from '../../src/service/index.js';
import { connect } from './env.js';
import { scratchDir } from './service-files.js';

export interface ScratchService {
  /** A scratch directory, removed by close(). */
  root: string;
  conn: Connection;
  /** A service on `conn`. */
  swift: SwiftService;
  /** Containers (and segment containers) to delete at close(). */
  containers: string[];
  /** Deletes the containers listed so far (and forgets them), for tests whose objects are too big to keep until close(). */
  deleteContainers(): Promise<void>;
  /** Deletes the containers, closes the service and the connection, removes the scratch directory. */
  close(): Promise<void>;
}

/** Sets up a scratch directory and a service; call close() in `after`. */
export async function startScratchService(
  prefix: string,
  o: { conn?: Connection; defaults?: ServiceDefaults; deleteOptions?: DeleteOptions } = {},
): Promise<ScratchService> {
  const root = await scratchDir(prefix);
  const conn = o.conn ?? connect();
  const swift = new SwiftService(conn, o.defaults);
  const containers: string[] = [];
  async function deleteContainers(): Promise<void> {
    // Each container leaves the list once deleted: after a failure, close() still knows the rest.
    while (containers.length > 0) {
      for await (const _ of swift.delete(containers[0] as string, undefined, o.deleteOptions)) void _;
      containers.shift();
    }
  }
  return {
    root,
    conn,
    swift,
    containers,
    deleteContainers,
    async close() {
      // The scratch files go even when the server fails the deletes (they can be hundreds of MiB of tmpfs).
      try {
        await deleteContainers();
      } finally {
        await fsp.rm(root, { recursive: true, force: true });
        await swift.close();
        await conn.close();
      }
    },
  };
}
