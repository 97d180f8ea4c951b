import type { ObjectEntry } from '../ops/container.js';
import type { ResponseDict } from '../ops/request.js';
import { quote, unquote } from '../util/quote.js';
import type { Call } from './context.js';
import { SwiftError, toError } from './errors.js';
import { containerPages } from '../native/pages.js';
import { attemptsOf } from './options.js';
import type { DeleteObjectResult, DeleteResult } from './types.js';

/** The bulk middleware's answer (always HTTP 200; the real outcome is here). */
interface BulkAnswer {
  'Response Status'?: string;
  'Response Body'?: string;
  'Number Deleted'?: number;
  'Number Not Found'?: number;
  Errors?: Array<[string, string]>;
}

/**
 * How many objects one bulk request may delete, or 1 for one by one
 * (python's `_bulk_delete_page_size`): bulk only pays off beyond
 * `2 × objectThreads` objects, needs no per-object options, and needs
 * `bulk_delete` in /info.
 */
export async function bulkPageSize(call: Call<DeleteResult>, count: number, perObjectOptions: boolean): Promise<number> {
  if (count <= 2 * call.objectThreads || perObjectOptions) return 1;
  const info = await call.info();
  const bulk = info?.bulk_delete;
  if (!bulk) return 1;
  const max = Number(bulk.max_deletes_per_request ?? 10000);
  return Number.isSafeInteger(max) && max > 1 ? max : 1;
}

/** python's `n_groups`: `seq` in `n` groups of (nearly) equal size. */
export function nGroups<T>(seq: T[], n: number): T[][] {
  const size = Math.floor((seq.length - 1) / n) + 1;
  const out: T[][] = [];
  for (let i = 0; i < seq.length; i += size) out.push(seq.slice(i, i + size));
  return out;
}

/**
 * True for a listing entry that may be a manifest, whose segments must go
 * too: an SLO (the listing shows `slo_etag`) or anything empty (a DLO
 * manifest has no bytes of its own). These are deleted one by one.
 */
export function mayBeManifest(entry: ObjectEntry | undefined): boolean {
  if (!entry) return false;
  return entry.slo_etag !== undefined || entry.bytes === 0;
}

/** Listing entries for the given names, from one listing under their common prefix. */
export async function entriesFor(call: Call<DeleteResult>, container: string, names: string[]): Promise<Map<string, ObjectEntry>> {
  const wanted = new Set(names);
  let prefix = names[0] ?? '';
  for (const name of names) {
    let i = 0;
    while (i < prefix.length && i < name.length && prefix[i] === name[i]) i += 1;
    prefix = prefix.slice(0, i);
  }
  const found = new Map<string, ObjectEntry>();
  for await (const page of containerPages(call.conn, container, { prefix, signal: call.signal })) {
    for (const entry of page) if (entry.name !== undefined && wanted.has(entry.name)) found.set(entry.name, entry);
  }
  return found;
}

/**
 * One bulk-delete request (python's `_bulkdelete`): POST `?bulk-delete`
 * with the quoted paths as text/plain, then one result per object from the
 * per-item errors in the JSON answer (not-found counts as deleted).
 */
export async function bulkDelete(call: Call<DeleteResult>, container: string, names: string[]): Promise<DeleteObjectResult[]> {
  const rd: ResponseDict = {};
  const data = names.map((name) => `${quote(`/${container}/${name}`)}\n`).join('');
  let failures: Map<string, string> | undefined;
  let everyone: Error | undefined;
  let stopped: string | undefined;
  try {
    const [, raw] = await call.conn.postAccount(
      { accept: 'application/json', 'content-type': 'text/plain' },
      { queryString: 'bulk-delete', data, responseDict: rd, signal: call.signal },
    );
    const text = raw.toString('utf8').trim();
    if (!text) throw new SwiftError('No content received on account POST. Is the bulk operations middleware enabled?');
    const answer = JSON.parse(text) as BulkAnswer;
    const status = answer['Response Status'] ?? '';
    failures = new Map((answer.Errors ?? []).map(([path, why]) => [unquote(path).replace(/^\/+/, ''), why]));
    if (!/^2\d\d/.test(status)) {
      const why = `${status}${answer['Response Body'] ? `: ${answer['Response Body']}` : ''}`;
      // Errors listed: those failed. Nothing listed, or the request was cut short: the state of the rest is unknown.
      if (failures.size === 0) everyone = new SwiftError(`Bulk delete failed: ${why}`, { container });
      else if (answer['Response Body']) stopped = why;
    }
  } catch (err) {
    everyone = toError(err);
  }
  const attempts = attemptsOf(rd);
  return names.map((name) => {
    const result: DeleteObjectResult = { action: 'delete_object', success: true, container, object: name, bulkDelete: true, attempts, responseDict: rd };
    const why = failures?.get(`${container}/${name}`);
    if (everyone) Object.assign(result, { success: false, error: everyone });
    else if (why !== undefined) Object.assign(result, { success: false, error: new SwiftError(`Bulk delete failed: ${why}`, { container, object: name }) });
    else if (stopped !== undefined) Object.assign(result, { success: false, error: new SwiftError(`Bulk delete stopped early (${stopped}); this object may remain`, { container, object: name }) });
    return result;
  });
}
