// Input checks for Connection and Session: options, storage URL, Content-Length.
import { ClientException } from '../errors.js';
import { headerEntries, type HeadersInput } from '../http/headers.js';

let lastCheckedUrl = '';

/** The storage URL without trailing slashes, refused unless it is an http(s) URL with a host. */
export function storageUrl(url: string): string {
  if (url === lastCheckedUrl) return url.replace(/\/+$/, '');
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || !parsed.hostname || !/^https?:\/\/[^/]/.test(url)) {
    throw new ClientException(`Invalid URL ${JSON.stringify(url)} for the storage URL: expected http(s)://host[:port]/path`);
  }
  lastCheckedUrl = url;
  return url.replace(/\/+$/, '');
}

export function nonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ClientException(`Invalid ${name} ${String(value)}: must be a non-negative number`);
  }
  return value;
}

/** Longest duration accepted, in seconds: a larger value is almost surely milliseconds. */
export const MAX_SECONDS = 3600;

/** A duration option in seconds: non-negative and at most {@link MAX_SECONDS}. */
export function seconds(name: string, value: number): number {
  nonNegative(name, value);
  if (value > MAX_SECONDS) {
    throw new ClientException(`Invalid ${name} ${String(value)}: durations are in seconds, at most ${MAX_SECONDS} (was it given in milliseconds?)`);
  }
  return value;
}

/**
 * The timing and pool options of a transport (Connection or Session):
 * `timeout` and `keepAlive` are seconds (at most {@link MAX_SECONDS}),
 * `maxConnections` a positive integer; anything else is refused (BAD_INPUT).
 */
export function checkTransportOptions(options: { timeout?: number | undefined; keepAlive?: number | undefined; maxConnections?: number | undefined }): void {
  const { timeout, keepAlive, maxConnections } = options;
  if (timeout !== undefined) seconds('timeout', timeout);
  if (keepAlive !== undefined) seconds('keepAlive', keepAlive);
  if (maxConnections !== undefined && !(Number.isSafeInteger(maxConnections) && maxConnections > 0)) {
    throw new ClientException(`Invalid maxConnections ${String(maxConnections)}: must be a positive integer`);
  }
}

export function headerLength(headers: HeadersInput | undefined): number | undefined {
  for (const [name, value] of headerEntries(headers)) {
    if (name.toLowerCase() === 'content-length' && value !== undefined && value !== null) {
      const text = String(value).trim();
      const n = Number(text);
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new ClientException(`Invalid Content-Length header ${JSON.stringify(String(value))}`);
      return n;
    }
  }
  return undefined;
}
