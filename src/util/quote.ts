const UNRESERVED = /[A-Za-z0-9_.\-~]/;

/**
 * Percent-encodes UTF-8 like Python's `urllib.parse.quote(value, safe)`:
 * everything but ASCII letters, digits, `_.-~` and the `safe` characters.
 */
export function quote(value: string, safe = '/'): string {
  if (safe === '/' && /^[A-Za-z0-9_.\-~/]*$/.test(value)) return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
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

// What requests (python-swiftclient's transport) leaves alone in a URL, less
// `#`, which would end the query and so is sent as %23.
const QUERY_SAFE = /[A-Za-z0-9_.\-~!$&'()*+,/:;=?@[\]]/;

/**
 * A caller's raw query string made sendable the way requests' `requote_uri`
 * does: `%XX` escapes stay, anything else outside the safe set (non-ASCII,
 * spaces, controls) is percent-encoded as UTF-8.
 */
export function requoteQuery(query: string): string {
  if (/^[A-Za-z0-9_.\-~!$&'()*+,/:;=?@[\]]*$/.test(query)) return query;
  let out = '';
  for (let i = 0; i < query.length; i++) {
    const ch = query[i] as string;
    if (ch === '%' && /^[0-9A-Fa-f]{2}$/.test(query.slice(i + 1, i + 3))) out += ch;
    else if (QUERY_SAFE.test(ch)) out += ch;
    else {
      const cp = query.codePointAt(i) as number;
      const char = String.fromCodePoint(cp);
      i += char.length - 1;
      out += quote(char, '');
    }
  }
  return out;
}

/** True when `value` holds a lone UTF-16 surrogate, which has no UTF-8 form. */
export function hasLoneSurrogate(value: string): boolean {
  return /\p{Surrogate}/u.test(value);
}
