// HMAC for temp URL and form POST signatures: node:crypto's synchronous one
// where the platform has it, Web Crypto's (async) everywhere.
import { ClientException } from '../errors.js';
import { platform, type HmacDigest } from '../platform/index.js';
import { latin1Text, webBytes } from './bytes.js';

const SUBTLE_NAMES: Record<HmacDigest, string> = { sha1: 'SHA-1', sha256: 'SHA-256', sha512: 'SHA-512' };

/** HMAC of `data` (as UTF-8) right away; where only Web Crypto exists, a BAD_INPUT naming the async function to call. */
export function hmacSync(digest: HmacDigest, key: Uint8Array, data: string, asyncName: string): Uint8Array {
  const hmac = platform().hmac;
  if (hmac === undefined) {
    throw new ClientException(`This platform signs only asynchronously (Web Crypto): use ${asyncName}, which gives the same signature`);
  }
  return hmac(digest, key, data);
}

/** HMAC of `data` (as UTF-8) through Web Crypto's `crypto.subtle` (browsers, workers, Node, Deno, Bun). */
export async function hmacAsync(digest: HmacDigest, key: Uint8Array, data: string): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    throw new ClientException('Web Crypto (crypto.subtle) is not available here: a browser offers it only on secure origins (https:// or localhost)');
  }
  const imported = await subtle.importKey('raw', webBytes(key), { name: 'HMAC', hash: SUBTLE_NAMES[digest] }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', imported, new TextEncoder().encode(data)));
}

/** Lower-case hex of the bytes. */
export function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** Base64url without padding (as node:crypto's `digest('base64url')`). */
export function base64Url(bytes: Uint8Array): string {
  return btoa(latin1Text(bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
