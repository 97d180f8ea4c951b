import pLimit from 'p-limit';
import type { Connection } from '../connection.js';
import type { ContainerEntry } from '../ops/account.js';
import type { ObjectEntry } from '../ops/container.js';
import { isMissing, SwiftError, toError } from './errors.js';
import { splitHeaders, threads } from './options.js';
import type { ListOptions, ListResult } from './types.js';

export interface PageOptions {
  prefix?: string | undefined;
  delimiter?: string | undefined;
  marker?: string | undefined;
  versions?: boolean | undefined;
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
}

/** The pages of a container listing, following markers until an empty page. */
export async function* containerPages(conn: Connection, container: string, o: PageOptions = {}): AsyncGenerator<ObjectEntry[]> {
  let marker = o.marker;
  let versionMarker: string | undefined;
  for (;;) {
    const [, items] = await conn.getContainer(container, {
      marker,
      versionMarker,
      prefix: o.prefix,
      delimiter: o.delimiter,
      headers: o.headers,
      queryString: o.versions ? 'versions=true' : undefined,
      signal: o.signal,
    });
    if (items.length === 0) return;
    yield items;
    const last = items[items.length - 1] as ObjectEntry;
    marker = last.name ?? last.subdir;
    versionMarker = last.version_id;
  }
}

/** The pages of the account listing. */
export async function* accountPages(conn: Connection, o: PageOptions = {}): AsyncGenerator<ContainerEntry[]> {
  let marker = o.marker;
  for (;;) {
    const [, items] = await conn.getAccount({ marker, prefix: o.prefix, delimiter: o.delimiter, headers: o.headers, signal: o.signal });
    if (items.length === 0) return;
    yield items;
    const last = items[items.length - 1] as ContainerEntry;
    marker = last.name ?? last.subdir;
  }
}

/** Every entry of a container under `prefix`. */
export async function listAll(conn: Connection, container: string, prefix: string, signal: AbortSignal): Promise<ObjectEntry[]> {
  const all: ObjectEntry[] = [];
  for await (const page of containerPages(conn, container, { prefix, signal })) all.push(...page);
  return all;
}

/** The account's containers, or a container's objects, one result per listing page. */
export async function* list(conn: Connection, container: string | undefined, o: ListOptions): AsyncGenerator<ListResult> {
  const headers = splitHeaders(o.headers);
  const action = container === undefined ? 'list_account_part' : 'list_container_part';
  let marker = o.marker;
  const base = { action, container, prefix: o.prefix } as const;
  try {
    if (container === undefined) {
      const limit = pLimit(threads(o.containerThreads, 'containerThreads'));
      for await (const page of accountPages(conn, { ...o, headers })) {
        const listing: ListResult['listing'] = page;
        if (o.long) {
          await Promise.all(
            page.map((entry) =>
              limit(async () => {
                if (entry.name) (entry as ContainerEntry & { meta?: Record<string, string> }).meta = await conn.headContainer(entry.name, { signal: o.signal });
              }),
            ),
          );
        }
        yield { ...base, success: true, listing, marker };
        marker = page[page.length - 1]?.name;
      }
    } else {
      for await (const page of containerPages(conn, container, { ...o, headers })) {
        yield { ...base, success: true, listing: page, marker };
        marker = page[page.length - 1]?.name;
      }
    }
  } catch (err) {
    if (o.signal?.aborted) throw err;
    yield { ...base, success: false, listing: [], marker, error: notFound(err, container) };
  }
}

/** A 404 on a listing becomes python's "not found" SwiftError. */
export function notFound(err: unknown, container: string | undefined): Error {
  if (isMissing(err)) {
    return container === undefined
      ? new SwiftError('Account not found', { cause: err })
      : new SwiftError(`Container ${JSON.stringify(container)} not found`, { container, cause: err });
  }
  return toError(err);
}
