import { ClientException } from '../errors.js';
import { utf8Bytes } from './bytes.js';

const UNRESERVED = /[A-Za-z0-9_.\-~]/;

/**
 * Percent-encodes UTF-8 like Python's `urllib.parse.quote(value, safe)`:
 * everything but ASCII letters, digits, `_.-~` and the `safe` characters.
 */
export function quote(value: string, safe = '/'): string {
  if (safe === '/' && /^[A-Za-z0-9_.\-~/]*$/.test(value)) return value;
  // UTF-8 encoding would send U+FFFD: a different name than the caller's.
  if (hasLoneSurrogate(value)) {
    throw new ClientException(`Cannot send ${JSON.stringify(value)}: it holds a lone surrogate, which has no UTF-8 form`);
  }
  let out = '';
  for (const byte of utf8Bytes(value)) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && (UNRESERVED.test(ch) || safe.includes(ch))) out += ch;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Python's `urllib.parse.unquote`: decodes %XX sequences as UTF-8. */
export function unquote(value: string): string {
  try {
    return decodeURIComponent(value.replace(/%(?![0-9A-Fa-f]{2})/g, '%25'));
  } catch {
    return value;
  }
}

// Sent as they are in a query by python's requests (urllib3's query set);
// `#` is not among them, so it goes out as %23 where requests would cut the
// query there.
const QUERY_RAW = /^[A-Za-z0-9_.\-~!$&'()*+,;=:@/?]$/;
const UNRESERVED_CHAR = /^[A-Za-z0-9_.\-~]$/;

/**
 * A caller's raw query string made sendable exactly as python-swiftclient's
 * requests sends it: escapes of unreserved characters decoded (`%41` -> `A`),
 * other `%XX` kept (upper-cased), every other character outside the query set
 * percent-encoded as UTF-8, and when any `%` does not start a valid escape,
 * every `%` sent as `%25` (requests' and urllib3's fallbacks).
 */
export function requoteQuery(query: string): string {
  // requests' unquote_unreserved; a `%` with two letters/digits that are not
  // hex makes requests quote every `%`.
  const parts = query.split('%');
  let text = parts[0] as string;
  let literalPercents = false;
  for (const part of parts.slice(1)) {
    const pair = part.slice(0, 2);
    if (/^[0-9A-Za-z]{2}$/.test(pair)) {
      if (!/^[0-9A-Fa-f]{2}$/.test(pair)) {
        literalPercents = true;
        break;
      }
      const decoded = String.fromCharCode(parseInt(pair, 16));
      text += UNRESERVED_CHAR.test(decoded) ? decoded + part.slice(2) : `%${part}`;
    } else {
      text += `%${part}`;
    }
  }
  if (literalPercents) text = query;
  // urllib3: a `%` that starts no valid escape makes every `%` literal.
  else if ((text.match(/%[0-9A-Fa-f]{2}/g) ?? []).length !== (text.match(/%/g) ?? []).length) literalPercents = true;
  let out = '';
  for (const char of text) {
    if (char === '%') out += literalPercents ? '%25' : '%';
    else if (QUERY_RAW.test(char)) out += char;
    else out += quote(char, '');
  }
  return literalPercents ? out : out.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase());
}

const LONE_SURROGATE = /\p{Surrogate}/u;

/** True when `value` holds a lone UTF-16 surrogate, which has no UTF-8 form. */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}
