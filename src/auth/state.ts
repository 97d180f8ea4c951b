// A Connection's authentication state: the storage URL and token with their
// expiry, the one login shared by concurrent calls, the 401 refresh, and
// the service token.
import type { Transport } from '../http/transport.js';
import type { OsOptions } from '../options.js';
import type { AuthStyle } from '../retry/policy.js';
import { SharedRun } from '../util/abort.js';
import { isExpiring } from './access.js';
import { authenticate, parseAuthVersion, serviceCredentials, type AuthTokens, type CredentialSet } from './connection-auth.js';
import type { SessionLike } from './session.js';

/** Everything a login needs; `osOptions` is the Connection's own object (read at each login). */
export interface AuthConfig {
  transport: Transport;
  authUrl: string | undefined;
  user: string | undefined;
  key: string | undefined;
  authVersion: string | number;
  osOptions: OsOptions;
  session: SessionLike | undefined;
}

/** What one try sends: the storage URL and the tokens. */
export interface Credentials {
  url: string | undefined;
  token: string | undefined;
  serviceToken: string | undefined;
}

export class AuthState {
  /** Storage URL in use. */
  url: string | undefined;
  /** X-Service-Token in use. */
  serviceToken: string | undefined;
  #token: string | undefined;
  #tokenExpiresAt: Date | undefined;
  #serviceExpiresAt: Date | undefined;
  #serviceUrl: string | undefined;
  readonly #login = new SharedRun<AuthTokens>();
  readonly #serviceLogin = new SharedRun<AuthTokens>();

  /** `token`: a preauth token to use until it is refused. */
  constructor(
    private readonly config: AuthConfig,
    token: string | undefined,
  ) {
    this.url = config.osOptions.objectStorageUrl;
    this.#token = token;
  }

  /** Auth token in use; setting it forgets the known expiry. */
  get token(): string | undefined {
    return this.#token;
  }

  set token(value: string | undefined) {
    this.#token = value ?? undefined;
    this.#tokenExpiresAt = undefined;
  }

  // Checked when authenticating, as swiftclient does, so a bad value rejects a call.
  #authVersion(): '1' | '2' | '3' {
    return parseAuthVersion(this.config.authVersion, this.config.session !== undefined);
  }

  #credentials(): CredentialSet {
    const { authUrl, user, key, osOptions } = this.config;
    return { authUrl, user, key, authVersion: this.#authVersion(), osOptions };
  }

  get #serviceEnabled(): boolean {
    return Boolean(this.config.osOptions.serviceUsername);
  }

  /** How this connection logs in, for the retry policy. */
  get style(): AuthStyle {
    const { authUrl, user, key, osOptions, session } = this.config;
    if (session) return 'keystone';
    let version: string;
    try {
      version = this.#authVersion();
    } catch {
      return 'none';
    }
    if (authUrl && user && key) return version === '1' ? 'v1' : 'keystone';
    return version !== '1' && authUrl && osOptions.authType ? 'keystone' : 'none';
  }

  /** One login shared by concurrent callers; it runs on no caller's signal, so one caller's abort stops only its own wait. */
  login(signal: AbortSignal | undefined): Promise<AuthTokens> {
    return this.#login.run(async () => {
      const result = await authenticate(this.config.transport, this.#credentials(), this.config.session, undefined);
      // With a service token the storage URL is the service login's (python), also after a renewal of the main token.
      this.url = this.#serviceEnabled && this.#serviceUrl ? this.#serviceUrl : result.url;
      this.#token = result.token;
      this.#tokenExpiresAt = result.expiresAt;
      return result;
    }, signal);
  }

  /** The service user's login, shared like the main one, its expiry tracked. */
  serviceLogin(signal: AbortSignal | undefined): Promise<AuthTokens> {
    return this.#serviceLogin.run(async () => {
      const creds = serviceCredentials(this.config.authUrl, this.#authVersion(), this.config.osOptions);
      const result = await authenticate(this.config.transport, creds, this.config.session, undefined);
      this.serviceToken = result.token;
      this.#serviceExpiresAt = result.expiresAt;
      this.#serviceUrl = result.url;
      return result;
    }, signal);
  }

  /** Logs in when there is no URL or token, or when one is about to expire; resolves to what a try sends. */
  async ensure(signal: AbortSignal | undefined): Promise<Credentials> {
    if (!this.url || !this.#token || isExpiring(this.#tokenExpiresAt)) await this.login(signal);
    if (this.#serviceEnabled && (!this.serviceToken || isExpiring(this.#serviceExpiresAt))) {
      this.url = (await this.serviceLogin(signal)).url;
    }
    return { url: this.url, token: this.#token, serviceToken: this.serviceToken };
  }

  /** True when the token a try sent was replaced since by another call's login (done, or under way). */
  renewedSince(sentToken: string | undefined): boolean {
    return sentToken !== undefined && this.#token !== sentToken && (this.#token !== undefined || this.#login.pending);
  }

  /**
   * After a 401: forgets the URL and tokens (a preauth URL / objectStorageUrl
   * survives) and invalidates the session; resolves to false when the
   * session says it cannot log in again.
   */
  async invalidate(): Promise<boolean> {
    const allowed = this.config.session ? (await this.config.session.invalidate()) !== false : true;
    this.forget();
    this.url = this.config.osOptions.objectStorageUrl;
    return allowed;
  }

  /** Forgets the tokens (forceAuthRetry): the next try logs in again. */
  forget(): void {
    this.#token = undefined;
    this.serviceToken = undefined;
  }
}
