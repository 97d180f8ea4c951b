import { inspect } from 'node:util';
import type { SessionLike } from './auth/session.js';
import { AuthState } from './auth/state.js';
import { connectionOptionsFromEnv } from './env.js';
import { ClientException } from './errors.js';
import { PreparedBody, type BodyInput } from './http/body.js';
import { hasHeader, headerRecord, type HeadersInput, type ResponseHeaders } from './http/headers.js';
import { downloadDigest } from './http/integrity.js';
import { ObjectBody } from './http/object-body.js';
import { createTransport } from './http/select.js';
import type { Transport } from './http/transport.js';
import * as account from './ops/account.js';
import type { CallOptions, ContainerEntry, GetAccountOptions, HeadersOptions, PostAccountOptions } from './ops/account.js';
import { capabilitiesUrl, getCapabilities, type Capabilities } from './ops/capabilities.js';
import * as container from './ops/container.js';
import type { DeleteContainerOptions, GetContainerOptions, ObjectEntry, PostContainerOptions, PutContainerOptions } from './ops/container.js';
import { collectListing, listingState } from './ops/listing.js';
import { NameLimitGuard, type InfoOutcome } from './ops/name-limits.js';
import * as object from './ops/object.js';
import type { CopyObjectOptions, DeleteObjectOptions, GetObjectOptions, HeadObjectOptions, PostObjectOptions, PutObjectOptions } from './ops/object.js';
import { precheck } from './ops/paths.js';
import type { OpContext, ResponseDict } from './ops/request.js';
import * as native from './native/index.js';
import { DEFAULT_OPEN_CHUNK } from './native/open.js';
import { knownLength, progressReporter } from './native/progress.js';
import type { ConnectionOptions, OsOptions } from './options.js';
import { decide, type RetrySettings } from './retry/policy.js';
import { withRetries, type RetryRun } from './retry/run.js';
import { headerLength, nonNegative, seconds } from './util/checks.js';
import { redactValue } from './util/redact.js';

/**
 * python-swiftclient's `Connection`: authenticates on first use, retries
 * with backoff, re-authenticates once on 401, and exposes every account,
 * container and object call as a Promise.
 *
 * A facade: options and input checks here; logins in `auth/state.ts`, the
 * retry loop in `retry/run.ts` (decisions in `retry/policy.ts`), one
 * request per operation in `ops/*`, HTTP in `http/transport.ts`.
 */
export class Connection {
  /** Tries the last call made (a resumed body keeps counting on it). */
  attempts = 0;
  /** The auth endpoint given (`authUrl` option). */
  readonly authUrl: string | undefined;
  /** The user name given (`user` option). */
  readonly user: string | undefined;
  /** Retries after the first try of each call. @default 5 */
  readonly retries: number;
  /** Seconds before the first retry (doubling each time). @default 1 */
  readonly startingBackoff: number;
  /** Longest wait between retries, seconds. @default 64 */
  readonly maxBackoff: number;
  /** Whether 429 and 498 answers are retried. @default true */
  readonly retryOnRatelimit: boolean;
  /** Whether every retry re-authenticates first. @default false */
  readonly forceAuthRetry: boolean;
  /** The auth version in use (`'1'`, `'2'`, `'3'` or as given). */
  readonly authVersion: string | number;
  /** Keystone scoping and endpoint choice (with `tenantName` folded in). */
  readonly osOptions: OsOptions;
  /** The keystone Session given, if any. */
  readonly session: SessionLike | undefined;
  /** Whether MD5s of uploads and whole downloads are checked against ETags. @default true */
  readonly checksum: boolean;
  readonly #transport: Transport;
  readonly #auth: AuthState;
  readonly #names = new NameLimitGuard(() => this.#readOwnInfo());

  /**
   * Nothing is sent until the first call (options are checked at once).
   *
   * @example
   * const conn = new Connection({ authUrl: 'http://127.0.0.1:8080/auth/v1.0', user: 'test:tester', key: 'testing' });
   */
  constructor(options: ConnectionOptions = {}) {
    this.session = options.session;
    this.authUrl = options.authUrl;
    this.user = options.user;
    this.authVersion = options.authVersion ?? '1';
    this.retries = nonNegative('retries', options.retries ?? 5);
    this.startingBackoff = seconds('startingBackoff', options.startingBackoff ?? 1);
    this.maxBackoff = seconds('maxBackoff', options.maxBackoff ?? 64);
    this.retryOnRatelimit = options.retryOnRatelimit ?? true;
    this.forceAuthRetry = options.forceAuthRetry ?? false;
    this.checksum = options.checksum ?? true;
    this.osOptions = { ...(options.osOptions ?? {}) };
    if (options.tenantName) this.osOptions.tenantName = options.tenantName;
    // Kept as objectStorageUrl so that it survives re-authentication.
    if (options.preauthUrl) this.osOptions.objectStorageUrl = options.preauthUrl;
    if (options.timeout !== undefined) seconds('timeout', options.timeout);
    const { timeout, cacert, insecure, cert, certKey, dispatcher, userAgent, keepAlive, maxConnections, transport } = options;
    if (keepAlive !== undefined) seconds('keepAlive', keepAlive);
    if (maxConnections !== undefined && !(Number.isSafeInteger(maxConnections) && maxConnections > 0)) {
      throw new ClientException(`Invalid maxConnections ${String(maxConnections)}: must be a positive integer`);
    }
    this.#transport = createTransport({ transport, timeout, cacert, insecure, cert, certKey, dispatcher, userAgent, keepAlive, maxConnections });
    this.#auth = new AuthState(
      { transport: this.#transport, authUrl: this.authUrl, user: this.user, key: options.key, authVersion: this.authVersion, osOptions: this.osOptions, session: this.session },
      options.preauthToken ?? this.osOptions.authToken,
    );
  }

  /** A Connection from OS_* / ST_* environment variables (see README). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, overrides: ConnectionOptions = {}): Connection {
    return new Connection({ ...connectionOptionsFromEnv(env), ...overrides });
  }

  /** Storage URL in use (settable). */
  get url(): string | undefined {
    return this.#auth.url;
  }

  /** Sets the storage URL to use (kept across re-authentication, as `preauthUrl`). */
  set url(value: string | undefined) {
    this.#auth.url = value;
  }

  /** Auth token in use (settable; setting it forgets the known expiry). */
  get token(): string | undefined {
    return this.#auth.token;
  }

  /** Sets the token to send (forgets the known expiry). */
  set token(value: string | undefined) {
    this.#auth.token = value;
  }

  /** X-Service-Token in use, when service credentials are configured (settable). */
  get serviceToken(): string | undefined {
    return this.#auth.serviceToken;
  }

  /** Sets the X-Service-Token to send. */
  set serviceToken(value: string | undefined) {
    this.#auth.serviceToken = value;
  }

  /** Authenticates now; resolves to `[storageUrl, token]`. */
  async getAuth(options: CallOptions = {}): Promise<[string, string]> {
    const result = await this.#auth.login(options.signal);
    return [result.url, result.token];
  }

  /** Authenticates the service user; resolves to `[storageUrl, serviceToken]`. */
  async getServiceAuth(options: CallOptions = {}): Promise<[string, string]> {
    const result = await this.#auth.serviceLogin(options.signal);
    return [result.url, result.token];
  }

  // Names and headers are checked before anything is sent, authentication
  // included; `null` options count as none. Every method is async, so any
  // failure rejects the returned Promise.

  /**
   * HEADs the account: its headers (`x-account-container-count`, `x-account-bytes-used`, metadata...).
   *
   * @example
   * const headers = await conn.headAccount();
   * console.log(Number(headers['x-account-bytes-used']));
   */
  async headAccount(options?: HeadersOptions | null): Promise<ResponseHeaders> {
    const o = await this.#precheck(options, undefined, undefined, o0 => [o0.headers]);
    return this.call('Account HEAD', o, (ctx) => account.headAccount(ctx, o));
  }

  /**
   * Lists the account's containers: `[headers, entries]`; one page (at most `limit`, server default 10,000) unless `fullListing`.
   *
   * @example
   * const [, containers] = await conn.getAccount({ prefix: 'logs-', fullListing: true });
   * for (const c of containers) if (c.subdir === undefined) console.log(c.name, c.count, c.bytes);
   */
  async getAccount(options?: GetAccountOptions | null): Promise<[ResponseHeaders, ContainerEntry[]]> {
    const o = await this.#precheck(options, undefined, undefined, o0 => [o0.headers]);
    const state = listingState<ContainerEntry>(o.marker, undefined);
    return this.call('Account GET', o, (ctx) => collectListing(state, o.fullListing, (marker) => account.getAccountPage(ctx, o, marker)));
  }

  /**
   * POSTs to the account (metadata headers, or a bulk request with `queryString` and `data`): `[headers, body]`.
   *
   * @example
   * await conn.postAccount({ 'X-Account-Meta-Owner': 'alice' });
   */
  async postAccount(headers: HeadersInput, options?: PostAccountOptions | null): Promise<[ResponseHeaders, Buffer]> {
    const o = await this.#precheck(options, undefined, undefined, () => [headers]);
    return this.call('Account POST', o, (ctx) => account.postAccount(ctx, headers, o));
  }

  /**
   * HEADs a container: its headers (`x-container-object-count`, `x-container-bytes-used`, ACLs, metadata...).
   *
   * @example
   * const headers = await conn.headContainer('photos');
   * console.log(headers['x-container-object-count']);
   */
  async headContainer(name: string, options?: HeadersOptions | null): Promise<ResponseHeaders> {
    const o = await this.#precheck(options, name, undefined, o0 => [o0.headers]);
    return this.call('Container HEAD', o, (ctx) => container.headContainer(ctx, name, o));
  }

  /**
   * Lists a container's objects: `[headers, entries]`; one page (at most `limit`, server default 10,000) unless `fullListing`.
   *
   * @example
   * const [, objects] = await conn.getContainer('photos', { prefix: '2024/', fullListing: true });
   * for (const o of objects) if (o.subdir === undefined) console.log(o.name, o.bytes, o.last_modified);
   */
  async getContainer(name: string, options?: GetContainerOptions | null): Promise<[ResponseHeaders, ObjectEntry[]]> {
    const o = await this.#precheck(options, name, undefined, o0 => [o0.headers]);
    const state = listingState<ObjectEntry>(o.marker, o.versionMarker);
    return this.call('Container GET', o, (ctx) =>
      collectListing(state, o.fullListing, (marker, versionMarker) => container.getContainerPage(ctx, name, o, marker, versionMarker)),
    );
  }

  /**
   * Creates a container, or updates its headers if it exists (201 or 202).
   *
   * @example
   * await conn.putContainer('photos', { headers: { 'X-Container-Read': '.r:*' } });
   */
  async putContainer(name: string, options?: PutContainerOptions | null): Promise<void> {
    const o = await this.#precheck(options, name, undefined, o0 => [o0.headers]);
    return this.call('Container PUT', o, (ctx) => container.putContainer(ctx, name, o));
  }

  /**
   * Sets a container's metadata, ACLs or other headers (others are kept).
   *
   * @example
   * await conn.postContainer('photos', { 'X-Container-Meta-Team': 'apollo' });
   */
  async postContainer(name: string, headers: HeadersInput, options?: PostContainerOptions | null): Promise<void> {
    const o = await this.#precheck(options, name, undefined, () => [headers]);
    return this.call('Container POST', o, (ctx) => container.postContainer(ctx, name, headers, o));
  }

  /**
   * Deletes an empty container (409 Conflict when it still has objects).
   *
   * @example
   * await conn.deleteContainer('photos');
   */
  async deleteContainer(name: string, options?: DeleteContainerOptions | null): Promise<void> {
    const o = await this.#precheck(options, name, undefined, o0 => [o0.headers]);
    return this.call('Container DELETE', o, (ctx) => container.deleteContainer(ctx, name, o));
  }

  /**
   * HEADs an object: its headers (`content-length`, `etag`, `last-modified`, metadata...).
   *
   * @example
   * const headers = await conn.headObject('photos', 'cat.jpg');
   * console.log(headers['content-length'], headers['x-object-meta-owner']);
   */
  async headObject(cont: string, obj: string, options?: HeadObjectOptions | null): Promise<ResponseHeaders> {
    const o = await this.#precheck(options, cont, obj, o0 => [o0.headers]);
    return this.call('Object HEAD', o, (ctx) => object.headObject(ctx, cont, obj, o));
  }

  /**
   * Downloads an object: `[headers, Buffer]`, or with `respChunkSize > 0`
   * `[headers, ObjectBody]` that streams and resumes dropped connections
   * (`respChunkSize: 0` gives a Buffer, as in swiftclient).
   */
  getObject<N extends number>(
    cont: string,
    obj: string,
    options: GetObjectOptions & { respChunkSize: N },
  ): Promise<[ResponseHeaders, N extends 0 ? Buffer : ObjectBody]>;
  getObject(cont: string, obj: string, options?: GetObjectOptions | null): Promise<[ResponseHeaders, Buffer]>;
  async getObject(cont: string, obj: string, options?: GetObjectOptions | null): Promise<[ResponseHeaders, ObjectBody | Buffer]> {
    const o = await this.#precheck(options, cont, obj, o0 => [o0.headers]);
    const chunkSize = o.respChunkSize ?? 0;
    // With progress, a Buffer is read from the streamed body (progress events, resumes).
    if (!(chunkSize > 0) && !o.onProgress) {
      return this.call('Object GET', o, (ctx) => object.getObjectBuffer(ctx, cont, obj, o, o.checksum ?? this.checksum));
    }
    let attempts = 0;
    const run = this.#run('Object GET', o, (n) => (attempts = n));
    const res = await withRetries((ctx) => object.getObjectResponse(ctx, cont, obj, o), run);
    const isRange = hasHeader(o.headers, 'range');
    const resumable = !isRange && res.headers['transfer-encoding'] === undefined;
    // As swiftclient's _RetryBody: each resume is one more try of this call,
    // allowed while the policy gives the call more tries.
    const resume = resumable
      ? async (offset: number) => {
          const state = { attempts, backoff: 0, reauthed: false, authStyle: this.#auth.style, tokenRenewed: false, replayable: true, random: 0 };
          if (decide({ kind: 'cut-body' }, state, run.settings).action === 'give-up') return undefined;
          const headers = { ...headerRecord(o.headers), range: `bytes=${offset}-`, 'if-match': res.headers.etag ?? '' };
          return withRetries((ctx) => object.getObjectResponse(ctx, cont, obj, { ...o, headers }), { ...run, startAttempts: attempts });
        }
      : undefined;
    const verify = (o.checksum ?? this.checksum) && !isRange && downloadDigest(res.headers, res.status) !== undefined;
    const body = new ObjectBody(res, chunkSize > 0 ? chunkSize : DEFAULT_OPEN_CHUNK, resume, `Object GET ${cont}/${obj}`, verify, o.signal, { container: cont, object: obj });
    body.onProgress = progressReporter(o.onProgress, knownLength(res.headers));
    return [res.headers, chunkSize > 0 ? body : await body.read()];
  }

  /** Uploads an object; resolves to its ETag (quotes stripped). */
  async putObject(cont: string, obj: string, contents: BodyInput, options?: PutObjectOptions | null): Promise<string> {
    const o = await this.#precheck(options, cont, obj, (o0) => [o0.headers, { etag: o0.etag, 'content-type': o0.contentType }]);
    const body = PreparedBody.from(contents, o.contentLength ?? headerLength(o.headers));
    const checksum = o.checksum ?? this.checksum;
    body.hashing = checksum;
    body.onSent = progressReporter(o.onProgress, body.length);
    return this.call('Object PUT', { ...o, body }, (ctx) => object.putObject(ctx, cont, obj, body, o, checksum));
  }

  /**
   * Replaces an object's metadata (Swift's POST keeps no user metadata that is not given).
   *
   * @example
   * await conn.postObject('photos', 'cat.jpg', { 'X-Object-Meta-Owner': 'alice', 'X-Delete-After': 86400 });
   */
  async postObject(cont: string, obj: string, headers: HeadersInput, options?: PostObjectOptions | null): Promise<void> {
    const o = await this.#precheck(options, cont, obj, () => [headers]);
    return this.call('Object POST', o, (ctx) => object.postObject(ctx, cont, obj, headers, o));
  }

  /**
   * Copies an object server-side to `destination` (`/container/object`), or onto itself to change its metadata.
   *
   * @example
   * await conn.copyObject('photos', 'cat.jpg', { destination: '/archive/cat.jpg' });
   */
  async copyObject(cont: string, obj: string, options?: CopyObjectOptions | null): Promise<void> {
    const o = await this.#precheck(options, cont, obj, o0 => [o0.headers]);
    return this.call('Object COPY', o, (ctx) => object.copyObject(ctx, cont, obj, o));
  }

  /**
   * Deletes an object (with `queryString: 'multipart-manifest=delete'`, an SLO with its segments).
   *
   * @example
   * await conn.deleteObject('photos', 'cat.jpg');
   */
  async deleteObject(cont: string, obj: string, options?: DeleteObjectOptions | null): Promise<void> {
    const o = await this.#precheck(options, cont, obj, o0 => [o0.headers]);
    return this.call('Object DELETE', o, (ctx) => object.deleteObject(ctx, cont, obj, o));
  }

  /** The cluster's `/info` document; `url` is any URL of the cluster. */
  async getCapabilities(url?: string, options: CallOptions = {}): Promise<Capabilities> {
    const infoUrl = await this.#infoUrl(url, options);
    const info = await this.call('Capabilities GET', options, (ctx) => getCapabilities({ ...ctx, url: infoUrl }), true);
    if (url === undefined) this.#names.learn(info);
    return info;
  }

  /** The `/info` URL of `url`'s cluster, by default this connection's (authenticating first if needed). */
  async #infoUrl(url: string | undefined, options: CallOptions = {}): Promise<string> {
    return capabilitiesUrl(url || this.url || (await this.getAuth(options))[0]);
  }

  /** This cluster's /info in one try within INFO_DEADLINE_MS, for the name-length guard. */
  async #readOwnInfo(): Promise<InfoOutcome> {
    // no caller's signal here: the read is shared; auth failures are the caller's
    const infoUrl = await this.#infoUrl(undefined);
    try {
      const ctx = { transport: this.#transport, url: infoUrl, token: undefined, serviceToken: undefined, signal: AbortSignal.timeout(INFO_DEADLINE_MS), responseDict: {} };
      return { kind: 'info', info: await getCapabilities(ctx) };
    } catch (err) {
      const status = err instanceof ClientException ? err.httpStatus : undefined;
      const definite = (status !== undefined && status >= 400 && status < 500) || (err instanceof ClientException && err.cause instanceof SyntaxError);
      return definite ? { kind: 'none' } : { kind: 'unavailable' };
    }
  }

  async #precheck<O extends object>(...args: Parameters<typeof precheck<O>>): Promise<O> {
    const o = precheck(...args);
    await this.#names.check(args[1], args[2], (o as CallOptions).signal);
    return o;
  }

  /** Releases pooled connections; the Connection stays usable. */
  async close(): Promise<void> {
    await this.#transport.close();
  }

  // ---------------------------------------------------------------------
  // The TypeScript-native surface (src/native/): typed entries and records,
  // async iterables, metadata maps. Same engine: every retry and check applies.

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

  /** The retry loop's settings for one call: the connection's, with the call's own `retries` and `timeout`. */
  #run(what: string, options: CallOptions & { responseDict?: ResponseDict | undefined; body?: PreparedBody }, onAttempt?: (n: number) => void): RetryRun {
    const { retries, timeout, signal, responseDict, body } = options;
    if (timeout !== undefined && timeout !== null) seconds('timeout', timeout);
    const settings: RetrySettings = {
      retries: retries === undefined || retries === null ? this.retries : nonNegative('retries', retries),
      startingBackoff: this.startingBackoff,
      maxBackoff: this.maxBackoff,
      retryOnRatelimit: this.retryOnRatelimit,
      forceAuthRetry: this.forceAuthRetry,
    };
    const counted = (n: number): void => {
      this.attempts = n;
      onAttempt?.(n);
    };
    return { transport: this.#transport, auth: this.#auth, settings, what, signal, responseDict, body, timeout: timeout ?? undefined, onAttempt: counted };
  }

  // Every method funnels through here so that bad input, like every other
  // failure, rejects the returned Promise instead of throwing synchronously.
  // An anonymous call sends no token and never logs in.
  private async call<T>(
    what: string,
    options: CallOptions & { responseDict?: ResponseDict | undefined; body?: PreparedBody },
    op: (ctx: OpContext) => Promise<T>,
    anonymous = false,
  ): Promise<T> {
    const run = this.#run(what, options);
    return withRetries(op, anonymous ? { ...run, auth: undefined, responseDict: undefined, onAttempt: undefined } : run);
  }

  /** Secrets stay out of JSON and console output. */
  toJSON(): Record<string, unknown> {
    return {
      authUrl: this.authUrl,
      user: this.user,
      url: this.url,
      token: this.token ? redactValue(this.token) : undefined,
      attempts: this.attempts,
    };
  }

  /** What `console.log(conn)` shows: the settings, never a token or key. */
  [inspect.custom](): string {
    return `Connection ${JSON.stringify(this.toJSON())}`;
  }
}

/** How long the name-length guard waits for /info before letting the server decide. */
const INFO_DEADLINE_MS = 10_000;
