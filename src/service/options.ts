import type { ResponseDict } from '../ops/request.js';
import { SwiftError } from './errors.js';
import type { HeaderPairs, ThreadOptions } from './types.js';

/** python-swiftclient's default pool sizes. */
export const DEFAULT_THREADS = 10;

/**
 * Merges service defaults with a call's options, as python's
 * `dict(self._options, **options)`: keys the caller set to undefined keep
 * the default.
 */
export function mergeOptions<T extends object>(defaults: object, options: T | undefined): T {
  const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(options ?? {})) {
    if (value !== undefined) merged[key] = value;
  }
  return merged as T;
}

/** A positive integer thread count, or the default. */
export function threads(value: number | undefined, name: keyof ThreadOptions): number {
  if (value === undefined) return DEFAULT_THREADS;
  if (!Number.isSafeInteger(value) || value <= 0) throw new SwiftError(`${name} must be a positive integer, not ${String(value)}`);
  return value;
}

/**
 * `'Name: value'` strings, pairs or an object into lower-case headers, with
 * an optional name prefix (python's `split_headers`). Values are trimmed.
 */
export function splitHeaders(pairs: HeaderPairs | undefined, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (!pairs) return out;
  const entries: Array<readonly [string, unknown]> = Array.isArray(pairs)
    ? (pairs as ReadonlyArray<string | readonly [string, unknown]>).map((item) => {
        if (typeof item === 'string') {
          const at = item.indexOf(':');
          if (at < 0) throw new SwiftError(`Metadata parameter ${item} must contain a ':'. Example: 'Color:Blue' or 'Size:Large'`);
          return [item.slice(0, at), item.slice(at + 1)] as const;
        }
        if (!Array.isArray(item) || item.length !== 2) {
          throw new SwiftError(`Metadata parameter ${JSON.stringify(item)} must have exactly two items. Example: ['Size', 'Large']`);
        }
        return [String(item[0]), item[1]] as const;
      })
    : Object.entries(pairs as Record<string, unknown>);
  for (const [name, value] of entries) {
    if (value === undefined || value === null) continue;
    out[(prefix + name).toLowerCase()] = String(value).trim();
  }
  return out;
}

/** Segment size in bytes from a number or `'<n>[BKMG]'` (powers of 1024), as `swift upload -S`. */
export function parseSegmentSize(value: number | string | undefined): number {
  if (value === undefined || value === '' || value === 0) return 0;
  let size: number;
  if (typeof value === 'number') {
    size = value;
  } else {
    const match = /^\s*(\d+)\s*([BKMG])?\s*$/i.exec(value);
    if (!match) throw new SwiftError(`Invalid segment size ${JSON.stringify(value)}: use bytes or a B, K, M or G suffix`);
    const unit = 'BKMG'.indexOf((match[2] ?? 'B').toUpperCase());
    size = Number(match[1]) * 1024 ** unit;
  }
  if (!Number.isSafeInteger(size) || size < 0) throw new SwiftError(`Invalid segment size ${String(value)}: must be a positive integer`);
  return size;
}

/** python's `config_true_value`. */
export function isTrue(value: unknown): boolean {
  if (value === true) return true;
  return typeof value === 'string' && ['true', '1', 'yes', 'on', 't', 'y'].includes(value.trim().toLowerCase());
}

/** Tries a request took, from the response dict the Connection filled. */
export function attemptsOf(rd: ResponseDict): number {
  return Math.max(rd.responseDicts?.length ?? 0, 1);
}

/** Seconds since the epoch, like python's `time()`. */
export function now(): number {
  return Date.now() / 1000;
}
