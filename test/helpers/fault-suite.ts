// What the fault tests (test/reliability/faults-*.test.ts) share: a fault
// proxy in front of the local Swift, a direct connection and its token, a
// container and a scratch directory of their own, and the checks they use.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Connection, ConnectionOptions, ObjectBody } from '../../src/index.js';
import { connect, purgeContainer, unique } from './env.js';
import { FaultProxy } from './fault-proxy.js';

export interface FaultSuite {
  proxy: FaultProxy;
  /** Straight to Swift, with patient retries: for set-up and for checking what was stored. */
  direct: Connection;
  /** `direct`'s token, which the proxied connections use too. */
  token: string;
  /** A container of the file's own; close() purges it. */
  container: string;
  /** A scratch directory, removed by close(). */
  tmp: string;
  /** A Connection whose every request goes through the fault proxy (fast retries). */
  viaProxy(overrides?: ConnectionOptions): Connection;
  /** Matches the request target of the object `name` in `container`. */
  obj(name: string): RegExp;
  /** Purges the container, closes the connection and the proxy, removes the scratch directory. */
  close(): Promise<void>;
}

/** Starts the proxy, authenticates and makes the container; call close() in `after`. */
export async function startFaultSuite(prefix: string): Promise<FaultSuite> {
  const proxy = await FaultProxy.start();
  const direct = connect({ retries: 8, startingBackoff: 0.2, maxBackoff: 2 });
  const [, token] = await direct.getAuth();
  const container = unique(prefix);
  await direct.putContainer(container);
  const tmp = await mkdtemp(join(tmpdir(), 'swiftclient-faults-'));
  return {
    proxy,
    direct,
    token,
    container,
    tmp,
    viaProxy(overrides = {}) {
      // connect() has the credentials: re-authentication (after a 401) goes
      // straight to Swift, and preauthUrl survives it
      return connect({ preauthUrl: proxy.storageUrl(), preauthToken: token, startingBackoff: 0.01, maxBackoff: 0.05, ...overrides });
    },
    obj: (name) => new RegExp(`^/v1/AUTH_test/${container}/${name}(\\?|$)`),
    async close() {
      await purgeContainer(direct, container);
      await direct.close();
      await proxy.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** Every test is bounded in time: a hang is a failure, never a stuck run. */
export function it(name: string, fn: () => Promise<void>, options: { timeout?: number; todo?: string } = {}): void {
  test(name, { timeout: 20_000, ...options }, fn);
}

/** What the promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the call to reject');
}

/** The whole of a body, streamed or not. */
export async function readBody(body: ObjectBody | Buffer): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}
