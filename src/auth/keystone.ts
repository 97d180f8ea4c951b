import { BadAnswerError, ClientException } from '../errors.js';
import type { Transport } from '../http/transport.js';
import type { AccessInfo, CatalogService } from './access.js';
import { normalizeInterface } from './access.js';
import { authFailure, authRequest } from './http.js';

const VERSIONFUL_PATH = /^v[2-3](?:\.0)?$/;

/**
 * Appends `/v3` (or `/v2.0` for version 2) to a versionless Keystone URL, as
 * swiftclient does; a URL already ending in a version is kept.
 */
export function versionedAuthUrl(authUrl: string, version: 2 | 3): string {
  const url = new URL(authUrl);
  const last = url.pathname.replace(/\/+$/, '').split('/').pop() ?? '';
  if (VERSIONFUL_PATH.test(last)) return authUrl;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${version === 2 ? 'v2.0' : 'v3'}`;
  return url.toString();
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path}`;
}

/** Scope of a v3 token: a project by id, or by name within a domain. */
export interface V3Scope {
  projectId?: string | undefined;
  projectName?: string | undefined;
  projectDomainId?: string | undefined;
  projectDomainName?: string | undefined;
}

/** The `identity` part of a v3 auth request. */
export type V3Identity = Record<string, unknown>;

function domainRef(id: string | undefined, name: string | undefined): Record<string, string> {
  if (id) return { id };
  if (name) return { name };
  // Names need a domain; Keystone's built-in one is what clouds mean by default.
  return { id: 'default' };
}

export function v3UserRef(opts: {
  userId?: string | undefined;
  username?: string | undefined;
  userDomainId?: string | undefined;
  userDomainName?: string | undefined;
}): Record<string, unknown> {
  if (opts.userId) return { id: opts.userId };
  if (!opts.username) throw new ClientException('Keystone v3 authentication needs a username or userId');
  return { name: opts.username, domain: domainRef(opts.userDomainId, opts.userDomainName) };
}

function v3ScopeBody(scope: V3Scope): Record<string, unknown> | undefined {
  if (scope.projectId) return { project: { id: scope.projectId } };
  if (scope.projectName) {
    return { project: { name: scope.projectName, domain: domainRef(scope.projectDomainId, scope.projectDomainName) } };
  }
  return undefined; // unscoped request: Keystone scopes to the user's default project if it has one
}

interface V3TokenBody {
  token?: {
    expires_at?: string;
    catalog?: Array<{ type: string; name?: string; endpoints?: Array<{ interface: string; region_id?: string; region?: string; url: string }> }>;
  };
}

/** POST /v3/auth/tokens. */
export async function v3Authenticate(
  transport: Transport,
  authUrl: string,
  identity: V3Identity,
  scope: V3Scope,
  signal?: AbortSignal,
): Promise<AccessInfo> {
  const url = joinUrl(versionedAuthUrl(authUrl, 3), 'auth/tokens');
  const scopeBody = v3ScopeBody(scope);
  const body = { auth: { identity, ...(scopeBody ? { scope: scopeBody } : {}) } };
  const res = await authRequest(transport, 'POST', url, {}, body, signal);
  if (res.status < 200 || res.status >= 300) {
    const label =
      res.status === 401 ? 'Unauthorized. Check username/id, password, tenant name/id and user/tenant domain name/id.' : 'Keystone v3 auth failed';
    throw authFailure(label, url, res);
  }
  const token = res.headers['x-subject-token'];
  if (!token) throw new BadAnswerError(`Keystone at ${url} answered ${res.status} without an X-Subject-Token`);
  let parsed: V3TokenBody;
  try {
    parsed = JSON.parse(res.body) as V3TokenBody;
  } catch (err) {
    throw new BadAnswerError(`Keystone at ${url} answered with a body that is not JSON`, { cause: err });
  }
  const catalog: CatalogService[] = (parsed.token?.catalog ?? []).map((svc) => ({
    type: svc.type,
    name: svc.name,
    endpoints: (svc.endpoints ?? []).flatMap((ep) => {
      try {
        return [{ interface: normalizeInterface(ep.interface), region: ep.region_id ?? ep.region, url: ep.url }];
      } catch {
        return [];
      }
    }),
  }));
  return { token, expiresAt: parseExpiry(parsed.token?.expires_at), catalog };
}

interface V2AccessBody {
  access?: {
    token?: { id?: string; expires?: string };
    serviceCatalog?: Array<{
      type: string;
      name?: string;
      endpoints?: Array<{ region?: string; publicURL?: string; internalURL?: string; adminURL?: string }>;
    }>;
  };
}

/** POST /v2.0/tokens with password (or token) credentials. */
export async function v2Authenticate(
  transport: Transport,
  authUrl: string,
  credentials: { username?: string | undefined; password?: string | undefined; token?: string | undefined },
  tenant: { tenantName?: string | undefined; tenantId?: string | undefined },
  signal?: AbortSignal,
): Promise<AccessInfo> {
  const url = joinUrl(versionedAuthUrl(authUrl, 2), 'tokens');
  const auth: Record<string, unknown> = credentials.token
    ? { token: { id: credentials.token } }
    : { passwordCredentials: { username: credentials.username ?? '', password: credentials.password ?? '' } };
  if (tenant.tenantId) auth.tenantId = tenant.tenantId;
  else if (tenant.tenantName) auth.tenantName = tenant.tenantName;
  const res = await authRequest(transport, 'POST', url, {}, { auth }, signal);
  if (res.status < 200 || res.status >= 300) {
    const label = res.status === 401 ? 'Unauthorized. Check username, password and tenant name/id.' : 'Keystone v2.0 auth failed';
    throw authFailure(label, url, res);
  }
  let parsed: V2AccessBody;
  try {
    parsed = JSON.parse(res.body) as V2AccessBody;
  } catch (err) {
    throw new BadAnswerError(`Keystone at ${url} answered with a body that is not JSON`, { cause: err });
  }
  const token = parsed.access?.token?.id;
  if (!token) throw new BadAnswerError(`Keystone at ${url} answered without a token id`);
  const catalog: CatalogService[] = (parsed.access?.serviceCatalog ?? []).map((svc) => ({
    type: svc.type,
    name: svc.name,
    endpoints: (svc.endpoints ?? []).flatMap((ep) => {
      const out = [];
      if (ep.publicURL) out.push({ interface: 'public' as const, region: ep.region, url: ep.publicURL });
      if (ep.internalURL) out.push({ interface: 'internal' as const, region: ep.region, url: ep.internalURL });
      if (ep.adminURL) out.push({ interface: 'admin' as const, region: ep.region, url: ep.adminURL });
      return out;
    }),
  }));
  return { token, expiresAt: parseExpiry(parsed.access?.token?.expires), catalog };
}

function parseExpiry(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  // Keystone omits the zone in some versions; its times are UTC.
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
