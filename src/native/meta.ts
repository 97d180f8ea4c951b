// Metadata maps: `{ owner: 'ünï' }` <-> `X-Object-Meta-Owner: ünï`.
import { ClientException } from '../errors.js';
import { mergeHeaders, type HeadersInput, type ResponseHeaders } from '../http/headers.js';
import { SENSITIVE_HEADERS } from '../util/redact.js';

/** User metadata: names are HTTP tokens (ASCII letters, digits, `-` ...), case-insensitive; values any Unicode. */
export type MetaInput = Readonly<Record<string, string>>;

/** Which level metadata belongs to, naming its header prefix. */
export type MetaLevel = 'account' | 'container' | 'object';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The header prefix of a level's metadata, lower-case (`x-object-meta-`). */
export function metaPrefix(level: MetaLevel): string {
  return `x-${level}-meta-`;
}

/**
 * `meta` as the level's headers (`x-object-meta-<name>`, names lower-cased),
 * refusing before anything is sent a name that is not an HTTP token, and a
 * value that is not a string or holds CR, LF or another control character.
 */
export function metaHeaders(meta: MetaInput | null | undefined, level: MetaLevel): Record<string, string> {
  if (meta === undefined || meta === null) return {};
  if (typeof meta !== 'object' || Array.isArray(meta) || Symbol.iterator in meta) {
    throw new ClientException(`Invalid meta: expected an object of metadata names to string values`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(meta)) {
    if (!TOKEN.test(name)) {
      throw new ClientException(
        `Invalid metadata name ${JSON.stringify(name)}: names must be ASCII HTTP tokens (letters, digits and !#$%&'*+-.^_\`|~; no spaces or non-ASCII)`,
      );
    }
    if (typeof value !== 'string') throw new ClientException(`Invalid value for metadata ${JSON.stringify(name)}: expected a string`);
    headers[`${metaPrefix(level)}${name.toLowerCase()}`] = value;
  }
  // The header layer's checks (control characters, lone surrogates) apply to values too.
  return mergeHeaders(headers);
}

/**
 * A caller's headers with `meta` merged in after them (a metadata name in
 * both: `meta` wins). `meta` absent: the headers unchanged.
 */
export function withMeta(headers: HeadersInput | undefined, meta: MetaInput | null | undefined, level: MetaLevel): HeadersInput | undefined {
  if (meta === undefined || meta === null) return headers;
  return { ...mergeHeaders(headers), ...metaHeaders(meta, level) };
}

/**
 * The level's metadata in response headers: prefix stripped, names
 * lower-case, values as the header layer decoded them (UTF-8). Temp URL
 * keys are secrets, left out (see the info's `tempUrlKeySet`).
 */
export function readMeta(headers: ResponseHeaders, level: MetaLevel): Record<string, string> {
  const prefix = metaPrefix(level);
  const meta: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(prefix) && !SENSITIVE_HEADERS.has(name)) meta[name.slice(prefix.length)] = value;
  }
  return meta;
}
