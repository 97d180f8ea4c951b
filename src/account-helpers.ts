// Thin helpers over a Connection for temp URL keys, container ACLs and
// complete temp URLs. Each is one or two Connection calls.
import type { Connection } from './connection.js';
import { ClientException } from './errors.js';
import type { CallOptions } from './ops/account.js';
import type { WriteOptions } from './ops/container.js';
import { signTempUrlAsync, type TempUrlOptions } from './tempurl.js';
import { quote, unquote } from './util/quote.js';

export interface TempUrlKeyOptions extends WriteOptions {
  /** Use the second key (`Temp-URL-Key-2`), for rotating keys. @default false */
  secondary?: boolean | undefined;
}

/** Both temp URL keys of an account or container; undefined when not set. */
export interface TempUrlKeys {
  /** `Temp-URL-Key`. */
  key: string | undefined;
  /** `Temp-URL-Key-2` (the second key, for rotation). */
  key2: string | undefined;
}

function keyHeader(scope: 'Account' | 'Container', secondary: boolean | undefined, remove = false): string {
  return `X-${remove ? 'Remove-' : ''}${scope}-Meta-Temp-URL-Key${secondary ? '-2' : ''}`;
}

function nonEmptyKey(key: string): string {
  if (typeof key !== 'string' || key === '') throw new ClientException('A temp URL key must be a non-empty string');
  return key;
}

/** Sets `X-Account-Meta-Temp-URL-Key` (or `-2`); needs an account admin. */
export async function setAccountTempUrlKey(conn: Connection, key: string, options: TempUrlKeyOptions = {}): Promise<void> {
  const { secondary, ...rest } = options;
  await conn.postAccount({ [keyHeader('Account', secondary)]: nonEmptyKey(key) }, rest);
}

/** Removes the account's temp URL key (or the second one). */
export async function removeAccountTempUrlKey(conn: Connection, options: TempUrlKeyOptions = {}): Promise<void> {
  const { secondary, ...rest } = options;
  await conn.postAccount({ [keyHeader('Account', secondary, true)]: 'x' }, rest);
}

/** The account's temp URL keys (only an account admin sees them). */
export async function getAccountTempUrlKeys(conn: Connection, options: CallOptions = {}): Promise<TempUrlKeys> {
  const headers = await conn.headAccount(options);
  return { key: headers['x-account-meta-temp-url-key'], key2: headers['x-account-meta-temp-url-key-2'] };
}

/** Sets `X-Container-Meta-Temp-URL-Key` (or `-2`): temp URLs and forms signed with it work for this container only. */
export async function setContainerTempUrlKey(conn: Connection, container: string, key: string, options: TempUrlKeyOptions = {}): Promise<void> {
  const { secondary, ...rest } = options;
  await conn.postContainer(container, { [keyHeader('Container', secondary)]: nonEmptyKey(key) }, rest);
}

/** Removes the container's temp URL key (or the second one). */
export async function removeContainerTempUrlKey(conn: Connection, container: string, options: TempUrlKeyOptions = {}): Promise<void> {
  const { secondary, ...rest } = options;
  await conn.postContainer(container, { [keyHeader('Container', secondary, true)]: 'x' }, rest);
}

/** The container's temp URL keys (readable by those who may write the container). */
export async function getContainerTempUrlKeys(conn: Connection, container: string, options: CallOptions = {}): Promise<TempUrlKeys> {
  const headers = await conn.headContainer(container, options);
  return { key: headers['x-container-meta-temp-url-key'], key2: headers['x-container-meta-temp-url-key-2'] };
}

// ---------------------------------------------------------------------------
// Container ACLs

/** ACL entries (`'.r:*'`, `'.rlistings'`, `'account:user'`, ...), one string comma-separated or a list; null removes the ACL. */
export type AclInput = string | readonly string[] | null;

/** ACLs to set with {@link setContainerAcl}; `null` removes one, undefined leaves it. */
export interface ContainerAclInput {
  /** `X-Container-Read`; e.g. `['.r:*', '.rlistings']` for public read with listings. */
  read?: AclInput | undefined;
  /** `X-Container-Write`; e.g. `['test:tester3']`. */
  write?: AclInput | undefined;
}

/** A container's ACLs as lists of entries (empty when not set). */
export interface ContainerAcl {
  /** `X-Container-Read` entries, e.g. `['.r:*', '.rlistings']`. */
  read: string[];
  /** `X-Container-Write` entries, e.g. `['test:tester3']`. */
  write: string[];
}

/** Sets (or, with null, removes) a container's read and/or write ACL; leaves out what is undefined. */
export async function setContainerAcl(conn: Connection, container: string, acl: ContainerAclInput, options: WriteOptions = {}): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [which, value] of [
    ['Read', acl.read],
    ['Write', acl.write],
  ] as const) {
    if (value === undefined) continue;
    if (value === null) headers[`X-Remove-Container-${which}`] = 'x';
    else headers[`X-Container-${which}`] = typeof value === 'string' ? value : value.join(',');
  }
  if (Object.keys(headers).length === 0) throw new ClientException('setContainerAcl needs a read or write ACL (or null to remove one)');
  await conn.postContainer(container, headers, options);
}

/** A container's read and write ACLs. */
export async function getContainerAcl(conn: Connection, container: string, options: CallOptions = {}): Promise<ContainerAcl> {
  const headers = await conn.headContainer(container, options);
  return { read: parseAcl(headers['x-container-read']), write: parseAcl(headers['x-container-write']) };
}

/** Splits a comma-separated ACL header into its entries. */
export function parseAcl(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

// ---------------------------------------------------------------------------
// Complete temp URLs

export interface TempUrlForOptions extends TempUrlOptions, CallOptions {}

/**
 * A complete, percent-encoded temp URL for an object of the connection's
 * account (authenticating first if the storage URL is not known yet). With
 * `prefix: true`, `object` is the name prefix (may be empty). The signature
 * is computed over the unencoded path, as Swift's tempurl middleware does.
 */
export async function tempUrlFor(
  conn: Connection,
  container: string,
  object: string,
  seconds: number | string,
  key: string | Uint8Array,
  method: string,
  options: TempUrlForOptions = {},
): Promise<string> {
  const { signal, ...tempUrlOptions } = options;
  if (typeof container !== 'string' || !container || container.includes('/')) {
    throw new ClientException('Container name must be a non-empty string without "/"');
  }
  if (typeof object !== 'string') throw new ClientException('Object name must be a string');
  if (!conn.url) await conn.getAuth(signal === undefined ? {} : { signal });
  const storage = new URL(conn.url as string);
  const path = `${unquote(storage.pathname).replace(/\/+$/, '')}/${container}/${object}`;
  const parts = await signTempUrlAsync(path, seconds, key, method, tempUrlOptions);
  let url = `${storage.origin}${quote(path)}?temp_url_sig=${quote(parts.signature, ':')}&temp_url_expires=${quote(parts.expires, ':')}`;
  if (parts.ipRange) url += `&temp_url_ip_range=${quote(parts.ipRange, ':/')}`;
  if (parts.prefix !== undefined) url += `&temp_url_prefix=${quote(parts.prefix, '/')}`;
  return url;
}
