import type { Transport } from '../http/transport.js';
import type { AccessInfo } from './access.js';
import { v2Authenticate, v3Authenticate, v3UserRef } from './keystone.js';
import { v1Authenticate } from './v1auth.js';

/** An authentication method a {@link Session} can use. */
export interface AuthPlugin {
  /** The identity endpoint this plugin talks to. */
  readonly authUrl: string;
  authenticate(transport: Transport, signal?: AbortSignal): Promise<AccessInfo>;
}

/** Project scoping keys shared by the v3 plugins. */
export interface V3ScopeOptions {
  projectId?: string | undefined;
  projectName?: string | undefined;
  /** Keystone v2 names for the project, accepted as in osOptions. */
  tenantId?: string | undefined;
  tenantName?: string | undefined;
  projectDomainId?: string | undefined;
  projectDomainName?: string | undefined;
}

export interface V3PasswordOptions extends V3ScopeOptions {
  authUrl: string;
  username?: string | undefined;
  userId?: string | undefined;
  password: string;
  userDomainId?: string | undefined;
  userDomainName?: string | undefined;
}

export interface V3TokenOptions extends V3ScopeOptions {
  authUrl: string;
  token: string;
}

export interface V3ApplicationCredentialOptions {
  authUrl: string;
  applicationCredentialId?: string | undefined;
  applicationCredentialName?: string | undefined;
  applicationCredentialSecret: string;
  /** With a credential name: the user who owns it. */
  username?: string | undefined;
  userId?: string | undefined;
  userDomainId?: string | undefined;
  userDomainName?: string | undefined;
}

export interface V2PasswordOptions {
  authUrl: string;
  username: string;
  password: string;
  tenantName?: string | undefined;
  tenantId?: string | undefined;
  /** v3 names for the tenant, accepted as in osOptions. */
  projectName?: string | undefined;
  projectId?: string | undefined;
}

export interface V1PasswordOptions {
  authUrl: string;
  /** `account:user` for tempauth. */
  username: string;
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
class V3Password implements AuthPlugin {
  readonly authUrl: string;
  readonly #options: V3PasswordOptions;
  constructor(options: V3PasswordOptions) {
    this.authUrl = options.authUrl;
    this.#options = { ...options };
  }
  authenticate(transport: Transport, signal?: AbortSignal): Promise<AccessInfo> {
    const o = this.#options;
    const identity = { methods: ['password'], password: { user: { ...v3UserRef(o), password: o.password } } };
    return v3Authenticate(transport, o.authUrl, identity, scopeOf(o), signal);
  }
}

class V3Token implements AuthPlugin {
  readonly authUrl: string;
  readonly #options: V3TokenOptions;
  constructor(options: V3TokenOptions) {
    this.authUrl = options.authUrl;
    this.#options = { ...options };
  }
  authenticate(transport: Transport, signal?: AbortSignal): Promise<AccessInfo> {
    const o = this.#options;
    return v3Authenticate(transport, o.authUrl, { methods: ['token'], token: { id: o.token } }, scopeOf(o), signal);
  }
}

class V3ApplicationCredential implements AuthPlugin {
  readonly authUrl: string;
  readonly #options: V3ApplicationCredentialOptions;
  constructor(options: V3ApplicationCredentialOptions) {
    this.authUrl = options.authUrl;
    this.#options = { ...options };
  }
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

class V2Password implements AuthPlugin {
  readonly authUrl: string;
  readonly #options: V2PasswordOptions;
  constructor(options: V2PasswordOptions) {
    this.authUrl = options.authUrl;
    this.#options = { ...options };
  }
  authenticate(transport: Transport, signal?: AbortSignal): Promise<AccessInfo> {
    const o = this.#options;
    const tenant = { tenantName: o.tenantName ?? o.projectName, tenantId: o.tenantId ?? o.projectId };
    return v2Authenticate(transport, o.authUrl, { username: o.username, password: o.password }, tenant, signal);
  }
}

class V2Token implements AuthPlugin {
  readonly authUrl: string;
  readonly #options: { authUrl: string; token: string; tenantName?: string | undefined; tenantId?: string | undefined };
  constructor(options: { authUrl: string; token: string; tenantName?: string | undefined; tenantId?: string | undefined }) {
    this.authUrl = options.authUrl;
    this.#options = { ...options };
  }
  authenticate(transport: Transport, signal?: AbortSignal): Promise<AccessInfo> {
    const o = this.#options;
    return v2Authenticate(transport, o.authUrl, { token: o.token }, o, signal);
  }
}

class V1Password implements AuthPlugin {
  readonly authUrl: string;
  readonly #options: V1PasswordOptions;
  constructor(options: V1PasswordOptions) {
    this.authUrl = options.authUrl;
    this.#options = { ...options };
  }
  authenticate(transport: Transport, signal?: AbortSignal): Promise<AccessInfo> {
    const o = this.#options;
    return v1Authenticate(transport, o.authUrl, o.username, o.password, signal);
  }
}

/* eslint-disable @typescript-eslint/no-namespace -- `new v3.Password(...)` as in keystoneauth, usable as a type too */
/** Keystone v3 auth plugins. */
export namespace v3 {
  export const Password = V3Password;
  export type Password = V3Password;
  export const Token = V3Token;
  export type Token = V3Token;
  export const ApplicationCredential = V3ApplicationCredential;
  export type ApplicationCredential = V3ApplicationCredential;
}
/** Keystone v2.0 auth plugins. */
export namespace v2 {
  export const Password = V2Password;
  export type Password = V2Password;
  export const Token = V2Token;
  export type Token = V2Token;
}
/** Swift v1 (tempauth) auth plugin. */
export namespace v1 {
  export const Password = V1Password;
  export type Password = V1Password;
}
