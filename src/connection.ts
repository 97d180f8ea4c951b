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
 *
 * Errors: every method rejects (none throws synchronously) with a
 * {@link ClientException} or a subclass: {@link NotFoundError} (404),
 * {@link UnauthorizedError} (401 once the one re-authentication did not
 * help, or credentials refused), {@link NetworkError} / {@link TimeoutError}
 * (no answer after the retries), {@link ChecksumError} (MD5/ETag mismatch);
 * any other status has code `HTTP`, and input refused before sending (a bad
 * name, header or option) code `BAD_INPUT`. A call aborted through its
 * `signal` rejects with the signal's reason.
 *
 * @example
 * const conn = new Connection({ authUrl: 'http://127.0.0.1:8080/auth/v1.0', user: 'test:tester', key: 'testing' });
 * await conn.putObject('photos', 'cat.txt', 'meow', { contentType: 'text/plain' });
 * const [headers, data] = await conn.getObject('photos', 'cat.txt');
 */
export class Connection extends ConnectionBase {
  /**
   * A Connection from the environment: `ST_AUTH` / `ST_USER` / `ST_KEY`, or
   * an openrc file's `OS_*` variables (python-swiftclient's `swift` command's
   * names); `overrides` win over what the environment gives.
   * @param env the variables to read: `process.env` by default (none where the platform has no `process`).
   * @param overrides options that replace the environment's.
   * @example
   * const conn = Connection.fromEnv(process.env, { retries: 2 });
   */
  static fromEnv(env: NodeJS.ProcessEnv = globalThis.process?.env ?? {}, overrides: ConnectionOptions = {}): Connection {
    return new Connection({ ...connectionOptionsFromEnv(env), ...overrides });
  }

  /**
   * The account's containers as an async iterable, fetching `pageSize`
   * entries per request only as the loop asks for more (leaving the loop
   * early fetches no further page).
   * @returns an async iterable of `{ name, count, bytes, lastModified? }`; the loop throws what a page request rejects with.
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   * @example
   * for await (const c of conn.listContainers({ prefix: 'logs-' })) console.log(c.name, c.count, c.bytes);
   */
  listContainers(options?: native.ListContainersOptions): AsyncGenerator<native.ListedContainer, void, undefined> {
    return native.listContainers(this, options);
  }

  /**
   * A container's objects (and, with `delimiter`, pseudo-directories) as an
   * async iterable of typed entries, narrowed on `kind`; pages are fetched lazily.
   * @returns an async iterable of `{ kind: 'object', name, bytes, hash, contentType, lastModified }` and
   *   `{ kind: 'subdir', name }`; the loop throws what a page request rejects with.
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
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
   * @returns an {@link AccountInfo}.
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   * @example
   * const { containerCount, bytesUsed, meta } = await conn.statAccount();
   */
  async statAccount(options?: native.StatCallOptions): Promise<native.AccountInfo> {
    return native.statAccount(this, options);
  }

  /**
   * A container's HEAD as a typed record: counts, bytes, quotas, ACLs,
   * versioning, storage policy, metadata (`meta`).
   * @returns a {@link ContainerInfo}.
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
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
   * @returns an {@link ObjectInfo}.
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
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
   * A dropped connection is resumed (Range + If-Match) and the MD5 of a whole
   * plain object is checked at its end, as for `getObject`. A body left
   * unread holds its socket: `close()` it, or hold it with `await using`.
   * @returns `{ info, body }`: the GET's headers as an {@link ObjectInfo} and the streamed {@link ObjectBody}.
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   *   Reading the body can reject with a {@link ChecksumError} or, once resumes are exhausted, a {@link NetworkError}.
   * @example
   * const { info, body } = await conn.openObject('docs', 'report.json');
   * const report = await body.json<{ total: number }>();
   * // or, any size: await pipeline(body, createWriteStream('report.json')) (node:stream/promises)
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
