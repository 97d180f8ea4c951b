// The one listing pager: every listing that walks pages (SwiftService's and
// the async iterators of listContainers/listObjects) goes through here.
import type { Connection } from '../connection.js';
import type { ContainerEntry } from '../ops/account.js';
import type { ObjectEntry } from '../ops/container.js';

export interface PageOptions {
  prefix?: string | undefined;
  delimiter?: string | undefined;
  marker?: string | undefined;
  endMarker?: string | undefined;
  /**
   * Entries per request (the listing `limit`). With it, a page shorter than
   * the limit is known to be the last (Swift refuses a limit above its own
   * maximum), so no empty page is fetched to find the end. @default the server's
   */
  limit?: number | undefined;
  versions?: boolean | undefined;
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
  /** Retries of each page request (the Connection's by default). */
  retries?: number | undefined;
  /** Seconds per page request (the Connection's by default). */
  timeout?: number | undefined;
}

/** True when no page follows `items`: empty, or shorter than the limit asked for. */
export function isLastPage(items: readonly unknown[], limit: number | undefined): boolean {
  return items.length === 0 || (limit !== undefined && limit > 0 && items.length < limit);
}

/**
 * The pages of a container listing, fetched one at a time as they are
 * asked for (leaving the loop early fetches no more), following the last
 * entry's name (or subdir) as marker.
 */
export async function* containerPages(conn: Connection, container: string, o: PageOptions = {}): AsyncGenerator<ObjectEntry[]> {
  let marker = o.marker;
  let versionMarker: string | undefined;
  for (;;) {
    const [, items] = await conn.getContainer(container, {
      marker,
      versionMarker,
      limit: o.limit,
      prefix: o.prefix,
      delimiter: o.delimiter,
      endMarker: o.endMarker,
      headers: o.headers,
      queryString: o.versions ? 'versions=true' : undefined,
      signal: o.signal,
      retries: o.retries,
      timeout: o.timeout,
    });
    if (items.length > 0) yield items;
    if (isLastPage(items, o.limit)) return;
    const last = items[items.length - 1] as ObjectEntry;
    marker = last.name ?? last.subdir;
    versionMarker = last.version_id;
  }
}

/** The pages of the account listing, fetched lazily like {@link containerPages}. */
export async function* accountPages(conn: Connection, o: PageOptions = {}): AsyncGenerator<ContainerEntry[]> {
  let marker = o.marker;
  for (;;) {
    const [, items] = await conn.getAccount({
      marker,
      limit: o.limit,
      prefix: o.prefix,
      delimiter: o.delimiter,
      endMarker: o.endMarker,
      headers: o.headers,
      signal: o.signal,
      retries: o.retries,
      timeout: o.timeout,
    });
    if (items.length > 0) yield items;
    if (isLastPage(items, o.limit)) return;
    const last = items[items.length - 1] as ContainerEntry;
    marker = last.name ?? last.subdir;
  }
}
