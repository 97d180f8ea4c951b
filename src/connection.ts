import { inspect } from 'node:util';
import { isExpiring } from './auth/access.js';
import { authenticate, parseAuthVersion, serviceCredentials, type AuthTokens, type CredentialSet } from './auth/connection-auth.js';
import type { SessionLike } from './auth/session.js';
import { ClientException } from './errors.js';
import { PreparedBody, type BodyInput } from './http/body.js';
import { hasHeader, headerRecord, type HeadersInput, type ResponseHeaders } from './http/headers.js';
import { precheck } from './ops/paths.js';
import { ObjectBody } from './http/object-body.js';
import { parseRetryAfter, retryDelay, sleep } from './http/retry.js';
import { isNetworkError, Transport } from './http/transport.js';
import * as account from './ops/account.js';
import type { CallOptions, ContainerEntry, GetAccountOptions, HeadersOptions, PostAccountOptions } from './ops/account.js';
import { capabilitiesUrl, getCapabilities, type Capabilities } from './ops/capabilities.js';
import { NameLimitGuard, type InfoOutcome } from './ops/name-limits.js';
import * as container from './ops/container.js';
import type { DeleteContainerOptions, GetContainerOptions, ObjectEntry, PostContainerOptions, PutContainerOptions } from './ops/container.js';
import { collectListing, listingState } from './ops/listing.js';
import * as object from './ops/object.js';
import type { CopyObjectOptions, DeleteObjectOptions, GetObjectOptions, HeadObjectOptions, PostObjectOptions, PutObjectOptions } from './ops/object.js';
import * as native from './native/index.js';
import { DEFAULT_OPEN_CHUNK } from './native/open.js';
import { knownLength, progressReporter } from './native/progress.js';
import { addResponseDict, isFinalError, type OpContext, type ResponseDict } from './ops/request.js';
import type { ConnectionOptions, OsOptions } from './options.js';
import { isAuthFailure } from './auth/http.js';
import { SharedRun } from './util/abort.js';
import { redactValue } from './util/redact.js';
import { headerLength, nonNegative, storageUrl } from './util/checks.js';
import { connectionOptionsFromEnv } from './env.js';

interface RetryOptions {
  signal?: AbortSignal | undefined;
  responseDict?: ResponseDict | undefined;
  /** A one-shot upload body: once consumed, the call cannot be retried. */
  body?: PreparedBody | undefined;
  /** Continue counting attempts from here (a resumed download). */
  startAttempts?: number | undefined;
  /** Told the call's try count after every try (a resumed body keeps its own count). */
  onAttempt?: ((attempts: number) => void) | undefined;
  /** Operation name for the "cannot replay" error. */
  what: string;
}

/**
 * python-swiftclient's `Connection`: authenticates on first use, retries
 * with backoff, re-authenticates once on 401, and exposes every account,
 * container and object call as a Promise.
 */
export class Connection {
  /** Storage URL in use (settable). */
  url: string | undefined;
  /** X-Service-Token in use, when service credentials are configured. */
  serviceToken: string | undefined;
  /** Tries the last call made (a resumed body keeps counting on it). */
  attempts = 0;
  readonly authUrl: string | undefined;
  readonly user: string | undefined;
  readonly retries: number;
  readonly startingBackoff: number;
  readonly maxBackoff: number;
  readonly retryOnRatelimit: boolean;
  readonly forceAuthRetry: boolean;
  readonly authVersion: string | number;
  readonly osOptions: OsOptions;
  readonly session: SessionLike | undefined;
  readonly checksum: boolean;
  #token: string | undefined;
  #tokenExpiresAt: Date | undefined;
  readonly #key: string | undefined;
  readonly #transport: Transport;
  readonly #auth = new SharedRun<AuthTokens>();
  readonly #serviceAuth = new SharedRun<AuthTokens>();
  #serviceExpiresAt: Date | undefined;
  #serviceUrl: string | undefined;
  readonly #names = new NameLimitGuard(() => this.#readOwnInfo());

  constructor(options: ConnectionOptions = {}) {
    this.session = options.session;
    this.authUrl = options.authUrl;
    this.user = options.user;
    this.#key = options.key;
    this.authVersion = options.authVersion ?? '1';
    this.retries = nonNegative('retries', options.retries ?? 5);
    this.startingBackoff = nonNegative('startingBackoff', options.startingBackoff ?? 1);
    this.maxBackoff = nonNegative('maxBackoff', options.maxBackoff ?? 64);
    this.retryOnRatelimit = options.retryOnRatelimit ?? true;
    this.forceAuthRetry = options.forceAuthRetry ?? false;
    this.checksum = options.checksum ?? true;
    this.osOptions = { ...(options.osOptions ?? {}) };
    if (options.tenantName) this.osOptions.tenantName = options.tenantName;
    // Kept as objectStorageUrl so that it survives re-authentication.
    if (options.preauthUrl) this.osOptions.objectStorageUrl = options.preauthUrl;
    this.url = options.preauthUrl ?? this.osOptions.objectStorageUrl;
    this.#token = options.preauthToken ?? this.osOptions.authToken;
    if (options.timeout !== undefined) nonNegative('timeout', options.timeout);
    this.#transport = new Transport({
      timeout: options.timeout,
      cacert: options.cacert,
      insecure: options.insecure,
      cert: options.cert,
      certKey: options.certKey,
    });
  }

  /** A Connection from OS_* / ST_* environment variables (see README). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, overrides: ConnectionOptions = {}): Connection {
    return new Connection({ ...connectionOptionsFromEnv(env), ...overrides });
  }

  /** Auth token in use (settable; setting it forgets the known expiry). */
  get token(): string | undefined {
    return this.#token;
  }

  set token(value: string | undefined) {
    this.#token = value ?? undefined;
    this.#tokenExpiresAt = undefined;
  }

  private get credentials(): CredentialSet {
    return { authUrl: this.authUrl, user: this.user, key: this.#key, authVersion: this.parsedAuthVersion(), osOptions: this.osOptions };
  }

  // Checked when authenticating, as swiftclient does, so a bad value rejects a call.
  private parsedAuthVersion(): '1' | '2' | '3' {
    return parseAuthVersion(this.authVersion, this.session !== undefined);
  }

  private get serviceAuthEnabled(): boolean {
    return Boolean(this.osOptions.serviceUsername);
  }

  /** Authenticates now; resolves to `[storageUrl, token]`. */
  async getAuth(options: CallOptions = {}): Promise<[string, string]> {
    const result = await this.sharedAuth(options.signal);
    return [result.url, result.token];
  }

  /** One login shared by concurrent callers; it runs on no caller's signal, so one caller's abort stops only its own wait. */
  private sharedAuth(signal: AbortSignal | undefined): Promise<AuthTokens> {
    return this.#auth.run(async () => {
      const result = await authenticate(this.#transport, this.credentials, this.session, undefined);
      // With a service token the storage URL is the service login's (python), also after a renewal of the main token.
      this.url = this.serviceAuthEnabled && this.#serviceUrl ? this.#serviceUrl : result.url;
      this.#token = result.token;
      this.#tokenExpiresAt = result.expiresAt;
      return result;
    }, signal);
  }

  /** Authenticates the service user; resolves to `[storageUrl, serviceToken]`. */
  async getServiceAuth(options: CallOptions = {}): Promise<[string, string]> {
    const result = await this.sharedServiceAuth(options.signal);
    return [result.url, result.token];
  }

  /** The service user's login, shared like the main one, its expiry tracked. */
  private sharedServiceAuth(signal: AbortSignal | undefined): Promise<AuthTokens> {
    return this.#serviceAuth.run(async () => {
      const creds = serviceCredentials(this.authUrl, this.parsedAuthVersion(), this.osOptions);
      const result = await authenticate(this.#transport, creds, this.session, undefined);
      this.serviceToken = result.token;
      this.#serviceExpiresAt = result.expiresAt;
      this.#serviceUrl = result.url;
      return result;
    }, signal);
  }

  private async ensureAuth(signal: AbortSignal | undefined): Promise<void> {
    if (!this.url || !this.#token || isExpiring(this.#tokenExpiresAt)) await this.sharedAuth(signal);
    if (this.serviceAuthEnabled && (!this.serviceToken || isExpiring(this.#serviceExpiresAt))) {
      this.url = (await this.sharedServiceAuth(signal)).url;
    }
  }

  /** The retry loop of swiftclient's `Connection._retry`, with jitter and Retry-After. */
  private async retry<T>(op: (ctx: OpContext) => Promise<T>, o: RetryOptions): Promise<T> {
    let retriedAuth = false;
    let backoff = this.startingBackoff;
    // Counted per call: concurrent calls on one Connection must not use up
    // each other's retries. `this.attempts` reports the latest call's count.
    let attempts = o.startAttempts ?? 0;
    for (;;) {
      attempts += 1;
      this.attempts = attempts;
      o.onAttempt?.(attempts);
      const attemptDict: ResponseDict = {};
      let retryAfter: number | undefined;
      let sentToken: string | undefined;
      try {
        if (o.signal?.aborted) throw o.signal.reason;
        await this.ensureAuth(o.signal);
        sentToken = this.#token;
        const result = await op({
          transport: this.#transport,
          url: storageUrl(this.url as string),
          token: this.#token,
          serviceToken: this.serviceToken,
          signal: o.signal,
          responseDict: attemptDict,
        });
        addResponseDict(o.responseDict, attemptDict);
        return result;
      } catch (err) {
        addResponseDict(o.responseDict, attemptDict);
        if (o.signal?.aborted) throw o.signal.reason;
        // The caller's own contents failed: theirs to see, as python raises it.
        if (o.body?.sourceFailure) throw o.body.sourceFailure.error;
        if (!(err instanceof ClientException) || isFinalError(err)) throw err;
        const status = err.httpStatus;
        let skipSleep = false;
        if (status === 401 && isAuthFailure(err)) {
          // Keystone refused the credentials themselves: a second login would be refused too
          throw err;
        } else if (status === 401 && sentToken !== undefined && this.#token !== sentToken && (this.#token !== undefined || this.#auth.pending)) {
          // Another call has already re-authenticated (or is at it): retry on its token
          // rather than throwing that fresh token away.
          if (retriedAuth) throw err;
          retriedAuth = true;
          skipSleep = true;
        } else if (status === 401) {
          const shouldRetry = this.session
            ? (await this.session.invalidate()) !== false
            : Boolean(this.authUrl && this.user && this.#key) || (this.parsedAuthVersion() !== '1' && Boolean(this.authUrl && this.osOptions.authType));
          this.url = undefined;
          this.#token = undefined;
          this.serviceToken = undefined;
          // preauthUrl / objectStorageUrl survive the re-auth
          if (this.osOptions.objectStorageUrl) this.url = this.osOptions.objectStorageUrl;
          if (retriedAuth || !shouldRetry) throw err;
          retriedAuth = true;
          skipSleep = true; // a fresh token needs no backoff
        } else if (isNetworkError(err)) {
          if (attempts > this.retries) throw err;
        } else if (attempts > this.retries || status === undefined) {
          throw err;
        } else if (status === 408 || status === 499 || (status >= 500 && status <= 599)) {
          retryAfter = parseRetryAfter(err.httpResponseHeaders?.['retry-after']);
        } else if (this.retryOnRatelimit && (status === 498 || status === 429)) {
          retryAfter = parseRetryAfter(err.httpResponseHeaders?.['retry-after']);
        } else {
          throw err;
        }
        if (o.body?.exhausted) {
          // The status and URL of the failure that needed the retry stay on the error.
          throw new ClientException(
            `${o.what} failed and its contents were a one-shot stream that cannot be replayed for a retry (${o.body.bytesSent} bytes had been sent): ${err.msg}`,
            { ...err.fields(), cause: err },
          );
        }
        if (this.forceAuthRetry) {
          this.#token = undefined;
          this.serviceToken = undefined;
        }
        if (!skipSleep) await sleep(retryDelay(backoff, this.maxBackoff, retryAfter), o.signal);
        backoff = Math.min(backoff * 2, this.maxBackoff);
      }
    }
  }

  // Names and headers are checked before anything is sent, authentication
  // included; `null` options count as none. Every method is async, so any
  // failure rejects the returned Promise.

  async headAccount(options?: HeadersOptions | null): Promise<ResponseHeaders> {
    const o = await this.#precheck(options, undefined, undefined, o0 => [o0.headers]);
    return this.call('Account HEAD', o, (ctx) => account.headAccount(ctx, o));
  }

  async getAccount(options?: GetAccountOptions | null): Promise<[ResponseHeaders, ContainerEntry[]]> {
    const o = await this.#precheck(options, undefined, undefined, o0 => [o0.headers]);
    const state = listingState<ContainerEntry>(o.marker, undefined);
    return this.call('Account GET', o, (ctx) => collectListing(state, o.fullListing, (marker) => account.getAccountPage(ctx, o, marker)));
  }

  async postAccount(headers: HeadersInput, options?: PostAccountOptions | null): Promise<[ResponseHeaders, Buffer]> {
    const o = await this.#precheck(options, undefined, undefined, () => [headers]);
    return this.call('Account POST', o, (ctx) => account.postAccount(ctx, headers, o));
  }

  async headContainer(name: string, options?: HeadersOptions | null): Promise<ResponseHeaders> {
    const o = await this.#precheck(options, name, undefined, o0 => [o0.headers]);
    return this.call('Container HEAD', o, (ctx) => container.headContainer(ctx, name, o));
  }

  async getContainer(name: string, options?: GetContainerOptions | null): Promise<[ResponseHeaders, ObjectEntry[]]> {
    const o = await this.#precheck(options, name, undefined, o0 => [o0.headers]);
    const state = listingState<ObjectEntry>(o.marker, o.versionMarker);
    return this.call('Container GET', o, (ctx) =>
      collectListing(state, o.fullListing, (marker, versionMarker) => container.getContainerPage(ctx, name, o, marker, versionMarker)),
    );
  }

  async putContainer(name: string, options?: PutContainerOptions | null): Promise<void> {
    const o = await this.#precheck(options, name, undefined, o0 => [o0.headers]);
    return this.call('Container PUT', o, (ctx) => container.putContainer(ctx, name, o));
  }

  async postContainer(name: string, headers: HeadersInput, options?: PostContainerOptions | null): Promise<void> {
    const o = await this.#precheck(options, name, undefined, () => [headers]);
    return this.call('Container POST', o, (ctx) => container.postContainer(ctx, name, headers, o));
  }

  async deleteContainer(name: string, options?: DeleteContainerOptions | null): Promise<void> {
    const o = await this.#precheck(options, name, undefined, o0 => [o0.headers]);
    return this.call('Container DELETE', o, (ctx) => container.deleteContainer(ctx, name, o));
  }

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
    const res = await this.retry((ctx) => object.getObjectResponse(ctx, cont, obj, o), {
      signal: o.signal,
      responseDict: o.responseDict,
      what: 'Object GET',
      onAttempt: (n) => (attempts = n),
    });
    const isRange = hasHeader(o.headers, 'range');
    const resumable = !isRange && res.headers['transfer-encoding'] === undefined;
    // As swiftclient's _RetryBody: each resume is one more try of this call,
    // allowed while the call has retries left.
    const resume = resumable
      ? async (offset: number) => {
          if (attempts > this.retries) return undefined;
          const headers = { ...headerRecord(o.headers), range: `bytes=${offset}-`, 'if-match': res.headers.etag ?? '' };
          return this.retry((ctx) => object.getObjectResponse(ctx, cont, obj, { ...o, headers }), {
            signal: o.signal,
            responseDict: o.responseDict,
            startAttempts: attempts,
            what: 'Object GET',
            onAttempt: (n) => (attempts = n),
          });
        }
      : undefined;
    const verify = (o.checksum ?? this.checksum) && !isRange && res.status === 200 && object.etagIsContentMd5(res.headers);
    const body = new ObjectBody(res, chunkSize > 0 ? chunkSize : DEFAULT_OPEN_CHUNK, resume, `Object GET ${cont}/${obj}`, verify, o.signal);
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

  async postObject(cont: string, obj: string, headers: HeadersInput, options?: PostObjectOptions | null): Promise<void> {
    const o = await this.#precheck(options, cont, obj, () => [headers]);
    return this.call('Object POST', o, (ctx) => object.postObject(ctx, cont, obj, headers, o));
  }

  async copyObject(cont: string, obj: string, options?: CopyObjectOptions | null): Promise<void> {
    const o = await this.#precheck(options, cont, obj, o0 => [o0.headers]);
    return this.call('Object COPY', o, (ctx) => object.copyObject(ctx, cont, obj, o));
  }

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

  /** What an anonymous request (no token) gets for its one try. */
  #anonymousContext(url: string, signal: AbortSignal | undefined): OpContext {
    return { transport: this.#transport, url, token: undefined, serviceToken: undefined, signal, responseDict: {} };
  }

  /** This cluster's /info in one try within INFO_DEADLINE_MS, for the name-length guard. */
  async #readOwnInfo(): Promise<InfoOutcome> {
    // no caller's signal here: the read is shared; auth failures are the caller's
    const infoUrl = await this.#infoUrl(undefined);
    try {
      return { kind: 'info', info: await getCapabilities(this.#anonymousContext(infoUrl, AbortSignal.timeout(INFO_DEADLINE_MS))) };
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

  // Every method funnels through here so that bad input, like every other
  // failure, rejects the returned Promise instead of throwing synchronously.
  private async call<T>(
    what: string,
    options: CallOptions & { responseDict?: ResponseDict | undefined; body?: PreparedBody },
    op: (ctx: OpContext) => Promise<T>,
    anonymous = false,
  ): Promise<T> {
    if (anonymous) {
      return this.retryAnonymous(op, options.signal);
    }
    return this.retry(op, { signal: options.signal, responseDict: options.responseDict, body: options.body, what });
  }

  private async retryAnonymous<T>(op: (ctx: OpContext) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    let backoff = this.startingBackoff;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await op(this.#anonymousContext('', signal));
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        const status = err instanceof ClientException ? err.httpStatus : undefined;
        const retryable = isNetworkError(err) || (status !== undefined && (status >= 500 || status === 408 || status === 499));
        if (!retryable || attempt > this.retries) throw err;
        await sleep(retryDelay(backoff, this.maxBackoff), signal);
        backoff = Math.min(backoff * 2, this.maxBackoff);
      }
    }
  }

  /** Secrets stay out of JSON and console output. */
  toJSON(): Record<string, unknown> {
    return {
      authUrl: this.authUrl,
      user: this.user,
      url: this.url,
      token: this.#token ? redactValue(this.#token) : undefined,
      attempts: this.attempts,
    };
  }

  [inspect.custom](): string {
    return `Connection ${JSON.stringify(this.toJSON())}`;
  }
}

/** How long the name-length guard waits for /info before letting the server decide. */
const INFO_DEADLINE_MS = 10_000;
