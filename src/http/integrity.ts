// Every ETag/MD5 rule in one place: how an ETag is read, when it is the MD5
// of the bytes that passed (and so comparable), and the mismatch error.
import { ChecksumError, urlFields, type ClientExceptionFields } from '../errors.js';
import { platform, type Md5Hasher } from '../platform/index.js';
import type { ResponseHeaders } from './headers.js';

const PLAIN_MD5 = /^[0-9a-f]{32}$/;

/** An ETag as given by a server or a caller, without its surrounding double quotes. */
export function parseEtag(value: string | undefined | null): string {
  return (value ?? '').replace(/^"+|"+$/g, '');
}

/** True when `value` has the form of an MD5 (32 lower-case hex digits). */
export function isMd5(value: string | undefined): value is string {
  return value !== undefined && PLAIN_MD5.test(value);
}

/** A fresh MD5 to feed the bytes sent or received. */
export function md5(): Md5Hasher {
  return platform().md5();
}

/** MD5 (hex) of some bytes at once: the platform's one-shot hash where it has one (no hasher object per call). */
export function md5Hex(data: Uint8Array | string): string {
  const p = platform();
  if (p.md5Hex) return p.md5Hex(data);
  const hash = p.md5();
  hash.update(data);
  return hash.digest('hex');
}

/**
 * True when an object's ETag is the MD5 of its whole content: not a DLO/SLO
 * manifest's (the ETag of a concatenation, or of the segment list) and of
 * the MD5 form. An encrypted object's ETag is the plaintext's MD5 once the
 * proxy decrypts it; one it cannot decrypt has no ETag of that form.
 */
export function etagIsContentMd5(headers: ResponseHeaders): boolean {
  return isMd5(parseEtag(headers.etag)) && !headers['x-object-manifest'] && !headers['x-static-large-object'];
}

/**
 * The digest a downloaded body must have, or undefined when nothing can be
 * compared: a partial answer (206 / Content-Range), a manifest, an ETag
 * that is no MD5.
 */
export function downloadDigest(headers: ResponseHeaders, status = 200): string | undefined {
  if (status !== 200 || headers['content-range'] !== undefined || !etagIsContentMd5(headers)) return undefined;
  return parseEtag(headers.etag);
}

/**
 * True when the ETag a PUT answered with is the MD5 of the body sent.
 * Manifests answer with their own ETag, restoring a version (an empty PUT
 * with `version-id`) with the restored version's, server-side copies
 * (`X-Copy-From`) with the source's.
 */
export function uploadEtagComparable(query: string | undefined, requestHeaders: Record<string, string>, responseEtag: string | undefined): boolean {
  if (/(^|&)(multipart-manifest=put|version-id=)/.test(query ?? '')) return false;
  if ('x-object-manifest' in requestHeaders || 'x-copy-from' in requestHeaders) return false;
  return isMd5(parseEtag(responseEtag));
}

/** Where a mismatch happened, for the error. */
export interface DigestCheck extends ClientExceptionFields {
  /** The error's message when the digests differ. */
  message: (expected: string, actual: string) => string;
  container?: string | undefined;
  object?: string | undefined;
  /** The request's URL, for the error's `http*` fields (parsed only on a mismatch). */
  url?: string | undefined;
}

/** Throws a {@link ChecksumError} when `actual` differs from `expected`. */
export function checkDigest(expected: string, actual: string, where: DigestCheck): void {
  if (expected === actual) return;
  const { message, url, ...fields } = where;
  throw new ChecksumError(message(expected, actual), { ...fields, ...(url !== undefined ? urlFields(url) : {}), expected, actual });
}
