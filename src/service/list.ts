import pLimit from 'p-limit';
import type { Connection } from '../connection.js';
import type { ContainerEntry } from '../ops/account.js';
import type { ObjectEntry } from '../ops/container.js';
import { accountPages, containerPages } from '../native/pages.js';
import { isMissing, SwiftError, toError } from './errors.js';
import { splitHeaders, threads } from './options.js';
import type { ListOptions, ListResult } from './types.js';

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
