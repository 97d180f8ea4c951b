import type { Transport } from '../http/transport.js';
import type { AccessInfo } from './access.js';
import { v2Authenticate, v3Authenticate, v3UserRef } from './keystone.js';
import { v1Authenticate } from './v1auth.js';

/**
 * An authentication method a {@link Session} can use: {@link v3.Password},
 * {@link v3.Token}, {@link v3.ApplicationCredential}, {@link v2.Password},
 * {@link v2.Token}, {@link v1.Password}, or your own.
 */
export interface AuthPlugin {
  /** The identity endpoint this plugin talks to. */
  readonly authUrl: string;
  /**
   * Logs in once and resolves to the token, its expiry and the service
   * catalog. The Session calls it on first use and when the token expires
   * or is invalidated; `transport` carries the Session's TLS settings.
   */
  authenticate(transport: Transport, signal?: AbortSignal): Promise<AccessInfo>;
}

/** Project scoping keys shared by the v3 plugins (give an id, or a name with its domain). */
export interface V3ScopeOptions {
  /** Project to scope the token to, by id. */
  projectId?: string | undefined;
  /** Project to scope the token to, by name (with `projectDomainName` or `projectDomainId`). */
  projectName?: string | undefined;
  /** Keystone v2 name for `projectId`, accepted as in osOptions. */
  tenantId?: string | undefined;
  /** Keystone v2 name for `projectName`, accepted as in osOptions. */
  tenantName?: string | undefined;
  /** Domain of `projectName`, by id. */
  projectDomainId?: string | undefined;
  /** Domain of `projectName`, by name (e.g. `'Default'`). */
  projectDomainName?: string | undefined;
}

/** Options of {@link v3.Password}: a user (id, or name with its domain), a password, a scope. */
export interface V3PasswordOptions extends V3ScopeOptions {
  /** Keystone v3 URL, e.g. `https://keystone.example.com/v3`. */
  authUrl: string;
  /** User name (with `userDomainName` or `userDomainId`). */
  username?: string | undefined;
  /** User id (no domain needed). */
  userId?: string | undefined;
  /** The user's password. */
  password: string;
  /** Domain of `username`, by id. */
  userDomainId?: string | undefined;
  /** Domain of `username`, by name (e.g. `'Default'`). */
  userDomainName?: string | undefined;
}

/** Options of {@link v3.Token}: an existing token, rescoped. */
export interface V3TokenOptions extends V3ScopeOptions {
  /** Keystone v3 URL. */
  authUrl: string;
  /** An existing Keystone token to exchange for a scoped one. */
  token: string;
}

/** Options of {@link v3.ApplicationCredential}: an id, or a name with its owner. */
export interface V3ApplicationCredentialOptions {
  /** Keystone v3 URL. */
  authUrl: string;
  /** The application credential's id (then no user is needed). */
  applicationCredentialId?: string | undefined;
  /** The application credential's name (then give the owner: `username` + domain, or `userId`). */
  applicationCredentialName?: string | undefined;
  /** The application credential's secret. */
  applicationCredentialSecret: string;
  /** With a credential name: the user who owns it. */
  username?: string | undefined;
  /** With a credential name: the owner's id. */
  userId?: string | undefined;
  /** Domain of `username`, by id. */
  userDomainId?: string | undefined;
  /** Domain of `username`, by name. */
  userDomainName?: string | undefined;
}

/** Options of {@link v2.Password}. */
export interface V2PasswordOptions {
  /** Keystone v2.0 URL, e.g. `https://keystone.example.com/v2.0`. */
  authUrl: string;
  /** User name. */
  username: string;
  /** The user's password. */
  password: string;
  /** Tenant to scope to, by name. */
  tenantName?: string | undefined;
  /** Tenant to scope to, by id. */
  tenantId?: string | undefined;
  /** v3 name for `tenantName`, accepted as in osOptions. */
  projectName?: string | undefined;
  /** v3 name for `tenantId`, accepted as in osOptions. */
  projectId?: string | undefined;
}

/** Options of {@link v2.Token}. */
export interface V2TokenOptions {
  /** Keystone v2.0 URL. */
  authUrl: string;
  /** An existing token to exchange for a scoped one. */
  token: string;
  /** Tenant to scope to, by name. */
  tenantName?: string | undefined;
  /** Tenant to scope to, by id. */
  tenantId?: string | undefined;
}

/** Options of {@link v1.Password}. */
export interface V1PasswordOptions {
  /** The v1 auth URL, e.g. `http://127.0.0.1:8080/auth/v1.0`. */
  authUrl: string;
  /** `account:user` for tempauth. */
  username: string;
  /** The user's key. */
  password: string;
}

function scopeOf(o: V3ScopeOptions): V3ScopeOptions {
  return {
    projectId: o.projectId ?? o.tenantId,
    projectName: o.projectName ?? o.tenantName,
    projectDomainId: o.projectDomainId,
    projectDomainName: o.projectDomainName,
  };
}

// Secrets live in private fields so that `JSON.stringify(plugin)` and
// `console.log(plugin)` never show them.
/* eslint-disable @typescript-eslint/no-namespace -- `new v3.Password(...)` as in keystoneauth, usable as a type too */
/** Keystone v3 auth plugins, for a {@link Session}. */
export namespace v3 {
  /**
   * Keystone v3 password authentication.
   *
   * @example
   * const auth = new v3.Password({ authUrl: 'http://127.0.0.1:5000/v3', username: 'tester', password: 'testing',
   *   userDomainName: 'Default', projectName: 'test', projectDomainName: 'Default' });
   * const conn = new Connection({ session: new Session({ auth }) });
   */
  export class Password implements AuthPlugin {
    /** The Keystone v3 URL. */
    readonly authUrl: string;
    readonly #options: V3PasswordOptions;
    /** Keeps the options (the password in a private field, never printed). */
    constructor(options: V3PasswordOptions) {
      this.authUrl = options.authUrl;
      this.#options = { ...options };
    }
    /** POSTs `/auth/tokens` with the password method and the scope. */
    authenticate(transport: Transport, signal?: AbortSignal): Promise<AccessInfo> {
      const o = this.#options;
      const identity = { methods: ['password'], password: { user: { ...v3UserRef(o), password: o.password } } };
      return v3Authenticate(transport, o.authUrl, identity, scopeOf(o), signal);
    }
  }

  /**
   * Keystone v3 token authentication: an existing token exchanged for one
   * scoped to a project.
   *
   * @example
   * const auth = new v3.Token({ authUrl: 'http://127.0.0.1:5000/v3', token: unscopedToken, projectId: 'a1b2c3' });
   */
  export class Token implements AuthPlugin {
    /** The Keystone v3 URL. */
    readonly authUrl: string;
    readonly #options: V3TokenOptions;
    /** Keeps the options (the token in a private field, never printed). */
    constructor(options: V3TokenOptions) {
      this.authUrl = options.authUrl;
      this.#options = { ...options };
    }
    /** POSTs `/auth/tokens` with the token method and the scope. */
    authenticate(transport: Transport, signal?: AbortSignal): Promise<AccessInfo> {
      const o = this.#options;
      return v3Authenticate(transport, o.authUrl, { methods: ['token'], token: { id: o.token } }, scopeOf(o), signal);
    }
  }

  /**
   * Keystone v3 application credential authentication (the credential
   * carries its own project scope).
   *
   * @example
   * const auth = new v3.ApplicationCredential({ authUrl: 'http://127.0.0.1:5000/v3',
   *   applicationCredentialId: 'd78683c9', applicationCredentialSecret: 'secret' });
   */
  export class ApplicationCredential implements AuthPlugin {
    /** The Keystone v3 URL. */
    readonly authUrl: string;
    readonly #options: V3ApplicationCredentialOptions;
    /** Keeps the options (the secret in a private field, never printed). */
    constructor(options: V3ApplicationCredentialOptions) {
      this.authUrl = options.authUrl;
      this.#options = { ...options };
    }
    /** POSTs `/auth/tokens` with the application_credential method. */
    authenticate(transport: Transport, signal?: AbortSignal): Promise<AccessInfo> {
      const o = this.#options;
      const credential: Record<string, unknown> = o.applicationCredentialId
        ? { id: o.applicationCredentialId, secret: o.applicationCredentialSecret }
        : { name: o.applicationCredentialName, secret: o.applicationCredentialSecret, user: v3UserRef(o) };
      const identity = { methods: ['application_credential'], application_credential: credential };
      // An application credential carries its own project scope.
      return v3Authenticate(transport, o.authUrl, identity, {}, signal);
    }
  }
}

/** Keystone v2.0 auth plugins, for a {@link Session}. */
export namespace v2 {
  /**
   * Keystone v2.0 password authentication.
   *
   * @example
   * const auth = new v2.Password({ authUrl: 'https://keystone.example.com/v2.0', username: 'tester', password: 'testing', tenantName: 'test' });
   */
  export class Password implements AuthPlugin {
    /** The Keystone v2.0 URL. */
    readonly authUrl: string;
    readonly #options: V2PasswordOptions;
    /** Keeps the options (the password in a private field, never printed). */
    constructor(options: V2PasswordOptions) {
      this.authUrl = options.authUrl;
      this.#options = { ...options };
    }
    /** POSTs `/tokens` with the password credentials and the tenant. */
    authenticate(transport: Transport, signal?: AbortSignal): Promise<AccessInfo> {
      const o = this.#options;
      const tenant = { tenantName: o.tenantName ?? o.projectName, tenantId: o.tenantId ?? o.projectId };
      return v2Authenticate(transport, o.authUrl, { username: o.username, password: o.password }, tenant, signal);
    }
  }

  /**
   * Keystone v2.0 token authentication: an existing token exchanged for one
   * scoped to a tenant.
   *
   * @example
   * const auth = new v2.Token({ authUrl: 'https://keystone.example.com/v2.0', token: existingToken, tenantName: 'test' });
   */
  export class Token implements AuthPlugin {
    /** The Keystone v2.0 URL. */
    readonly authUrl: string;
    readonly #options: V2TokenOptions;
    /** Keeps the options (the token in a private field, never printed). */
    constructor(options: V2TokenOptions) {
      this.authUrl = options.authUrl;
      this.#options = { ...options };
    }
    /** POSTs `/tokens` with the token and the tenant. */
    authenticate(transport: Transport, signal?: AbortSignal): Promise<AccessInfo> {
      const o = this.#options;
      return v2Authenticate(transport, o.authUrl, { token: o.token }, o, signal);
    }
  }
}

/** Swift v1 (tempauth, swauth) auth plugin, for a {@link Session}. */
export namespace v1 {
  /**
   * v1 authentication: `X-Auth-User`/`X-Auth-Key` GET to the auth URL.
   *
   * @example
   * const auth = new v1.Password({ authUrl: 'http://127.0.0.1:8080/auth/v1.0', username: 'test:tester', password: 'testing' });
   */
  export class Password implements AuthPlugin {
    /** The v1 auth URL. */
    readonly authUrl: string;
    readonly #options: V1PasswordOptions;
    /** Keeps the options (the key in a private field, never printed). */
    constructor(options: V1PasswordOptions) {
      this.authUrl = options.authUrl;
      this.#options = { ...options };
    }
    /** GETs the auth URL with the user and key; the storage URL is the catalog's one endpoint. */
    authenticate(transport: Transport, signal?: AbortSignal): Promise<AccessInfo> {
      const o = this.#options;
      return v1Authenticate(transport, o.authUrl, o.username, o.password, signal);
    }
  }
}
