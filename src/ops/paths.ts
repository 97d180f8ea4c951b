import { ClientException } from '../errors.js';
import { mergeHeaders, type HeadersInput } from '../http/headers.js';
import { metaHeaders, type MetaInput } from '../native/meta.js';
import { hasLoneSurrogate, quote, requoteQuery } from '../util/quote.js';

const NO_UTF8 = 'holds a lone surrogate, which has no UTF-8 form';

// Lengths are checked by NameLimitGuard (name-limits.ts), against /info.
export function containerPath(container: string): string {
  if (typeof container !== 'string' || container.length === 0) {
    throw new ClientException('Container name must be a non-empty string');
  }
  if (container.includes('/')) throw new ClientException(`Container name ${JSON.stringify(container)} must not contain "/"`);
  if (hasLoneSurrogate(container)) throw new ClientException(`Container name ${JSON.stringify(container)} ${NO_UTF8}`);
  return `/${quote(container)}`;
}

export function objectPath(container: string, obj: string): string {
  if (typeof obj !== 'string' || obj.length === 0) throw new ClientException('Object name must be a non-empty string');
  if (hasLoneSurrogate(obj)) throw new ClientException(`Object name ${JSON.stringify(obj)} ${NO_UTF8}`);
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
  const more = withQuery(extra);
  if (more) qs += `&${more}`;
  return qs;
}

/** A caller's `queryString`: a leading `?` dropped, quoted as python's requests would send it. */
export function withQuery(query: string | undefined): string | undefined {
  if (query === undefined || query === null || query === '') return undefined;
  if (typeof query !== 'string') throw new ClientException(`queryString must be a string, not ${typeof query}`);
  if (hasLoneSurrogate(query)) throw new ClientException(`queryString ${JSON.stringify(query)} ${NO_UTF8}`);
  return requoteQuery(query.replace(/^\?/, '')) || undefined;
}

/** Normalises options and refuses bad names and headers before any request. */
export function precheck<O extends object>(
  options: O | null | undefined,
  cont: string | undefined,
  obj: string | undefined,
  headerSets: (o: O) => Array<HeadersInput | Record<string, string | undefined> | undefined>,
): O {
  const o = (options ?? {}) as O;
  if (obj !== undefined) objectPath(cont as string, obj);
  else if (cont !== undefined) containerPath(cont);
  mergeHeaders(...(headerSets(o) as Array<HeadersInput | undefined>));
  // The level only names the header prefix: the checks are the same for all three.
  metaHeaders((o as { meta?: MetaInput | undefined }).meta, 'object');
  return o;
}
