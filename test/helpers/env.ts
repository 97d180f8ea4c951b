import { createHash, randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { detectRuntime } from '../../src/http/runtime.js';
import { chooseTransport } from '../../src/http/select.js';
import { Connection, type ConnectionOptions } from '../../src/index.js';

/** The runtime the tests run on. */
export const RUNTIME = detectRuntime();

/**
 * The HTTP engine the tests' Connections get by default: undici on Node,
 * Deno and Bun, or the one SWIFTCLIENT_TRANSPORT names (the library reads it
 * too, so every Connection of a run uses it).
 */
export const TRANSPORT = chooseTransport(RUNTIME, undefined, process.env.SWIFTCLIENT_TRANSPORT);

/** Why a test of an undici-only feature is skipped under the fetch engine (false under undici). */
export function undiciOnly(what: string): string | false {
  return TRANSPORT === 'undici' ? false : `undici transport only: ${what} (a fetch limit, docs/RUNTIMES.md; refusals are asserted in fetch-transport.test.ts)`;
}

/** The tempauth Swift started by scripts/swift-aio (overridable by ST_* variables). */
export const SWIFT = {
  authUrl: process.env.ST_AUTH ?? 'http://127.0.0.1:8080/auth/v1.0',
  /**
   * The spare tempauth proxy of scripts/swift-aio (8082: same storage and
   * users, its own memcached, so tokens differ). Only tests that restart a
   * proxy or memcached use it (`swift-aio restart-spare-proxy` /
   * `restart-spare-memcached`), so the other test files running at the same
   * time never see those restarts.
   */
  spareAuthUrl: process.env.SWIFT_AIO_SPARE_AUTH ?? 'http://127.0.0.1:8082/auth/v1.0',
  user: process.env.ST_USER ?? 'test:tester',
  key: process.env.ST_KEY ?? 'testing',
  /** Second account, admin there. */
  user2: 'test2:tester2',
  key2: 'testing2',
  /** Non-admin user of the first account. */
  user3: 'test:tester3',
  key3: 'testing3',
  /** Member of the `service` group (for X-Service-Token tests). */
  serviceUser: 'test5:tester5',
  serviceKey: 'testing5',
};

/** A Connection to the local Swift with fast retries for tests. */
export function connect(overrides: ConnectionOptions = {}): Connection {
  return new Connection({
    authUrl: SWIFT.authUrl,
    user: SWIFT.user,
    key: SWIFT.key,
    startingBackoff: 0.05,
    maxBackoff: 0.2,
    ...overrides,
  });
}

/** MD5 (hex) of bytes or of a string's UTF-8, as Swift's ETag of a whole object. */
export const md5 = (data: Uint8Array | string): string => createHash('md5').update(data).digest('hex');

/** A unique name so that test files can run in parallel on one account. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Deletes a container and everything in it; ignores what is already gone. */
export async function purgeContainer(conn: Connection, container: string): Promise<void> {
  try {
    const [, objects] = await conn.getContainer(container, { fullListing: true });
    for (const entry of objects) {
      if (entry.name) await conn.deleteObject(container, entry.name).catch(() => undefined);
    }
    await conn.deleteContainer(container);
  } catch {
    // already gone
  }
}

/** A port nothing listens on: bound on 127.0.0.1, then released. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
