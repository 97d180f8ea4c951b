// Swift symlinks: zero-byte objects whose GET/HEAD resolve to a target.
import type { Connection } from './connection.js';
import { ClientException } from './errors.js';
import { headerRecord, type HeadersInput, type ResponseHeaders } from './http/headers.js';
import { parseEtag } from './http/integrity.js';
import type { CallOptions } from './ops/account.js';
import type { ResponseDict } from './ops/request.js';
import { quote, unquote } from './util/quote.js';

/** What a symlink points at. */
export interface SymlinkTarget {
  /** The target's container. */
  container: string;
  /** The target object's name. */
  object: string;
  /** Another account (`AUTH_other`) for a cross-account link. @default the link's account */
  account?: string | undefined;
  /**
   * Makes a static link: the target must exist with this ETag when the link
   * is created, and reads fail with 409 once the target's ETag changes.
   */
  etag?: string | undefined;
}

export interface CreateSymlinkOptions extends CallOptions {
  /** More headers for the link object (its own metadata). */
  headers?: HeadersInput | undefined;
  /** The link's own Content-Type. @default 'application/symlink', or the target's for a static link */
  contentType?: string | undefined;
  /** Filled with the status, reason and headers of the PUT. */
  responseDict?: ResponseDict | undefined;
}

/** Creates (or replaces) a symlink `container/name` pointing at `target`; resolves to the link's ETag. */
export async function createSymlink(conn: Connection, container: string, name: string, target: SymlinkTarget, options: CreateSymlinkOptions = {}): Promise<string> {
  const { headers, ...rest } = options;
  return conn.putObject(container, name, null, { ...rest, headers: { ...headerRecord(headers), ...symlinkHeaders(target) } });
}

/** The headers that make a zero-byte PUT a symlink to `target`. */
export function symlinkHeaders(target: SymlinkTarget): Record<string, string> {
  if (!target || typeof target.container !== 'string' || !target.container || target.container.includes('/')) {
    throw new ClientException('A symlink target needs a container name (non-empty, without "/")');
  }
  if (typeof target.object !== 'string' || !target.object) throw new ClientException('A symlink target needs an object name');
  // Swift unquotes these headers, so names with '%' or non-ASCII survive quoted.
  const headers: Record<string, string> = { 'X-Symlink-Target': `${quote(target.container, '')}/${quote(target.object)}` };
  if (target.account !== undefined) headers['X-Symlink-Target-Account'] = quote(target.account, '');
  if (target.etag !== undefined) headers['X-Symlink-Target-Etag'] = parseEtag(target.etag);
  return headers;
}

/** What a symlink points at, as read with `?symlink=get`. */
export interface SymlinkInfo {
  /** The target's container. */
  container: string;
  /** The target object's name. */
  object: string;
  /** Present for links created with an explicit account (Swift also reports it for same-account links it filled in). */
  account: string | undefined;
  /** The ETag a static link is pinned to. */
  etag: string | undefined;
  /** Size of a static link's target. */
  bytes: number | undefined;
  /** The link object's own headers. */
  headers: ResponseHeaders;
}

/**
 * Reads a symlink itself (`HEAD ?symlink=get`) rather than its target.
 * Rejects with a ClientException when the object is not a symlink.
 */
export async function readSymlink(conn: Connection, container: string, name: string, options: CallOptions = {}): Promise<SymlinkInfo> {
  const headers = await conn.headObject(container, name, { ...options, queryString: 'symlink=get' });
  const info = symlinkOf(headers);
  if (!info) throw new ClientException(`Object ${container}/${name} is not a symlink`);
  return info;
}

/** The symlink described by an object's own headers (read with `?symlink=get`), or undefined when it is none. */
export function symlinkOf(headers: ResponseHeaders): SymlinkInfo | undefined {
  const raw = headers['x-symlink-target'];
  if (!raw) return undefined;
  const decoded = unquote(raw);
  const slash = decoded.indexOf('/');
  const bytes = headers['x-symlink-target-bytes'];
  return {
    container: slash < 0 ? decoded : decoded.slice(0, slash),
    object: slash < 0 ? '' : decoded.slice(slash + 1),
    account: headers['x-symlink-target-account'] !== undefined ? unquote(headers['x-symlink-target-account']) : undefined,
    etag: headers['x-symlink-target-etag'],
    bytes: bytes !== undefined && /^\d+$/.test(bytes) ? Number(bytes) : undefined,
    headers,
  };
}
