import { ClientException } from '../errors.js';

/** One endpoint of a service in a Keystone catalog, normalised across v2/v3. */
export interface CatalogEndpoint {
  /** Who the endpoint is for (v2's `publicURL` etc. are mapped to these). */
  interface: 'public' | 'internal' | 'admin';
  /** The region id, when the catalog names one. */
  region: string | undefined;
  /** The endpoint URL (for Swift: the storage URL, account included). */
  url: string;
}

/** One service of a Keystone catalog. */
export interface CatalogService {
  /** The service type, e.g. `'object-store'`. */
  type: string;
  /** The service name, e.g. `'swift'`, when the catalog gives one. */
  name: string | undefined;
  /** Its endpoints, one per interface and region. */
  endpoints: CatalogEndpoint[];
}

/** What an authentication produced. */
export interface AccessInfo {
  /** The token to send as `X-Auth-Token`. */
  token: string;
  /** When the token stops working, if the server said. */
  expiresAt: Date | undefined;
  /** The service catalog (empty for v1 auth). */
  catalog: CatalogService[];
  /** Storage URL given directly (v1 auth); otherwise taken from the catalog. */
  storageUrl?: string | undefined;
}

/** Endpoint filter, as keystoneauth's `get_endpoint`. */
export interface EndpointFilter {
  /** The service type to look for. @default 'object-store' */
  serviceType?: string | undefined;
  /** 'public' | 'internal' | 'admin', or the v2 spellings 'publicURL' etc. */
  interface?: string | undefined;
  /** Only endpoints of this region; default: the first endpoint that matches otherwise. */
  regionName?: string | undefined;
}

/** Maps 'publicURL' / 'internalURL' / 'adminURL' to the v3 interface names. */
export function normalizeInterface(value: string | undefined): CatalogEndpoint['interface'] {
  const v = (value ?? 'public').toLowerCase().replace(/url$/, '');
  if (v === 'public' || v === 'internal' || v === 'admin') return v;
  throw new ClientException(`Unknown endpoint type ${JSON.stringify(value)}: use public, internal or admin`);
}

/** Finds the endpoint URL, with swiftclient's error when there is none. */
export function findEndpoint(access: AccessInfo, filter: EndpointFilter): string {
  const serviceType = filter.serviceType || 'object-store';
  if (access.storageUrl && serviceType === 'object-store' && access.catalog.length === 0) return access.storageUrl;
  const wanted = normalizeInterface(filter.interface);
  for (const service of access.catalog) {
    if (service.type !== serviceType) continue;
    for (const endpoint of service.endpoints) {
      if (endpoint.interface !== wanted) continue;
      if (filter.regionName && endpoint.region !== filter.regionName) continue;
      return endpoint.url;
    }
  }
  throw new ClientException(`Endpoint for ${serviceType} not found - have you specified a region?`);
}

/** Seconds before expiry at which a token is treated as expired already. */
export const EXPIRY_MARGIN_MS = 60_000;

/** True when a token is expired or will be within the margin. */
export function isExpiring(expiresAt: Date | undefined, now = Date.now()): boolean {
  return expiresAt !== undefined && expiresAt.getTime() - EXPIRY_MARGIN_MS <= now;
}
