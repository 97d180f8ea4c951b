import type { SessionLike } from './auth/session.js';
import { AuthState } from './auth/state.js';
import { ClientException } from './errors.js';
import { heldErrors, PreparedBody, type BodyInput } from './http/body.js';
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
import { NameLimitGuard, readInfoOnce, type InfoOutcome } from './ops/name-limits.js';
import * as object from './ops/object.js';
import type { CopyObjectOptions, DeleteObjectOptions, GetObjectOptions, HeadObjectOptions, PostObjectOptions, PutObjectOptions } from './ops/object.js';
import { precheck } from './ops/paths.js';
import type { OpContext, ResponseDict } from './ops/request.js';
import { DEFAULT_OPEN_CHUNK } from './native/open.js';
import { knownLength, progressReporter } from './native/progress.js';
import type { ConnectionOptions, OsOptions } from './options.js';
import { decide, type RetrySettings } from './retry/policy.js';
import { withRetries, type RetryRun } from './retry/run.js';
import { headerLength, nonNegative, seconds } from './util/checks.js';
import { INSPECT_CUSTOM } from './util/inspect.js';
import { redactValue } from './util/redact.js';

/**
 * The python-swiftclient methods of `Connection` (which adds the
 * TypeScript-native ones); not constructed on its own. A facade: options and
 * input checks here; logins in `auth/state.ts`, the retry loop in
 * `retry/run.ts` (decisions in `retry/policy.ts`), one request per operation
 * in `ops/*`, HTTP in `http/transport.ts`.
 */
export class ConnectionBase {
  /**
   * Tries the last call made: 1 when the first try succeeded. A body resumed
   * after a dropped connection keeps counting on the call that returned it.
   */
  attempts = 0;
  /** The auth endpoint (v1 or Keystone URL) given as `authUrl`; undefined when none was given. */
  readonly authUrl: string | undefined;
  /** The user given as `user` (`account:user` for v1). */
  readonly user: string | undefined;
  /** Retries after the first try, for every call that does not set its own. @default 5 */
  readonly retries: number;
  /** Seconds before the first retry; each further wait doubles, up to `maxBackoff`. @default 1 */
  readonly startingBackoff: number;
  /** Longest wait between two tries, in seconds. @default 64 */
  readonly maxBackoff: number;
  /** Whether 429 and 498 answers are retried. @default true */
  readonly retryOnRatelimit: boolean;
  /** Whether every retry re-authenticates first, whatever the error. @default false */
  readonly forceAuthRetry: boolean;
  /** The auth protocol: `'1'`, `'2'` or `'3'` (also as `'1.0'`, `'2.0'`, `'3.0'` or a number). @default '1' */
  readonly authVersion: string | number;
  /**
   * Keystone scoping and endpoint choice (python's `os_options`), a copy of
   * the option; `tenantName` is copied in, and `preauthUrl` as `objectStorageUrl`.
   */
  readonly osOptions: OsOptions;
  /** The keystone Session (or any {@link SessionLike}) tokens and the endpoint come from, when one was given. */
  readonly session: SessionLike | undefined;
  /** Whether MD5s of uploads and whole downloads are checked against ETags (each call may override). @default true */
  readonly checksum: boolean;
  readonly #transport: Transport;
  readonly #auth: AuthState;
  readonly #names = new NameLimitGuard(() => this.#readOwnInfo());

  /**
   * Checks the options and sets up the HTTP stack; nothing is sent until the
   * first call (authentication happens then).
   * @param options credentials, retry and transport settings; all optional.
   * @throws {@link ClientException} (code `BAD_INPUT`), synchronously, for an invalid option: a negative
   *   `retries`, a duration that is negative or above 3600 seconds, a `maxConnections` that is not a positive integer.
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
    const { timeout, cacert, insecure, cert, certKey, dispatcher, userAgent, keepAlive, maxConnections, transport } = options;
    this.#transport = createTransport({ transport, timeout, cacert, insecure, cert, certKey, dispatcher, userAgent, keepAlive, maxConnections });
    this.#auth = new AuthState(
      { transport: this.#transport, authUrl: this.authUrl, user: this.user, key: options.key, authVersion: this.authVersion, osOptions: this.osOptions, session: this.session },
      options.preauthToken ?? this.osOptions.authToken,
    );
  }

  /** Storage URL in use; undefined before the first authentication unless `preauthUrl` (or `osOptions.objectStorageUrl`) was given. */
  get url(): string | undefined {
    return this.#auth.url;
  }

  /** Uses this storage URL for the next calls. */
  set url(value: string | undefined) {
    this.#auth.url = value;
  }

  /** Auth token in use; undefined before the first authentication unless `preauthToken` (or `osOptions.authToken`) was given. */
  get token(): string | undefined {
    return this.#auth.token;
  }

  /** Uses this token for the next calls, forgetting the known expiry of the previous one. */
  set token(value: string | undefined) {
    this.#auth.token = value;
  }

  /** X-Service-Token in use, when service credentials (`osOptions.serviceUsername`...) are configured. */
  get serviceToken(): string | undefined {
    return this.#auth.serviceToken;
  }

  /** Sends this X-Service-Token with the next calls. */
  set serviceToken(value: string | undefined) {
    this.#auth.serviceToken = value;
  }

  /**
   * Authenticates now (python's `get_auth`), or joins the login a concurrent
   * call already started; every other method logs in this way on first use.
   * @returns `[storageUrl, token]`, also kept as `url` and `token`.
   * @throws {@link UnauthorizedError} (credentials refused), {@link NetworkError} / {@link TimeoutError} (no answer), {@link ClientException}.
   * @example
   * const [storageUrl, token] = await conn.getAuth();
   */
  async getAuth(options: CallOptions = {}): Promise<[string, string]> {
    const result = await this.#auth.login(options.signal);
    return [result.url, result.token];
  }

  /**
   * Authenticates the service user of `osOptions` (`serviceUsername`,
   * `serviceProjectName`, `serviceKey`), whose token goes out as `X-Service-Token`.
   * @returns `[storageUrl, serviceToken]`.
   * @throws {@link UnauthorizedError} (credentials refused), {@link NetworkError} / {@link TimeoutError} (no answer), {@link ClientException}.
   * @example
   * const [, serviceToken] = await conn.getServiceAuth();
   */
  async getServiceAuth(options: CallOptions = {}): Promise<[string, string]> {
    const result = await this.#auth.serviceLogin(options.signal);
    return [result.url, result.token];
  }

  // Names and headers are checked before anything is sent, authentication
  // included; `null` options count as none. Every method is async, so any
  // failure rejects the returned Promise.

  /**
   * HEAD of the account (python's `head_account`).
   * @returns the response headers, lower-case names: `x-account-container-count`,
   *   `x-account-object-count`, `x-account-bytes-used`, `x-account-meta-*`, ...
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   * @example
   * const headers = await conn.headAccount();
   * console.log(Number(headers['x-account-bytes-used']));
   */
  async headAccount(options?: HeadersOptions | null): Promise<ResponseHeaders> {
    const o = await this.#precheck(options, undefined, undefined, o0 => [o0.headers]);
    return this.call('Account HEAD', o, (ctx) => account.headAccount(ctx, o));
  }

  /**
   * Lists the account's containers (python's `get_account`): one page of at
   * most `limit` entries, or with `fullListing` every page.
   * @returns `[headers, containers]`: the account's headers and the listing's entries as the
   *   server sent them (`name`, `count`, `bytes`, `last_modified`; `subdir` entries with `delimiter`).
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   * @example
   * const [headers, containers] = await conn.getAccount({ prefix: 'logs-', fullListing: true });
   * for (const c of containers) if (c.subdir === undefined) console.log(c.name, c.count, c.bytes);
   */
  async getAccount(options?: GetAccountOptions | null): Promise<[ResponseHeaders, ContainerEntry[]]> {
    const o = await this.#precheck(options, undefined, undefined, o0 => [o0.headers]);
    const state = listingState<ContainerEntry>(o.marker, undefined);
    return this.call('Account GET', o, (ctx) => collectListing(state, o.fullListing, (marker) => account.getAccountPage(ctx, o, marker)));
  }

  /**
   * POST to the account (python's `post_account`): sets or removes account
   * metadata (`x-account-meta-*`, or `meta`), or runs a bulk operation with
   * `queryString` and `data`.
   * @param headers request headers; an empty value removes that metadata.
   * @returns `[headers, body]`: the response headers and body (a Buffer, empty for a plain metadata update).
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   * @example
   * await conn.postAccount({ 'x-account-meta-owner': 'alice' });
   * await conn.postAccount({}, { meta: { project: 'apollo' } });
   */
  async postAccount(headers: HeadersInput, options?: PostAccountOptions | null): Promise<[ResponseHeaders, Buffer]> {
    const o = await this.#precheck(options, undefined, undefined, () => [headers]);
    return this.call('Account POST', o, (ctx) => account.postAccount(ctx, headers, o));
  }

  /**
   * HEAD of a container (python's `head_container`).
   * @returns the response headers, lower-case names: `x-container-object-count`,
   *   `x-container-bytes-used`, `x-container-read`, `x-container-meta-*`, ...
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   * @example
   * const headers = await conn.headContainer('photos');
   * console.log(headers['x-container-object-count']);
   */
  async headContainer(name: string, options?: HeadersOptions | null): Promise<ResponseHeaders> {
    const o = await this.#precheck(options, name, undefined, o0 => [o0.headers]);
    return this.call('Container HEAD', o, (ctx) => container.headContainer(ctx, name, o));
  }

  /**
   * Lists a container's objects (python's `get_container`): one page of at
   * most `limit` entries, or with `fullListing` every page.
   * @returns `[headers, objects]`: the container's headers and the listing's entries as the server
   *   sent them (`name`, `bytes`, `hash`, `last_modified`, `content_type`; `subdir` entries with `delimiter`).
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   * @example
   * const [, objects] = await conn.getContainer('photos', { prefix: '2024/', delimiter: '/', fullListing: true });
   * for (const o of objects) console.log(o.subdir ?? `${o.name} ${o.bytes}`);
   */
  async getContainer(name: string, options?: GetContainerOptions | null): Promise<[ResponseHeaders, ObjectEntry[]]> {
    const o = await this.#precheck(options, name, undefined, o0 => [o0.headers]);
    const state = listingState<ObjectEntry>(o.marker, o.versionMarker);
    return this.call('Container GET', o, (ctx) =>
      collectListing(state, o.fullListing, (marker, versionMarker) => container.getContainerPage(ctx, name, o, marker, versionMarker)),
    );
  }

  /**
   * Creates a container, or updates the metadata, ACLs and settings of an
   * existing one (python's `put_container`).
   * @returns nothing once the server has answered 2xx (201 created, 202 already there).
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   * @example
   * await conn.putContainer('photos', { headers: { 'x-container-read': '.r:*' }, meta: { team: 'apollo' } });
   */
  async putContainer(name: string, options?: PutContainerOptions | null): Promise<void> {
    const o = await this.#precheck(options, name, undefined, o0 => [o0.headers]);
    return this.call('Container PUT', o, (ctx) => container.putContainer(ctx, name, o));
  }

  /**
   * Updates a container's metadata, ACLs or settings (python's `post_container`);
   * names not given keep their values, an empty value removes one.
   * @param headers request headers (`x-container-meta-*`, `x-container-read`, `x-versions-enabled`, ...).
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   * @example
   * await conn.postContainer('photos', { 'x-container-meta-team': 'apollo' });
   */
  async postContainer(name: string, headers: HeadersInput, options?: PostContainerOptions | null): Promise<void> {
    const o = await this.#precheck(options, name, undefined, () => [headers]);
    return this.call('Container POST', o, (ctx) => container.postContainer(ctx, name, headers, o));
  }

  /**
   * Deletes an empty container (python's `delete_container`).
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   *   A container that still holds objects gives a ClientException with `httpStatus` 409.
   * @example
   * await conn.deleteContainer('photos');
   */
  async deleteContainer(name: string, options?: DeleteContainerOptions | null): Promise<void> {
    const o = await this.#precheck(options, name, undefined, o0 => [o0.headers]);
    return this.call('Container DELETE', o, (ctx) => container.deleteContainer(ctx, name, o));
  }

  /**
   * HEAD of an object (python's `head_object`).
   * @returns the response headers, lower-case names: `content-length`, `etag`, `last-modified`,
   *   `content-type`, `x-object-meta-*`, ...
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   * @example
   * const headers = await conn.headObject('photos', 'cat.jpg');
   * console.log(Number(headers['content-length']), headers.etag);
   */
  async headObject(cont: string, obj: string, options?: HeadObjectOptions | null): Promise<ResponseHeaders> {
    const o = await this.#precheck(options, cont, obj, o0 => [o0.headers]);
    return this.call('Object HEAD', o, (ctx) => object.headObject(ctx, cont, obj, o));
  }

  /**
   * Downloads an object (python's `get_object`): `[headers, Buffer]`, or with
   * `respChunkSize > 0` `[headers, ObjectBody]` that streams and resumes
   * dropped connections (`respChunkSize: 0` gives a Buffer, as in swiftclient).
   * The MD5 of a whole plain object is checked against its ETag unless
   * `checksum` is false (ranged reads and large objects are not checked).
   * @returns `[headers, body]`: the response headers and the body, a Buffer or a streamed {@link ObjectBody}.
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   *   A digest mismatch gives a {@link ChecksumError}.
   * @example
   * const [headers, body] = await conn.getObject('backups', 'db.tar', { respChunkSize: 1 << 20 });
   * for await (const chunk of body) process.stdout.write(chunk);
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

  /**
   * Uploads an object (python's `put_object`). `contents` is a string, a
   * Buffer or Uint8Array, a Node Readable, a web ReadableStream, any
   * (async) iterable of chunks, a {@link ReplayableSource} such as
   * `fileSource(path)`, or null for an empty object. A known length goes out
   * as Content-Length, anything else as chunked transfer. Replayable bodies
   * are sent again on a retry; a one-shot stream already partly read is not.
   * @returns the ETag the server gave, quotes stripped (the MD5 of the bytes for a plain object).
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   *   For a plain upload, a returned ETag that differs from the MD5 sent gives a {@link ChecksumError}.
   * @example
   * const etag = await conn.putObject('photos', 'cat.txt', 'meow', { contentType: 'text/plain', meta: { owner: 'alice' } });
   * await conn.putObject('backups', 'db.tar', fileSource('/var/backups/db.tar'));
   */
  async putObject(cont: string, obj: string, contents: BodyInput, options?: PutObjectOptions | null): Promise<string> {
    // Before the first await: a stream failing on the next tick (Bun emits before any await resumes) rejects the call instead of ending the process.
    heldErrors(contents);
    const o = await this.#precheck(options, cont, obj, (o0) => [o0.headers, { etag: o0.etag, 'content-type': o0.contentType }]);
    const body = PreparedBody.from(contents, o.contentLength ?? headerLength(o.headers));
    const checksum = o.checksum ?? this.checksum;
    body.hashing = checksum;
    body.onSent = progressReporter(o.onProgress, body.length);
    return this.call('Object PUT', { ...o, body }, (ctx) => object.putObject(ctx, cont, obj, body, o, checksum));
  }

  /**
   * Replaces an object's metadata (python's `post_object`): as Swift does, a
   * POST removes every user metadata name not given, so pass all that must stay.
   * @param headers request headers (`x-object-meta-*`, `x-delete-after`, `content-type`, ...).
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   * @example
   * await conn.postObject('photos', 'cat.jpg', { 'x-object-meta-owner': 'alice', 'x-delete-after': 86400 });
   */
  async postObject(cont: string, obj: string, headers: HeadersInput, options?: PostObjectOptions | null): Promise<void> {
    const o = await this.#precheck(options, cont, obj, () => [headers]);
    return this.call('Object POST', o, (ctx) => object.postObject(ctx, cont, obj, headers, o));
  }

  /**
   * Copies an object server-side (python's `copy_object`) to `destination`
   * (`/container/object`), by default onto itself (to change its metadata
   * without re-uploading).
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   * @example
   * await conn.copyObject('photos', 'cat.jpg', { destination: '/archive/cat.jpg', headers: { 'x-object-meta-copied': 'yes' } });
   */
  async copyObject(cont: string, obj: string, options?: CopyObjectOptions | null): Promise<void> {
    const o = await this.#precheck(options, cont, obj, o0 => [o0.headers]);
    return this.call('Object COPY', o, (ctx) => object.copyObject(ctx, cont, obj, o));
  }

  /**
   * Deletes an object (python's `delete_object`); with `queryString:
   * 'multipart-manifest=delete'` a static large object's segments go too.
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   * @example
   * await conn.deleteObject('photos', 'cat.jpg');
   */
  async deleteObject(cont: string, obj: string, options?: DeleteObjectOptions | null): Promise<void> {
    const o = await this.#precheck(options, cont, obj, o0 => [o0.headers]);
    return this.call('Object DELETE', o, (ctx) => object.deleteObject(ctx, cont, obj, o));
  }

  /**
   * The cluster's `/info` document (python's `get_capabilities`), read without a token.
   * @param url a storage URL or any URL of the cluster (its `/info` is derived as swiftclient does);
   *   by default this connection's storage URL, authenticating first if needed.
   * @returns the parsed `/info` JSON: one key per middleware (`swift`, `slo`, `tempurl`, ...).
   * @throws {@link NotFoundError}, {@link UnauthorizedError}, {@link NetworkError}, {@link TimeoutError}, {@link ClientException} (see `Connection`).
   * @example
   * const info = await conn.getCapabilities();
   * console.log(info.swift?.max_file_size, 'slo' in info);
   */
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

  /** This cluster's /info in one try, for the name-length guard. */
  async #readOwnInfo(): Promise<InfoOutcome> {
    // no caller's signal here: the read is shared; auth failures are the caller's
    return readInfoOnce(this.#transport, await this.#infoUrl(undefined));
  }

  async #precheck<O extends object>(...args: Parameters<typeof precheck<O>>): Promise<O> {
    const o = precheck(...args);
    const checking = this.#names.check(args[1], args[2], (o as CallOptions).signal);
    if (checking) await checking;
    return o;
  }

  /**
   * Releases pooled connections (an own `dispatcher` stays open); the
   * Connection stays usable and opens new ones when called again.
   * @example
   * try { await conn.putObject('c', 'o', 'data'); } finally { await conn.close(); }
   */
  async close(): Promise<void> {
    await this.#transport.close();
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

  /**
   * What `JSON.stringify(conn)` writes: `authUrl`, `user`, `url`, `attempts`
   * and the token redacted to its first characters; no key or password.
   */
  toJSON(): Record<string, unknown> {
    return {
      authUrl: this.authUrl,
      user: this.user,
      url: this.url,
      token: this.token ? redactValue(this.token) : undefined,
      attempts: this.attempts,
    };
  }

  /** What `console.log(conn)` and `util.inspect` show: `Connection` and {@link toJSON}'s fields, secrets redacted. */
  [INSPECT_CUSTOM](): string {
    return `Connection ${JSON.stringify(this.toJSON())}`;
  }
}
