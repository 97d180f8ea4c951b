import { createTransport } from '../http/select.js';
import type { Transport, TransportOptions } from '../http/transport.js';
import { findEndpoint, isExpiring, type AccessInfo, type EndpointFilter } from './access.js';
import type { AuthPlugin } from './plugins.js';
import { SharedRun } from '../util/abort.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * What a Connection needs from a session: any object with these three
 * methods works (keystoneauth's Session shape).
 */
export interface SessionLike {
  getToken(): MaybePromise<string | null | undefined>;
  getEndpoint(filter: { serviceType?: string; interface?: string; regionName?: string }): MaybePromise<string | null | undefined>;
  /** Forget the token; false means "cannot re-authenticate". */
  invalidate(): MaybePromise<boolean | undefined | void>;
}

export interface SessionOptions extends TransportOptions {
  auth: AuthPlugin;
}

/**
 * A keystone-style session: authenticates through its plugin on first use,
 * shares one in-flight login among concurrent callers, and refreshes the
 * token 60 s before it expires.
 */
export class Session implements SessionLike {
  readonly auth: AuthPlugin;
  // #private: util.inspect and JSON.stringify must never show the token.
  readonly #transport: Transport;
  #access: AccessInfo | undefined;
  readonly #login = new SharedRun<AccessInfo>();
  /** Number of authentications performed (useful to observe refreshes). */
  authCount = 0;

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

  async getToken(): Promise<string> {
    return (await this.getAccess()).token;
  }

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

  async close(): Promise<void> {
    await this.#transport.close();
  }
}
