import { ConnectionBase } from './connection-base.js';
import { connectionOptionsFromEnv } from './env.js';
import * as native from './native/index.js';
import type { ConnectionOptions } from './options.js';

// The python-named methods live in ConnectionBase (connection-base.ts); this
// class adds the TypeScript-native surface of src/native/ over the same engine.

/**
 * python-swiftclient's `Connection`: authenticates on first use, retries
 * with backoff, re-authenticates once on 401, and exposes every account,
 * container and object call as a Promise. Beside the python-named methods,
 * a TypeScript-native surface: typed listings as async iterables
 * (`listContainers`, `listObjects`), typed records (`statAccount`,
 * `statContainer`, `statObject`), always-streamed downloads (`openObject`)
 * and `await using`; every retry and check applies to both.
 */
export class Connection extends ConnectionBase {
  /** A Connection from OS_* / ST_* environment variables (see README). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, overrides: ConnectionOptions = {}): Connection {
    return new Connection({ ...connectionOptionsFromEnv(env), ...overrides });
  }

  /**
   * The account's containers as an async iterable, fetching `pageSize`
   * entries per request only as the loop asks for more (leaving the loop
   * early fetches no further page).
   * @example
   * for await (const c of conn.listContainers({ prefix: 'logs-' })) console.log(c.name, c.count, c.bytes);
   */
  listContainers(options?: native.ListContainersOptions): AsyncGenerator<native.ListedContainer, void, undefined> {
    return native.listContainers(this, options);
  }

  /**
   * A container's objects (and, with `delimiter`, pseudo-directories) as an
   * async iterable of typed entries, narrowed on `kind`; pages are fetched lazily.
   * @example
   * for await (const entry of conn.listObjects('photos', { prefix: '2024/', delimiter: '/' })) {
   *   if (entry.kind === 'subdir') console.log('dir ', entry.name);
   *   else console.log(entry.name, entry.bytes, entry.lastModified.toISOString());
   * }
   */
  listObjects(container: string, options?: native.ListObjectsOptions): AsyncGenerator<native.ListObjectsEntry, void, undefined> {
    return native.listObjects(this, container, options);
  }

  /**
   * The account's HEAD as a typed record: counts, bytes, quota, policies,
   * metadata (`meta`), temp URL key presence (never the keys).
   * @example
   * const { containerCount, bytesUsed, meta } = await conn.statAccount();
   */
  async statAccount(options?: native.StatCallOptions): Promise<native.AccountInfo> {
    return native.statAccount(this, options);
  }

  /**
   * A container's HEAD as a typed record: counts, bytes, quotas, ACLs,
   * versioning, storage policy, metadata (`meta`).
   * @example
   * const info = await conn.statContainer('photos');
   * console.log(info.objectCount, info.readAcl, info.meta.owner);
   */
  async statContainer(container: string, options?: native.StatCallOptions): Promise<native.ContainerInfo> {
    return native.statContainer(this, container, options);
  }

  /**
   * An object's HEAD as a typed record: `contentLength`, `etag` (no quotes),
   * `lastModified`, `contentType`, `meta`, expiry, manifest kind.
   * @example
   * const { contentLength, etag, meta } = await conn.statObject('photos', 'cat.jpg');
   */
  async statObject(container: string, obj: string, options?: native.StatObjectOptions): Promise<native.ObjectInfo> {
    return native.statObject(this, container, obj, options);
  }

  /**
   * Starts a download: resolves once the headers are in to the object's
   * info and its body, always streamed (whatever `respChunkSize` would say),
   * with `text()`, `json()`, `bytes()`, `toWeb()`, `read(n)` and iteration.
   * @example
   * const { info, body } = await conn.openObject('docs', 'report.json');
   * const report = await body.json<{ total: number }>();
   * // or: await pipeline(Readable.fromWeb(body.toWeb()), createWriteStream('report.json'))
   */
  async openObject(container: string, obj: string, options?: native.OpenObjectOptions): Promise<native.OpenedObject> {
    return native.openObject(this, container, obj, options);
  }

  /**
   * `await using conn = new Connection(...)` releases the pooled sockets
   * when the block ends (same as `close()`).
   * @example
   * { await using conn = new Connection({ authUrl, user, key }); await conn.statAccount(); }
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
