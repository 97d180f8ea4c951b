import { ClientException } from './errors.js';
import { utf8Bytes } from './util/bytes.js';
import { base64Url, hex, hmacAsync, hmacSync } from './util/hmac.js';
import { describe, formatIso8601, parseTimestamp } from './util/py-time.js';

/** HMAC digests Swift's tempurl and formpost middlewares accept. */
export type TempUrlDigest = 'sha1' | 'sha256' | 'sha512';

const DIGESTS: readonly string[] = ['sha1', 'sha256', 'sha512'];
const STANDARD_METHODS: readonly string[] = ['GET', 'PUT', 'HEAD', 'POST', 'DELETE'];
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Options of {@link generateTempUrl} (python's `generate_temp_url` keyword arguments).
 *
 * @example
 * generateTempUrl('/v1/AUTH_test/photos/', '1d', key, 'GET', { prefix: true, ipRange: '10.0.0.0/8' });
 */
export interface TempUrlOptions {
  /**
   * `seconds` is a Unix time at which the URL expires, not a duration.
   * (An ISO 8601 `seconds` is always absolute.) @default false
   */
  absolute?: boolean | undefined;
  /**
   * Sign a prefix-based URL: `path` is `/v1/AUTH_account/container/prefix`
   * (the prefix may be empty) and the URL is valid for every object whose
   * name starts with the prefix. @default false
   */
  prefix?: boolean | undefined;
  /** Put the expiry in the URL as `YYYY-MM-DDTHH:MM:SSZ` instead of a Unix time. @default false */
  iso8601?: boolean | undefined;
  /** Only clients in this address or CIDR range may use the URL (`temp_url_ip_range`). */
  ipRange?: string | Uint8Array | undefined;
  /** HMAC digest; `sha512` signatures are written `sha512:<base64url>`. @default 'sha256' */
  digest?: TempUrlDigest | undefined;
  /**
   * The current time for a relative expiry: seconds since the epoch (as
   * Python's `time.time()`) or a Date. @default the clock
   */
  now?: number | Date | undefined;
}

/** The pieces of a signed temp URL, before they are put into a string. */
export interface TempUrlParts {
  /** The path as given (and signed). */
  path: string;
  /** `temp_url_sig`: the HMAC, hex, or `<digest>:<base64>` for sha512. */
  signature: string;
  /** `temp_url_expires` as it appears in the URL. */
  expires: string;
  /** `temp_url_ip_range` when restricted to an address range. */
  ipRange: string | undefined;
  /** `temp_url_prefix` (the last path segment) when prefix-based. */
  prefix: string | undefined;
}

/**
 * python-swiftclient's `generate_temp_url`: the path of a temporary URL
 * that gives anonymous access to an object (or, with `prefix`, to every
 * object under a prefix) for one HTTP method until it expires. The output
 * is byte-identical to swiftclient 4.1's for the same inputs.
 *
 * `path` is the full path (`/v1/AUTH_account/container/object`) exactly as
 * Swift sees it, i.e. not percent-encoded; the path is returned as given, so
 * a name needing quoting yields a path to quote before use ({@link tempUrlFor}
 * does this). `seconds` is a whole number of seconds (number or string), a
 * string with an `s`, `m`/`min`, `h`/`hr` or `d` suffix (relative only), or
 * an ISO 8601 time `YYYY-MM-DDTHH:MM:SSZ` (UTC), `YYYY-MM-DDTHH:MM:SS` or
 * `YYYY-MM-DD` (local time), which is always absolute. `key` is the
 * account's or container's Temp-URL-Key. A bytes `path` gives bytes back.
 *
 * Rejects bad input with a ClientException carrying Python's ValueError
 * message (e.g. `path must be full path to an object e.g. /v1/a/c/o`).
 */
export function generateTempUrl(path: string, seconds: number | string, key: string | Uint8Array, method: string, options?: TempUrlOptions): string;
export function generateTempUrl(path: Uint8Array, seconds: number | string, key: string | Uint8Array, method: string, options?: TempUrlOptions): Buffer;
export function generateTempUrl(
  path: string | Uint8Array,
  seconds: number | string,
  key: string | Uint8Array,
  method: string,
  options: TempUrlOptions = {},
): string | Buffer {
  return tempUrlString(path, signTempUrl(path, seconds, key, method, options));
}

/**
 * {@link generateTempUrl} where only Web Crypto signs (browsers, workers:
 * its HMAC is asynchronous), and everywhere else: the same URL, awaited.
 *
 * @example
 * const url = await generateTempUrlAsync('/v1/AUTH_test/photos/cat.jpg', 3600, key, 'GET');
 */
export async function generateTempUrlAsync(path: string, seconds: number | string, key: string | Uint8Array, method: string, options?: TempUrlOptions): Promise<string>;
export async function generateTempUrlAsync(path: Uint8Array, seconds: number | string, key: string | Uint8Array, method: string, options?: TempUrlOptions): Promise<Buffer>;
export async function generateTempUrlAsync(
  path: string | Uint8Array,
  seconds: number | string,
  key: string | Uint8Array,
  method: string,
  options: TempUrlOptions = {},
): Promise<string | Buffer> {
  return tempUrlString(path, await signTempUrlAsync(path, seconds, key, method, options));
}

function tempUrlString(path: string | Uint8Array, parts: TempUrlParts): string | Buffer {
  let url = `${parts.path}?temp_url_sig=${parts.signature}&temp_url_expires=${parts.expires}`;
  if (parts.ipRange) url += `&temp_url_ip_range=${parts.ipRange}`;
  if (parts.prefix !== undefined) url += `&temp_url_prefix=${parts.prefix}`;
  return typeof path === 'string' ? url : utf8Bytes(url);
}

/**
 * Computes a temp URL's signature and query values (the checks and
 * semantics of {@link generateTempUrl}) without assembling the string.
 * Needs node:crypto (Node, Deno, Bun); elsewhere use {@link signTempUrlAsync}.
 */
export function signTempUrl(
  path: string | Uint8Array,
  seconds: number | string,
  key: string | Uint8Array,
  method: string,
  options: TempUrlOptions = {},
): TempUrlParts {
  const unsigned = prepareTempUrl(path, seconds, key, method, options);
  return unsigned.finish(hmacSync(unsigned.digest, unsigned.key, unsigned.body, 'signTempUrlAsync / generateTempUrlAsync'));
}

/**
 * {@link signTempUrl} through Web Crypto, which signs asynchronously: works
 * in browsers and workers as well as on Node, Deno and Bun, with the same result.
 *
 * @example
 * const { signature, expires } = await signTempUrlAsync('/v1/AUTH_test/c/o', '1h', key, 'GET');
 */
export async function signTempUrlAsync(
  path: string | Uint8Array,
  seconds: number | string,
  key: string | Uint8Array,
  method: string,
  options: TempUrlOptions = {},
): Promise<TempUrlParts> {
  const unsigned = prepareTempUrl(path, seconds, key, method, options);
  return unsigned.finish(await hmacAsync(unsigned.digest, unsigned.key, unsigned.body));
}

/** A temp URL checked and ready to sign: what to sign, and how the MAC becomes the parts. */
interface UnsignedTempUrl {
  digest: TempUrlDigest;
  key: Uint8Array;
  body: string;
  finish(mac: Uint8Array): TempUrlParts;
}

function prepareTempUrl(path: string | Uint8Array, seconds: number | string, key: string | Uint8Array, method: string, options: TempUrlOptions): UnsignedTempUrl {
  const prefix = options.prefix ?? false;
  // Checked in swiftclient's order, so that the same bad input gives the same error.
  const [timestamp, absolute] = parseTimestamp(seconds, options.absolute ?? false);
  const pathText = utf8Text(path, 'path');
  const digest = options.digest ?? 'sha256';
  if (typeof digest !== 'string' || !DIGESTS.includes(digest)) {
    throw new ClientException('digest must be one of sha1, sha256, or sha512');
  }
  const segments = splitPath(pathText);
  if (segments.length !== 5 || segments[0] || !segments.slice(1, prefix ? 4 : 5).every(Boolean)) {
    throw new ClientException(prefix ? 'path must at least contain /v1/a/c/' : 'path must be full path to an object e.g. /v1/a/c/o');
  }
  if (typeof method !== 'string') throw new ClientException(`method must be a string, not ${describe(method)}`);
  const upperMethod = method.toUpperCase();
  if (!STANDARD_METHODS.includes(upperMethod)) {
    globalThis.process?.emitWarning?.(`Non default HTTP method ${upperMethod} for tempurl specified, possibly an error`, { code: 'SWIFTCLIENT_TEMPURL_METHOD' });
  }

  let expiration: bigint;
  if (absolute) {
    expiration = BigInt(timestamp);
  } else {
    const now = options.now instanceof Date ? options.now.getTime() / 1000 : (options.now ?? Date.now() / 1000);
    if (typeof now !== 'number' || !Number.isFinite(now)) throw new ClientException('now must be a finite number of seconds or a Date');
    expiration = BigInt(Math.trunc(now + timestamp));
  }

  const ipRange = options.ipRange === undefined || options.ipRange === null ? '' : utf8Text(options.ipRange, 'ip_range');
  const hmacParts = [upperMethod, expiration.toString(), (prefix ? 'prefix:' : '') + pathText];
  if (ipRange) hmacParts.unshift(`ip=${ipRange}`);
  const hmacBody = hmacParts.join('\n');
  if (LONE_SURROGATE.test(hmacBody)) throw new ClientException('path, method and ip_range must be representable as UTF-8');
  return {
    digest,
    key: keyBytes(key),
    body: hmacBody,
    finish: (mac) => ({
      path: pathText,
      signature: digest === 'sha512' ? `sha512:${base64Url(mac)}` : hex(mac),
      expires: options.iso8601 ? formatIso8601(expiration) : expiration.toString(),
      ipRange: ipRange || undefined,
      prefix: prefix ? (segments[4] as string) : undefined,
    }),
  };
}

/** Python's `text.split('/', 4)`: at most 5 parts, the last holding the rest. */
export function splitPath(text: string): string[] {
  const parts: string[] = [];
  let rest = text;
  while (parts.length < 4) {
    const slash = rest.indexOf('/');
    if (slash < 0) break;
    parts.push(rest.slice(0, slash));
    rest = rest.slice(slash + 1);
  }
  parts.push(rest);
  return parts;
}

/** HMAC key bytes: a string is encoded as UTF-8. */
export function keyBytes(key: string | Uint8Array): Uint8Array {
  if (key instanceof Uint8Array) return key;
  if (typeof key !== 'string') throw new ClientException(`key must be a string or bytes, not ${describe(key)}`);
  if (LONE_SURROGATE.test(key)) throw new ClientException('key must be representable as UTF-8');
  return utf8Bytes(key);
}

function utf8Text(value: string | Uint8Array, name: string): string {
  if (typeof value === 'string') return value;
  if (!(value instanceof Uint8Array)) throw new ClientException(`${name} must be a string or bytes, not ${describe(value)}`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(value);
  } catch {
    throw new ClientException(`${name} must be representable as UTF-8`);
  }
}
