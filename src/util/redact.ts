/**
 * Keys and passwords: never shown even in part, since (unlike tokens) they
 * stay valid and are guessable from a prefix.
 */
const WHOLLY_SECRET_HEADERS: ReadonlySet<string> = new Set([
  'x-auth-key',
  'x-storage-pass',
  'x-account-meta-temp-url-key',
  'x-account-meta-temp-url-key-2',
  'x-container-meta-temp-url-key',
  'x-container-meta-temp-url-key-2',
  'x-container-sync-key',
  'set-cookie',
  'authorization',
]);

/** Header names whose values are secrets (lower case): tokens (shown as a short prefix) and the above. */
export const SENSITIVE_HEADERS: ReadonlySet<string> = new Set([
  'x-auth-token',
  'x-service-token',
  'x-storage-token',
  'x-subject-token',
  ...WHOLLY_SECRET_HEADERS,
]);

const SENSITIVE_QUERY_KEYS = ['temp_url_sig', 'signature'];

/**
 * Shows at most a short prefix of a secret, as python-swiftclient's
 * `safe_value` does: never more than half of it, and less for short values.
 */
export function redactValue(value: string, revealPrefix = 16): string {
  const length = Math.floor(Math.min(revealPrefix, value.length ** 2 / 32, value.length / 2));
  return `${value.slice(0, Math.max(0, length))}...`;
}

/** A copy of the headers with secret values redacted, names lower-cased. */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    out[lower] = WHOLLY_SECRET_HEADERS.has(lower) ? '...' : SENSITIVE_HEADERS.has(lower) ? redactValue(value) : value;
  }
  return out;
}

/** Redacts signature values in a query string (with or without a leading `?`). */
export function redactUrlQuery(query: string): string {
  if (!query) return query;
  let out = query;
  for (const key of SENSITIVE_QUERY_KEYS) {
    out = out.replace(new RegExp(`((?:^|[?&])${key}=)([^&]*)`, 'g'), (_m, lead: string, value: string) => lead + redactValue(value));
  }
  return out;
}

/** Redacts secrets in a whole URL's query string. */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at + 1) + redactUrlQuery(url.slice(at + 1));
}
