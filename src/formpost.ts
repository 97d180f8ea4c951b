import { ClientException } from './errors.js';
import { keyBytes, splitPath, type TempUrlDigest } from './tempurl.js';
import { base64Url, hex, hmacAsync, hmacSync } from './util/hmac.js';
import { quote } from './util/quote.js';
import { parseTimestamp } from './util/py-time.js';

/**
 * Options of {@link generateFormPost}: where the files go, the key, the limits.
 *
 * @example
 * generateFormPost({ path: '/v1/AUTH_test/uploads/user1-', key, seconds: '1h', maxFileSize: 10 << 20, maxFileCount: 5 });
 */
export interface FormPostOptions {
  /**
   * Where the files go: `/v1/AUTH_account/container` or
   * `/v1/AUTH_account/container/object_prefix`, as Swift sees it (not
   * percent-encoded). Each file is stored as this path plus its file name.
   */
  path: string;
  /** The account's or container's Temp-URL-Key. */
  key: string | Uint8Array;
  /**
   * How long the form may be used, in the forms {@link generateTempUrl}
   * accepts: seconds (number or string), `10m`/`2h`/`1d`, or an ISO 8601 time.
   */
  seconds: number | string;
  /** `seconds` is a Unix time rather than a duration. @default false */
  absolute?: boolean | undefined;
  /** Largest single file, in bytes. */
  maxFileSize: number;
  /** Most files one submission may carry. */
  maxFileCount: number;
  /** Where the browser is sent after the upload (`status` and `message` are appended). @default none */
  redirect?: string | undefined;
  /** @default 'sha256' */
  digest?: TempUrlDigest | undefined;
  /**
   * `hex` (what every Swift accepts) or `base64`, written
   * `<digest>:<base64url, unpadded>` as Swift's formpost also accepts
   * (the form tempurl uses for sha512). @default 'hex'
   */
  signatureEncoding?: 'hex' | 'base64' | undefined;
  /** Unsigned extra field: uploaded objects expire this many seconds later. */
  deleteAfter?: number | undefined;
  /** Unsigned extra field: uploaded objects expire at this Unix time. */
  deleteAt?: number | Date | undefined;
  /** The current time (seconds since the epoch or a Date). @default the clock */
  now?: number | Date | undefined;
}

/** A signed form, ready to be rendered or posted. */
export interface FormPost {
  /** The path as given (and signed). */
  path: string;
  /** The path percent-encoded, for the form's `action` (prefix it with the cluster's origin). */
  action: string;
  /** Unix time after which the form is refused. */
  expires: string;
  /** The HMAC-SHA1 (hex) of path, redirect, limits and expiry, as the formpost middleware checks it. */
  signature: string;
  /**
   * The hidden fields, in the order they must precede the file fields:
   * `redirect` (when set), `max_file_size`, `max_file_count`, `expires`,
   * `signature`, then `x_delete_at` / `x_delete_after` when set.
   */
  fields: Array<[name: string, value: string]>;
}

/**
 * Signs an HTML upload form for Swift's formpost middleware: the HMAC of
 * `path\nredirect\nmax_file_size\nmax_file_count\nexpires` with the
 * Temp-URL-Key. Post the fields, then the files, as multipart/form-data to
 * the storage host + `action`. Needs node:crypto (Node, Deno, Bun);
 * elsewhere use {@link generateFormPostAsync}.
 */
export function generateFormPost(options: FormPostOptions): FormPost {
  const unsigned = prepareFormPost(options);
  return unsigned.finish(hmacSync(unsigned.digest, unsigned.key, unsigned.body, 'generateFormPostAsync'));
}

/**
 * {@link generateFormPost} through Web Crypto, which signs asynchronously:
 * works in browsers and workers as well as on Node, Deno and Bun, with the
 * same result.
 *
 * @example
 * const form = await generateFormPostAsync({ path: '/v1/AUTH_test/uploads/', key, seconds: '1h', maxFileSize: 10 << 20, maxFileCount: 5 });
 */
export async function generateFormPostAsync(options: FormPostOptions): Promise<FormPost> {
  const unsigned = prepareFormPost(options);
  return unsigned.finish(await hmacAsync(unsigned.digest, unsigned.key, unsigned.body));
}

/** A form checked and ready to sign: what to sign, and how the MAC becomes the form. */
interface UnsignedFormPost {
  digest: TempUrlDigest;
  key: Uint8Array;
  body: string;
  finish(mac: Uint8Array): FormPost;
}

function prepareFormPost(options: FormPostOptions): UnsignedFormPost {
  const { path } = options;
  if (typeof path !== 'string') throw new ClientException('path must be a string');
  const parts = splitPath(path);
  if (parts.length < 4 || parts[0] || !parts[1] || !parts[2] || !parts[3]) {
    throw new ClientException('path must at least contain /v1/a/c');
  }
  const maxFileSize = wholeNumber('maxFileSize', options.maxFileSize);
  const maxFileCount = wholeNumber('maxFileCount', options.maxFileCount);
  const digest = options.digest ?? 'sha256';
  if (!['sha1', 'sha256', 'sha512'].includes(digest)) throw new ClientException('digest must be one of sha1, sha256, or sha512');
  const encoding = options.signatureEncoding ?? 'hex';
  if (encoding !== 'hex' && encoding !== 'base64') throw new ClientException("signatureEncoding must be 'hex' or 'base64'");
  const redirect = options.redirect ?? '';

  const [timestamp, absolute] = parseTimestamp(options.seconds, options.absolute ?? false);
  let expires = timestamp;
  if (!absolute) {
    const now = options.now instanceof Date ? options.now.getTime() / 1000 : (options.now ?? Date.now() / 1000);
    if (typeof now !== 'number' || !Number.isFinite(now)) throw new ClientException('now must be a finite number of seconds or a Date');
    expires = Math.trunc(now + timestamp);
  }
  const expiresText = BigInt(expires).toString();

  const hmacBody = [path, redirect, maxFileSize, maxFileCount, expiresText].join('\n');
  const key = keyBytes(options.key);
  // the unsigned extra fields are checked before signing, as before
  const extra: Array<[string, string]> = [];
  if (options.deleteAt !== undefined) {
    const at = options.deleteAt instanceof Date ? Math.floor(options.deleteAt.getTime() / 1000) : options.deleteAt;
    extra.push(['x_delete_at', String(wholeNumber('deleteAt', at))]);
  }
  if (options.deleteAfter !== undefined) extra.push(['x_delete_after', String(wholeNumber('deleteAfter', options.deleteAfter))]);
  const finish = (mac: Uint8Array): FormPost => {
    const signature = encoding === 'hex' ? hex(mac) : `${digest}:${base64Url(mac)}`;
    const fields: Array<[string, string]> = [];
    if (redirect) fields.push(['redirect', redirect]);
    fields.push(['max_file_size', String(maxFileSize)], ['max_file_count', String(maxFileCount)], ['expires', expiresText], ['signature', signature]);
    fields.push(...extra);
    return { path, action: quote(path), expires: expiresText, signature, fields };
  };
  return { digest, key, body: hmacBody, finish };
}

/**
 * The hidden `<input>` elements of a signed form, HTML-escaped, one per
 * line; the page adds `<input type="file" ...>` elements after them.
 */
export function formPostHiddenInputs(form: FormPost): string {
  return form.fields.map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}" />`).join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#39;');
}

function wholeNumber(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ClientException(`${name} must be a non-negative whole number, not ${String(value)}`);
  }
  return value;
}
