// What the API.md contract tests (test/functional/contract-*.test.ts) share:
// a connection with its storage URL and token, the containers to purge at the
// end, and the check that a call fails only by rejecting.
import assert from 'node:assert/strict';
import type { Connection } from '../../src/index.js';
import { connect, purgeContainer, unique } from './env.js';

export interface ContractSuite {
  conn: Connection;
  storageUrl: string;
  token: string;
  /** Every container the file creates, purged by close(). */
  created: string[];
  /** Makes a uniquely named container (with `suffix`, and `headers` when given), purged by close(). */
  newContainer(suffix?: string, headers?: Record<string, string>): Promise<string>;
  /** Purges the containers and closes the connection. */
  close(): Promise<void>;
}

/** Authenticates a connection; call close() in `after`. */
export async function startContractSuite(): Promise<ContractSuite> {
  const conn = connect();
  const [storageUrl, token] = await conn.getAuth();
  const created: string[] = [];
  return {
    conn,
    storageUrl,
    token,
    created,
    async newContainer(suffix = '', headers) {
      const name = `${unique('contract')}${suffix}`;
      created.push(name);
      await conn.putContainer(name, headers ? { headers } : {});
      return name;
    },
    async close() {
      for (const name of created) await purgeContainer(conn, name);
      await conn.close();
    },
  };
}

/** Checks that calling fn neither throws nor returns anything but a rejecting Promise. */
export async function rejectsAsync(fn: () => unknown, check?: (err: unknown) => boolean): Promise<unknown> {
  let result: unknown;
  assert.doesNotThrow(() => {
    result = fn();
  }, 'threw synchronously');
  assert.ok(result instanceof Promise, 'did not return a Promise');
  let caught: unknown;
  await assert.rejects(result as Promise<unknown>, (err: unknown) => {
    caught = err;
    return check ? check(err) : true;
  });
  return caught;
}
