import { ClientException } from '../errors.js';
import { latin1Bytes, latin1Text, utf8Bytes } from '../util/bytes.js';
import { hasLoneSurrogate } from '../util/quote.js';

/** Header values accepted on input; numbers and booleans are stringified. */
export type HeaderValue = string | number | boolean;
/** Request headers as given by callers. */
export type HeadersInput = Readonly<Record<string, HeaderValue | null | undefined>>;
/** Response headers: lower-case names, UTF-8-decoded values. */
export type ResponseHeaders = Record<string, string>;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Control characters other than horizontal tab; DEL included.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const NON_ASCII = /[^\u0000-\u007f]/;

/** Throws a ClientException when a header name or value cannot be sent safely. */
export function checkHeader(name: string, value: string): void {
  if (!TOKEN.test(name)) {
    throw new ClientException(
      `Invalid header name ${JSON.stringify(name)}: header names must be ASCII HTTP tokens (no spaces, control or non-ASCII characters)`,
    );
  }
  if (CONTROL.test(value)) {
    throw new ClientException(`Invalid value for header ${JSON.stringify(name)}: it contains CR, LF or another control character`);
  }
  if (hasLoneSurrogate(value)) {
    throw new ClientException(`Invalid value for header ${JSON.stringify(name)}: it holds a lone surrogate, which has no UTF-8 form`);
  }
}

/**
 * The name/value pairs of a caller's header set: a plain object as API.md
 * says, or a `Headers` (the global one or undici's) or `Map` (easy to pass by
 * mistake, so read, never silently ignored). Other iterables (arrays,
 * URLSearchParams) and non-objects are refused.
 */
export function headerEntries(set: unknown): Array<[string, unknown]> {
  if (set === null || set === undefined) return [];
  const kind = Object.prototype.toString.call(set);
  if (set instanceof Map || kind === '[object Headers]') {
    const entries = [...(set as Map<unknown, unknown>).entries()];
    for (const [name] of entries) {
      if (typeof name !== 'string') throw new ClientException(`Invalid header name ${String(name)}: header names must be strings`);
    }
    return entries as Array<[string, unknown]>;
  }
  if (typeof set !== 'object' || Symbol.iterator in set) {
    throw new ClientException(`Invalid headers ${typeof set === 'object' ? kind : typeof set}: expected an object of header names to values`);
  }
  return Object.entries(set);
}

/** A caller's header set as a plain object, to spread into another. */
export function headerRecord(set: unknown): Record<string, HeaderValue | null | undefined> {
  return Object.fromEntries(headerEntries(set)) as Record<string, HeaderValue | null | undefined>;
}

function stringify(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ClientException(`Invalid value for header ${JSON.stringify(name)}: expected a string, number or boolean`);
}

/**
 * Merges header sets into one object with lower-case names, stringified and
 * checked values; later sets win. Null/undefined values are dropped.
 */
export function mergeHeaders(...sets: Array<HeadersInput | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const set of sets) {
    for (const [name, raw] of headerEntries(set)) {
      if (raw === null || raw === undefined) continue;
      const value = stringify(name, raw);
      checkHeader(name, value);
      out[name.toLowerCase()] = value;
    }
  }
  return out;
}

/** True for a header name that is `User-Agent`, in any case: a caller's such header is the one sent. */
export function isUserAgentName(name: string): boolean {
  return name.length === 10 && name.toLowerCase() === 'user-agent';
}

/**
 * The User-Agent rule: the caller's `User-Agent` (any case) wins, else
 * `agent` is added as `user-agent`; with neither, `headers` as they are.
 * Returns `headers` itself when nothing is added. encodeForWire applies the
 * same rule within its one pass over the headers (a small request's hot path).
 */
export function withDefaultUserAgent(headers: Record<string, string>, agent: string | undefined): Record<string, string> {
  return agent === undefined || Object.keys(headers).some(isUserAgentName) ? headers : { ...headers, 'user-agent': agent };
}

/**
 * Turns header values into the latin1 "binary strings" undici writes byte
 * for byte, so non-ASCII values go out as UTF-8 as swiftclient sends them.
 * `userAgent`, when given, is added as withDefaultUserAgent says.
 */
export function encodeForWire(headers: Record<string, string>, userAgent?: string): Record<string, string> {
  const out: Record<string, string> = {};
  let named = false;
  for (const name of Object.keys(headers)) {
    out[name] = wireValue(headers[name] as string);
    if (!named && isUserAgentName(name)) named = true;
  }
  if (!named && userAgent !== undefined) out['user-agent'] = wireValue(userAgent);
  return out;
}

function wireValue(value: string): string {
  return NON_ASCII.test(value) ? latin1Text(utf8Bytes(value)) : value;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads a latin1-decoded header value back as UTF-8 when it is valid UTF-8. */
export function decodeHeaderValue(value: string): string {
  if (!NON_ASCII.test(value)) return value;
  try {
    return utf8Decoder.decode(latin1Bytes(value));
  } catch {
    return value;
  }
}

/** Lower-cases names and decodes values of undici's response headers. */
export function decodeResponseHeaders(raw: Record<string, string | string[] | undefined>): ResponseHeaders {
  const out: ResponseHeaders = {};
  for (const name of Object.keys(raw)) {
    const value = raw[name];
    if (value === undefined) continue;
    const joined = Array.isArray(value) ? value.join(', ') : value;
    out[decodeHeaderValue(name).toLowerCase()] = decodeHeaderValue(joined);
  }
  return out;
}

/** Case-insensitive lookup in caller-supplied headers. */
export function hasHeader(headers: HeadersInput | undefined, name: string): boolean {
  const lower = name.toLowerCase();
  return headerEntries(headers).some(([key, value]) => key.toLowerCase() === lower && value !== undefined && value !== null);
}
