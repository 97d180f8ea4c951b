import { ClientException } from '../errors.js';
import { quote } from '../util/quote.js';

// Lengths are checked by NameLimitGuard (name-limits.ts), against /info.
export function containerPath(container: string): string {
  if (typeof container !== 'string' || container.length === 0) {
    throw new ClientException('Container name must be a non-empty string');
  }
  if (container.includes('/')) throw new ClientException(`Container name ${JSON.stringify(container)} must not contain "/"`);
  return `/${quote(container)}`;
}

export function objectPath(container: string, obj: string): string {
  if (typeof obj !== 'string' || obj.length === 0) throw new ClientException('Object name must be a non-empty string');
  return `${containerPath(container)}/${quote(obj)}`;
}

/** Builds `format=json&marker=...` the way swiftclient does (falsy values skipped). */
export function listingQuery(params: Record<string, string | number | undefined | null>, extra?: string): string {
  let qs = 'format=json';
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '' || value === 0) continue;
    if (key === 'limit') {
      if (!Number.isSafeInteger(value) || (value as number) < 0) throw new ClientException(`Invalid limit ${String(value)}`);
      qs += `&limit=${value}`;
    } else {
      qs += `&${key}=${quote(String(value))}`;
    }
  }
  if (extra) qs += `&${extra.replace(/^\?/, '')}`;
  return qs;
}

export function withQuery(query: string | undefined): string | undefined {
  return query ? query.replace(/^\?/, '') : undefined;
}
