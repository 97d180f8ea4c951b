import type { ClientException } from '../errors.js';
import { createTransport } from '../http/select.js';
import type { Transport, TransportOptions } from '../http/transport.js';
import { findEndpoint, isExpiring, type AccessInfo, type EndpointFilter } from './access.js';
import type { AuthPlugin } from './plugins.js';
import { SharedRun } from '../util/abort.js';

/** A value, or a Promise of it: a {@link SessionLike} may answer either way. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * What a Connection needs from a session: any object with these three
 * methods works (keystoneauth's Session shape).
 */
export interface SessionLike {
  /** The current token (authenticating if needed). */
  getToken(): MaybePromise<string | null | undefined>;
  /**
   * The storage URL from the catalog. The Connection passes its
   * `osOptions` choices: `serviceType` (default `'object-store'`),
   * `interface` (default `'public'`) and `regionName`.
   */
  getEndpoint(filter: { serviceType?: string; interface?: string; regionName?: string }): MaybePromise<string | null | undefined>;
  /** Forget the token after a 401; exactly `false` means "cannot re-authenticate" (the 401 is raised, no retry). */
  invalidate(): MaybePromise<boolean | undefined | void>;
}

/** Options of a {@link Session}: the auth plugin, plus TLS and timeout settings of its auth requests. */
export interface SessionOptions extends TransportOptions {
  /** How to log in: {@link v3.Password}, {@link v3.ApplicationCredential}, {@link v2.Password}, {@link v1.Password}, ... */
  auth: AuthPlugin;
}

/**
 * A keystone-style session: authenticates through its plugin on first use,
 * shares one in-flight login among concurrent callers, and refreshes the
 * token 60 s before it expires. Pass it to any number of Connections.
 *
 * @example
 * const auth = new v3.Password({ authUrl: 'http://127.0.0.1:5000/v3', username: 'tester', password: 'testing',
 *   userDomainName: 'Default', projectName: 'test', projectDomainName: 'Default' });
 * const session = new Session({ auth });
 * const conn = new Connection({ session });
 */
export class Session implements SessionLike {
  /** The plugin this session logs in with. */
  readonly auth: AuthPlugin;
  // #private: util.inspect and JSON.stringify must never show the token.
  readonly #transport: Transport;
  #access: AccessInfo | undefined;
  readonly #login = new SharedRun<AccessInfo>();
  /** Number of authentications performed (useful to observe refreshes). */
  authCount = 0;

  /**
   * Nothing is sent until the first token is needed.
   * @throws {@link ClientException} (code `BAD_INPUT`), synchronously, for an invalid option: a `timeout` or
   *   `keepAlive` that is negative or above 3600 seconds, a `maxConnections` that is not a positive integer.
   */
  constructor(options: SessionOptions) {
    this.auth = options.auth;
    const { auth: _auth, ...transportOptions } = options;
    this.#transport = createTransport(transportOptions);
  }

  /**
   * The current AccessInfo, authenticating when missing or about to expire.
   * The login is shared and runs on no caller's signal: one caller giving up
   * (`signal`) stops only its own wait, never the others'.
   */
  async getAccess(signal?: AbortSignal): Promise<AccessInfo> {
    if (this.#access && !isExpiring(this.#access.expiresAt)) return this.#access;
    return this.#login.run(async () => {
      this.authCount += 1;
      const access = await this.auth.authenticate(this.#transport);
      this.#access = access;
      return access;
    }, signal);
  }

  /** The current token, logging in first when there is none or it expires within 60 s. */
  async getToken(): Promise<string> {
    return (await this.getAccess()).token;
  }

  /**
   * The catalog URL of a service, logging in first if needed; rejects with
   * a ClientException when the catalog has no matching endpoint.
   *
   * @example
   * const storageUrl = await session.getEndpoint({ serviceType: 'object-store', interface: 'internal', regionName: 'RegionOne' });
   */
  async getEndpoint(filter: EndpointFilter = {}): Promise<string> {
    return findEndpoint(await this.getAccess(), filter);
  }

  /** When the current token expires, if known. */
  get expiresAt(): Date | undefined {
    return this.#access?.expiresAt;
  }

  /** Drops the cached token; the next call authenticates again. */
  invalidate(): boolean {
    this.#access = undefined;
    return true;
  }

  /** Releases the pooled connections of the auth requests. */
  async close(): Promise<void> {
    await this.#transport.close();
  }
}
