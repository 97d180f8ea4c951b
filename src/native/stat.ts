// Typed info records for an account, a container and an object, read from
// their HEAD headers by pure functions.
import { parseAcl } from '../account-helpers.js';
import type { Connection } from '../connection.js';
import type { HeadersInput, ResponseHeaders } from '../http/headers.js';
import { parseEtag } from '../http/integrity.js';
import type { CallOptions } from '../ops/account.js';
import { symlinkOf, type SymlinkInfo } from '../symlinks.js';
import { legacyVersioningOf, versionQuery, type LegacyVersioning } from '../versioning.js';
import { swiftDate, unixSecondsDate } from './dates.js';
import { readMeta } from './meta.js';

/** Options of statAccount and statContainer. */
export interface StatCallOptions extends CallOptions {
  /** More request headers. */
  headers?: HeadersInput | undefined;
}

/** Options of statObject. */
export interface StatObjectOptions extends StatCallOptions {
  /** Stat this version of the object (versioned containers). */
  versionId?: string | undefined;
  /**
   * With `false`, a symlink is described itself (`HEAD ?symlink=get`,
   * `symlink` set) rather than its target. @default true
   */
  followSymlink?: boolean | undefined;
}

/** What every level's info has. */
export interface InfoBase {
  /** User metadata: prefix stripped, names lower-case, values decoded as UTF-8. Temp URL keys are left out. */
  meta: Record<string, string>;
  /** Every response header, as received (lower-case names). */
  headers: ResponseHeaders;
  /** When the entity was created or last written (`X-Timestamp`), when the server says. */
  timestamp: Date | undefined;
}

/** Usage of one storage policy in an account. */
export interface PolicyUsage {
  /** Containers in the policy (undefined when the server does not report it). */
  containerCount: number | undefined;
  /** Objects stored under the policy. */
  objectCount: number;
  /** Bytes stored under the policy. */
  bytesUsed: number;
}

/** What `statAccount` resolves to. */
export interface AccountInfo extends InfoBase {
  /** Containers in the account (`X-Account-Container-Count`). */
  containerCount: number;
  /** Objects in the account (`X-Account-Object-Count`). */
  objectCount: number;
  /** Bytes stored in the account (`X-Account-Bytes-Used`). */
  bytesUsed: number;
  /** Account quota in bytes (`X-Account-Meta-Quota-Bytes`), when one is set. */
  quotaBytes: number | undefined;
  /** True when `X-Account-Meta-Temp-URL-Key` is set (only account admins see it); the key itself is not copied here. */
  tempUrlKeySet: boolean;
  /** True when the second key (`...-Temp-URL-Key-2`) is set. */
  tempUrlKey2Set: boolean;
  /** Usage per storage policy name. */
  policies: Record<string, PolicyUsage>;
}

/** What `statContainer` resolves to. */
export interface ContainerInfo extends InfoBase {
  /** Objects in the container (`X-Container-Object-Count`). */
  objectCount: number;
  /** Bytes stored in the container (`X-Container-Bytes-Used`). */
  bytesUsed: number;
  /** When the container last changed, when the server says. */
  lastModified: Date | undefined;
  /** `X-Container-Meta-Quota-Bytes`, when set. */
  quotaBytes: number | undefined;
  /** `X-Container-Meta-Quota-Count`, when set. */
  quotaCount: number | undefined;
  /** Read ACL entries (`.r:*`, `.rlistings`, `account:user`, ...); empty when none. */
  readAcl: string[];
  /** Write ACL entries; empty when none. */
  writeAcl: string[];
  /** The container's storage policy. */
  storagePolicy: string | undefined;
  /** True when object versioning (`X-Versions-Enabled`) is on. */
  versionsEnabled: boolean;
  /** Legacy versioning (`X-Versions-Location` / `X-History-Location`), when set. */
  legacyVersioning: LegacyVersioning | undefined;
  /** True when `X-Container-Meta-Temp-URL-Key` is set; the key itself is not copied here. */
  tempUrlKeySet: boolean;
  /** True when the second key is set. */
  tempUrlKey2Set: boolean;
  /** Container sync target, when set. */
  syncTo: string | undefined;
  /** True when a container sync key is set; the key itself is not copied here. */
  syncKeySet: boolean;
}

/** A large object's manifest kind: static (SLO) or dynamic (DLO, with its segments' container and prefix). */
export type ManifestInfo =
  | {
      /** A static large object: its manifest lists the segments. */
      kind: 'slo';
    }
  | {
      /** A dynamic large object: its segments are every object under a prefix. */
      kind: 'dlo';
      /** The segments' container. */
      container: string;
      /** The segments' name prefix. */
      prefix: string;
    };

/** What `statObject` (and `openObject`'s `info`) resolves to. */
export interface ObjectInfo extends InfoBase {
  /** Size in bytes (of the range, for a ranged read). */
  contentLength: number;
  /** ETag, quotes stripped: the MD5 of the bytes, or a manifest's own ETag. */
  etag: string;
  /** When the object was last written (`Last-Modified`). */
  lastModified: Date;
  /** Its `Content-Type`. */
  contentType: string;
  /** When Swift will delete the object (`X-Delete-At`), when set. */
  deleteAt: Date | undefined;
  /** Set for a large object's manifest. */
  manifest: ManifestInfo | undefined;
  /** The link itself, for a symlink stated with `followSymlink: false`. */
  symlink: SymlinkInfo | undefined;
  /** The version id, in a versioned container. */
  versionId: string | undefined;
}

function count(value: string | undefined): number {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) ? n : 0;
}

function optionalCount(value: string | undefined): number | undefined {
  return value === undefined || value === '' || !Number.isFinite(Number(value)) ? undefined : Number(value);
}

function base(headers: ResponseHeaders, level: 'account' | 'container' | 'object'): InfoBase {
  return { meta: readMeta(headers, level), headers, timestamp: unixSecondsDate(headers['x-timestamp']) };
}

/** An account's HEAD headers as an {@link AccountInfo}. */
export function accountInfo(headers: ResponseHeaders): AccountInfo {
  const prefix = 'x-account-storage-policy-';
  const policies: Record<string, PolicyUsage> = {};
  for (const name of Object.keys(headers)) {
    const match = name.startsWith(prefix) ? /^(.*)-(container-count|object-count|bytes-used)$/.exec(name.slice(prefix.length)) : null;
    if (!match) continue;
    const policy = match[1] as string;
    policies[policy] ??= {
      containerCount: optionalCount(headers[`${prefix}${policy}-container-count`]),
      objectCount: count(headers[`${prefix}${policy}-object-count`]),
      bytesUsed: count(headers[`${prefix}${policy}-bytes-used`]),
    };
  }
  return {
    ...base(headers, 'account'),
    containerCount: count(headers['x-account-container-count']),
    objectCount: count(headers['x-account-object-count']),
    bytesUsed: count(headers['x-account-bytes-used']),
    quotaBytes: optionalCount(headers['x-account-meta-quota-bytes']),
    tempUrlKeySet: headers['x-account-meta-temp-url-key'] !== undefined,
    tempUrlKey2Set: headers['x-account-meta-temp-url-key-2'] !== undefined,
    policies,
  };
}

/** A container's HEAD headers as a {@link ContainerInfo}. */
export function containerInfo(headers: ResponseHeaders): ContainerInfo {
  const lastModified = headers['last-modified'];
  return {
    ...base(headers, 'container'),
    objectCount: count(headers['x-container-object-count']),
    bytesUsed: count(headers['x-container-bytes-used']),
    lastModified: lastModified === undefined ? undefined : swiftDate(lastModified),
    quotaBytes: optionalCount(headers['x-container-meta-quota-bytes']),
    quotaCount: optionalCount(headers['x-container-meta-quota-count']),
    readAcl: parseAcl(headers['x-container-read']),
    writeAcl: parseAcl(headers['x-container-write']),
    storagePolicy: headers['x-storage-policy'],
    versionsEnabled: (headers['x-versions-enabled'] ?? '').toLowerCase() === 'true',
    legacyVersioning: legacyVersioningOf(headers),
    tempUrlKeySet: headers['x-container-meta-temp-url-key'] !== undefined,
    tempUrlKey2Set: headers['x-container-meta-temp-url-key-2'] !== undefined,
    syncTo: headers['x-container-sync-to'] || undefined,
    syncKeySet: Boolean(headers['x-container-sync-key']),
  };
}

function manifestOf(headers: ResponseHeaders): ManifestInfo | undefined {
  if ((headers['x-static-large-object'] ?? '').toLowerCase() === 'true') return { kind: 'slo' };
  const dlo = headers['x-object-manifest'];
  if (!dlo) return undefined;
  const slash = dlo.indexOf('/');
  return { kind: 'dlo', container: slash < 0 ? dlo : dlo.slice(0, slash), prefix: slash < 0 ? '' : dlo.slice(slash + 1) };
}

/** An object's HEAD (or GET) headers as an {@link ObjectInfo}. */
export function objectInfo(headers: ResponseHeaders): ObjectInfo {
  return {
    ...base(headers, 'object'),
    contentLength: count(headers['content-length']),
    etag: parseEtag(headers.etag),
    lastModified: swiftDate(headers['last-modified']),
    contentType: headers['content-type'] ?? '',
    deleteAt: unixSecondsDate(headers['x-delete-at']),
    manifest: manifestOf(headers),
    symlink: symlinkOf(headers),
    versionId: headers['x-object-version-id'],
  };
}

/** `statAccount`: the account's HEAD as an {@link AccountInfo}. */
export async function statAccount(conn: Connection, options: StatCallOptions = {}): Promise<AccountInfo> {
  return accountInfo(await conn.headAccount(options));
}

/** `statContainer`: the container's HEAD as a {@link ContainerInfo}. */
export async function statContainer(conn: Connection, container: string, options: StatCallOptions = {}): Promise<ContainerInfo> {
  return containerInfo(await conn.headContainer(container, options));
}

/** The query string of a statObject/openObject call, or undefined. */
export function objectQuery(o: { versionId?: string | undefined; followSymlink?: boolean | undefined }): string | undefined {
  const parts: string[] = [];
  if (o.versionId !== undefined) parts.push(versionQuery(o.versionId));
  if (o.followSymlink === false) parts.push('symlink=get');
  return parts.length > 0 ? parts.join('&') : undefined;
}

/** `statObject`: the object's HEAD as an {@link ObjectInfo}. */
export async function statObject(conn: Connection, container: string, obj: string, options: StatObjectOptions = {}): Promise<ObjectInfo> {
  const { versionId, followSymlink, ...rest } = options ?? {};
  return objectInfo(await conn.headObject(container, obj, { ...rest, queryString: objectQuery({ versionId, followSymlink }) }));
}
