// Expiring objects: X-Delete-After / X-Delete-At. Swift refuses reads of an
// expired object at once; the object expirer removes it later.
import type { Connection } from './connection.js';
import { ClientException } from './errors.js';
import { headerRecord, type HeadersInput } from './http/headers.js';
import type { HeadersOptions } from './ops/account.js';
import type { WriteOptions } from './ops/container.js';
import { unixSecondsDate } from './native/dates.js';

/** When an object should expire: after a number of seconds, or at a time (Unix seconds or Date). */
export type Expiry =
  | {
      /** Seconds from now (whole, > 0): `X-Delete-After`. */
      deleteAfter: number;
    }
  | {
      /** When to delete: a Unix time in seconds, or a Date: `X-Delete-At`. */
      deleteAt: number | Date;
    };

/** The header that sets `expiry`, to merge into `putObject`'s or `postObject`'s headers. */
export function expiryHeaders(expiry: Expiry): Record<string, string> {
  if (expiry && 'deleteAfter' in expiry) {
    return { 'X-Delete-After': String(wholeSeconds('deleteAfter', expiry.deleteAfter)) };
  }
  if (expiry && 'deleteAt' in expiry) {
    const at = expiry.deleteAt instanceof Date ? Math.floor(expiry.deleteAt.getTime() / 1000) : expiry.deleteAt;
    return { 'X-Delete-At': String(wholeSeconds('deleteAt', at)) };
  }
  throw new ClientException('An expiry needs deleteAfter or deleteAt');
}

export interface SetExpiryOptions extends WriteOptions {
  /**
   * Metadata to send along. An object POST replaces all of the object's
   * user metadata (`X-Object-Meta-*`, Content-Disposition, ...), so pass
   * here whatever must survive. @default none
   */
  headers?: HeadersInput | undefined;
}

/** Makes an existing object expire (an object POST: see `headers`). */
export async function setObjectExpiry(conn: Connection, container: string, obj: string, expiry: Expiry, options: SetExpiryOptions = {}): Promise<void> {
  const { headers, ...rest } = options;
  await conn.postObject(container, obj, { ...headerRecord(headers), ...expiryHeaders(expiry) }, rest);
}

/** Cancels an object's expiry: a POST without X-Delete-At (it too replaces user metadata; see `headers`). */
export async function clearObjectExpiry(conn: Connection, container: string, obj: string, options: SetExpiryOptions = {}): Promise<void> {
  const { headers, ...rest } = options;
  await conn.postObject(container, obj, headerRecord(headers), rest);
}

/** When the object expires, or undefined when it does not. */
export async function getObjectExpiry(conn: Connection, container: string, obj: string, options: HeadersOptions = {}): Promise<Date | undefined> {
  return unixSecondsDate((await conn.headObject(container, obj, options))['x-delete-at']);
}

function wholeSeconds(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ClientException(`${name} must be a non-negative whole number of seconds, not ${String(value)}`);
  }
  return value;
}
