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
