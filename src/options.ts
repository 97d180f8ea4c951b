import type { Dispatcher } from './platform/node-types.js';
import type { SessionLike } from './auth/session.js';
import type { TransportName } from './http/transport.js';

/** Keystone scoping and endpoint choice, as swiftclient's `os_options`. */
export interface OsOptions {
  /** Keystone v2 tenant to scope to, by id (v3: same as `projectId`). */
  tenantId?: string | undefined;
  /** Keystone v2 tenant to scope to, by name (v3: same as `projectName`). */
  tenantName?: string | undefined;
  /** Keystone v3 project to scope to, by id. */
  projectId?: string | undefined;
  /** Keystone v3 project to scope to, by name (needs `projectDomainName` or `projectDomainId`). */
  projectName?: string | undefined;
  /** Keystone user by id instead of the `user` name. */
  userId?: string | undefined;
  /** Domain of the user name, by id. */
  userDomainId?: string | undefined;
  /** Domain of the user name, by name (e.g. `'Default'`). */
  userDomainName?: string | undefined;
  /** Domain of the project name, by id. */
  projectDomainId?: string | undefined;
  /** Domain of the project name, by name (e.g. `'Default'`). */
  projectDomainName?: string | undefined;
  /** 'password' | 'v2password' | 'v3password' | 'v3applicationcredential'. */
  authType?: string | undefined;
  /** Keystone application credential id (with `authType: 'v3applicationcredential'`). */
  applicationCredentialId?: string | undefined;
  /** Application credential name; needs the user (`user`/`userId` and its domain). */
  applicationCredentialName?: string | undefined;
  /** Application credential secret. */
  applicationCredentialSecret?: string | undefined;
  /** @default 'object-store' */
  serviceType?: string | undefined;
  /** 'public' | 'internal' | 'admin' (or 'publicURL' etc.). @default 'public' */
  endpointType?: string | undefined;
  /** Catalog region to pick the endpoint from; default: the first region offering `serviceType`. */
  regionName?: string | undefined;
  /** Storage URL that overrides the catalog's. */
  objectStorageUrl?: string | undefined;
  /** A token to use instead of authenticating (same as preauthToken). */
  authToken?: string | undefined;
  /** Credentials of a service user whose token goes in X-Service-Token. */
  serviceUsername?: string | undefined;
  /** Project of the service user (its domains are the main user's). */
  serviceProjectName?: string | undefined;
  /** Password of the service user. */
  serviceKey?: string | undefined;
}

/** Everything `new Connection(...)` takes; all optional. */
export interface ConnectionOptions {
  /** Auth endpoint (v1 URL or Keystone URL). */
  authUrl?: string | undefined;
  /** User name; for v1 `account:user`, for Keystone optionally `tenant:user`. */
  user?: string | undefined;
  /** Key or password. */
  key?: string | undefined;
  /** '1' (default), '1.0', '2', '2.0', '3', '3.0', 1, 2 or 3. @default '1' */
  authVersion?: string | number | undefined;
  /** Copied into osOptions.tenantName. */
  tenantName?: string | undefined;
  /**
   * Keystone scoping and endpoint choice (python's `os_options`).
   *
   * @example
   * new Connection({ authUrl: 'https://keystone.example.com/v3', user: 'alice', key: 'secret', authVersion: '3',
   *   osOptions: { projectName: 'demo', projectDomainName: 'Default', userDomainName: 'Default', regionName: 'RegionOne' } });
   */
  osOptions?: OsOptions | undefined;
  /** Storage URL to use without authenticating; survives re-auth. */
  preauthUrl?: string | undefined;
  /** Token to use without authenticating. */
  preauthToken?: string | undefined;
  /** A keystone Session (or any object with getToken/getEndpoint/invalidate). */
  session?: SessionLike | undefined;
  /** Retries after the first try (each call may set its own). @default 5 */
  retries?: number | undefined;
  /** Seconds before the first retry (at most 3600). @default 1 */
  startingBackoff?: number | undefined;
  /** Longest wait between retries, seconds (at most 3600). @default 64 */
  maxBackoff?: number | undefined;
  /** Retry 429 and 498 answers. @default true */
  retryOnRatelimit?: boolean | undefined;
  /** Re-authenticate before every retry, whatever the error. @default false */
  forceAuthRetry?: boolean | undefined;
  /**
   * Seconds to wait for response headers and for each silence in a body (at
   * most 3600; each call may set its own). @default none: undici's 300 s
   */
  timeout?: number | undefined;
  /** CA bundle (PEM file path) for TLS verification. */
  cacert?: string | undefined;
  /** Skip TLS certificate verification. @default false */
  insecure?: boolean | undefined;
  /** Client certificate (PEM file path). */
  cert?: string | undefined;
  /** Client certificate key (PEM file path). */
  certKey?: string | undefined;
  /** Verify MD5s of uploads and whole downloads against the ETag. @default true */
  checksum?: boolean | undefined;
  /**
   * The undici Dispatcher every request goes through, auth included: an
   * `Agent`, a `Pool` with limits, a `ProxyAgent`, a `MockAgent` for tests.
   * Undici transport only (refused with `transport: 'fetch'`).
   * It stays the caller's (`close()` leaves it open); `cacert`, `insecure`,
   * `cert`, `certKey`, `keepAlive` and `maxConnections` do not apply to it.
   * @default an Agent that honours HTTP_PROXY / HTTPS_PROXY / NO_PROXY (and lower-case forms) as python's requests does
   * @example new Connection({ authUrl, user, key, dispatcher: new Pool(origin, { connections: 4 }) })
   */
  dispatcher?: Dispatcher | undefined;
  /**
   * The HTTP engine of every request, auth included: `'undici'` (pooled
   * keep-alive, proxies from the environment, TLS options, `dispatcher`) or
   * `'fetch'` (the platform's global fetch; TLS, proxies and pooling are the
   * platform's, and `dispatcher` / `maxConnections` are refused). See
   * docs/RUNTIMES.md for what each runtime can do.
   * @default `'undici'` on Node, Deno and Bun (and whenever a `dispatcher` is
   * given), `'fetch'` in browsers and workers; the
   * `SWIFTCLIENT_TRANSPORT` environment variable overrides the default
   * @example new Connection({ authUrl, user, key, transport: 'fetch' })
   */
  transport?: TransportName | undefined;
  /**
   * User-Agent of every request, auth included; a `User-Agent` in a call's
   * `headers` wins for that call. In a browser neither is sent: the
   * browser's own User-Agent goes out.
   * @default `swiftclient/<version> node/<version>`
   */
  userAgent?: string | undefined;
  /** Seconds an idle pooled connection is kept for reuse (default dispatcher only). @default 30 */
  keepAlive?: number | undefined;
  /** Most connections open at once per origin (default dispatcher only); further requests queue. @default unlimited */
  maxConnections?: number | undefined;
}
