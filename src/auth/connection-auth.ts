import { ClientException } from '../errors.js';
import type { Transport } from '../http/transport.js';
import type { OsOptions } from '../options.js';
import { findEndpoint, type AccessInfo } from './access.js';
import { v2Authenticate, v3Authenticate, v3UserRef } from './keystone.js';
import type { SessionLike } from './session.js';
import { v1Authenticate } from './v1auth.js';

export type AuthVersion = '1' | '2' | '3';

/** Result of one authentication: storage URL and token. */
export interface AuthTokens {
  url: string;
  token: string;
  expiresAt: Date | undefined;
}

/** Normalises the accepted spellings of authVersion; throws on anything else. */
export function parseAuthVersion(value: string | number | undefined, hasSession: boolean): AuthVersion {
  const v = String(value ?? '1');
  if (v === '1' || v === '1.0') return '1';
  if (v === '2' || v === '2.0') return '2';
  if (v === '3' || v === '3.0') return '3';
  if (hasSession) return '1';
  throw new ClientException(`Unknown auth_version ${v} specified and no session found.`);
}

export interface CredentialSet {
  authUrl: string | undefined;
  user: string | undefined;
  key: string | undefined;
  authVersion: AuthVersion;
  osOptions: OsOptions;
}

/** python's `get_service_auth`: the service user's credentials, scoped by the main user's domains and endpoint choice. */
export function serviceCredentials(authUrl: string | undefined, authVersion: AuthVersion, os: OsOptions): CredentialSet {
  return {
    authUrl,
    user: os.serviceUsername,
    key: os.serviceKey,
    authVersion,
    osOptions: {
      tenantName: os.serviceProjectName,
      projectName: os.serviceProjectName,
      userDomainId: os.userDomainId,
      userDomainName: os.userDomainName,
      projectDomainId: os.projectDomainId,
      projectDomainName: os.projectDomainName,
      regionName: os.regionName,
      serviceType: os.serviceType,
      endpointType: os.endpointType,
      objectStorageUrl: os.objectStorageUrl,
    },
  };
}

const AUTH_TYPES = new Set(['password', 'v2password', 'v3password', 'v3applicationcredential']);

/**
 * python-swiftclient's `get_auth`: v1, Keystone v2/v3 (password, token,
 * application credential) or a session, then the objectStorageUrl override.
 */
export async function authenticate(
  transport: Transport,
  creds: CredentialSet,
  session: SessionLike | undefined,
  signal?: AbortSignal,
): Promise<AuthTokens> {
  const os = { ...creds.osOptions };
  let result: AuthTokens;
  if (session) {
    const url = await session.getEndpoint({
      serviceType: os.serviceType || 'object-store',
      interface: os.endpointType || 'public',
      ...(os.regionName ? { regionName: os.regionName } : {}),
    });
    const token = await session.getToken();
    if (!token) throw new ClientException('The session gave no token');
    const expiresAt = (session as { expiresAt?: unknown }).expiresAt;
    result = { url: url ?? '', token, expiresAt: expiresAt instanceof Date ? expiresAt : undefined };
  } else {
    if (!creds.authUrl) throw new ClientException('No authUrl given and no preauthUrl/preauthToken or session to use instead');
    let access: AccessInfo;
    if (creds.authVersion === '1') {
      access = await v1Authenticate(transport, creds.authUrl, creds.user ?? '', creds.key ?? '', signal);
    } else {
      access = await keystoneAuthenticate(transport, creds, os, signal);
    }
    const url = access.storageUrl ?? findEndpoint(access, { serviceType: os.serviceType, interface: os.endpointType, regionName: os.regionName });
    result = { url, token: access.token, expiresAt: access.expiresAt };
  }
  if (os.objectStorageUrl) result.url = os.objectStorageUrl;
  if (!result.url) throw new ClientException('Authentication gave no storage URL');
  return result;
}

async function keystoneAuthenticate(transport: Transport, creds: CredentialSet, os: OsOptions, signal?: AbortSignal): Promise<AccessInfo> {
  let user = creds.user;
  // 'tenant:user' names both at once and, as in python's Connection, wins over tenantName.
  if (user && user.includes(':')) {
    const at = user.indexOf(':');
    os.tenantName = user.slice(0, at);
    user = user.slice(at + 1);
  }
  if (os.authType && !AUTH_TYPES.has(os.authType)) {
    throw new ClientException('Swiftclient currently only supports v3applicationcredential for auth_type');
  }
  const authUrl = creds.authUrl as string;
  if (os.authType === 'v3applicationcredential') {
    const credential: Record<string, unknown> = os.applicationCredentialId
      ? { id: os.applicationCredentialId, secret: os.applicationCredentialSecret }
      : {
          name: os.applicationCredentialName,
          secret: os.applicationCredentialSecret,
          user: v3UserRef({ userId: os.userId, username: user, userDomainId: os.userDomainId, userDomainName: os.userDomainName }),
        };
    try {
      return await v3Authenticate(transport, authUrl, { methods: ['application_credential'], application_credential: credential }, {}, signal);
    } catch (err) {
      if (err instanceof ClientException && err.httpStatus === 401) {
        err.message = 'Unauthorized. Check application credential id and secret.';
      }
      throw err;
    }
  }
  if (!(os.tenantName || os.tenantId || os.projectName || os.projectId)) {
    throw new ClientException(creds.authVersion === '2' ? 'No tenant specified' : 'No project name or project id specified.');
  }
  if (creds.authVersion === '2') {
    return v2Authenticate(
      transport,
      authUrl,
      os.authToken ? { token: os.authToken } : { username: user, password: creds.key },
      { tenantName: os.tenantName ?? os.projectName, tenantId: os.tenantId ?? os.projectId },
      signal,
    );
  }
  const identity = os.authToken
    ? { methods: ['token'], token: { id: os.authToken } }
    : {
        methods: ['password'],
        password: {
          user: {
            ...v3UserRef({ userId: os.userId, username: user, userDomainId: os.userDomainId, userDomainName: os.userDomainName }),
            password: creds.key ?? '',
          },
        },
      };
  return v3Authenticate(
    transport,
    authUrl,
    identity,
    {
      projectId: os.projectId ?? os.tenantId,
      projectName: os.projectName ?? os.tenantName,
      projectDomainId: os.projectDomainId,
      projectDomainName: os.projectDomainName,
    },
    signal,
  );
}
