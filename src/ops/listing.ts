import type { ResponseHeaders } from '../http/headers.js';

interface ListingEntry {
  name?: string | undefined;
  subdir?: string | undefined;
  version_id?: string | undefined;
}

/** Progress of a listing; kept across retries so a retry resumes, not restarts. */
export interface ListingState<E> {
  headers: ResponseHeaders | undefined;
  items: E[];
  marker: string | undefined;
  versionMarker: string | undefined;
}

export function listingState<E>(marker: string | undefined, versionMarker: string | undefined): ListingState<E> {
  return { headers: undefined, items: [], marker, versionMarker };
}

/**
 * One page, or with `full` every page: follows the last entry's name (or
 * subdir, with a delimiter) as marker until an empty page, so short pages
 * are fine.
 */
export async function collectListing<E extends ListingEntry>(
  state: ListingState<E>,
  full: boolean | undefined,
  page: (marker: string | undefined, versionMarker: string | undefined) => Promise<[ResponseHeaders, E[]]>,
): Promise<[ResponseHeaders, E[]]> {
  if (!full) return page(state.marker, state.versionMarker);
  for (;;) {
    const [headers, entries] = await page(state.marker, state.versionMarker);
    state.headers ??= headers;
    if (entries.length === 0) return [state.headers, state.items];
    for (const entry of entries) state.items.push(entry);
    const last = entries[entries.length - 1] as E;
    state.marker = last.name ?? last.subdir;
    state.versionMarker = last.version_id;
  }
}
