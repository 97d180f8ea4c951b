import { sleep } from '../http/retry.js';
import { decide, outcomeOf, type RetrySettings } from '../retry/policy.js';
import type { ObjectEntry } from '../ops/container.js';
import type { ResponseDict } from '../ops/request.js';
import { bulkDelete, bulkPageSize, entriesFor, mayBeManifest, nGroups } from './bulk.js';
import { schedule, startCall, type Call, type ServiceHandle } from './context.js';
import { isMissing, SwiftError, toError } from './errors.js';
import { accountPages, containerPages } from '../native/pages.js';
import { listAll, notFound } from './list.js';
import { attemptsOf, isTrue, mergeOptions, splitHeaders } from './options.js';
import { parseDloManifest } from './naming.js';
import { deleteSegments } from './segments.js';
import type { DeleteContainerResult, DeleteObject, DeleteObjectResult, DeleteOptions, DeleteResult } from './types.js';

type DeleteCall = Call<DeleteResult>;

/**
 * python's `SwiftService.delete`: the named objects of a container, or a
 * container and everything in it, or (with `yesAll`) every container.
 * Manifests take their segments with them unless `leaveSegments`. Many
 * objects go through the bulk middleware when the cluster offers it.
 */
export async function* deleteItems(
  service: ServiceHandle,
  defaults: DeleteOptions,
  container: string | undefined,
  objects: ReadonlyArray<string | DeleteObject> | undefined,
  options: DeleteOptions | undefined,
): AsyncGenerator<DeleteResult, void, undefined> {
  const o = mergeOptions<DeleteOptions>(defaults, options);
  if (container === undefined) {
    if (objects !== undefined && objects.length > 0) throw new SwiftError('Objects specified without container');
    if (o.prefix) throw new SwiftError('Prefix specified without container');
    if (!o.yesAll) return;
  }
  const items = objects === undefined ? undefined : toDeleteObjects(objects).filter((item) => !o.prefix || item.objectName.startsWith(o.prefix));
  const call = startCall<DeleteResult>(service, o);
  call.runner.spawn(async () => {
    if (container === undefined) {
      const names: string[] = [];
      try {
        for await (const page of accountPages(call.conn, { headers: splitHeaders(o.headers), signal: call.signal })) {
          for (const entry of page) if (entry.name !== undefined) names.push(entry.name);
        }
      } catch (err) {
        if (!call.signal.aborted) call.runner.fail(notFound(err, undefined));
        return;
      }
      for (const name of names) {
        if (call.runner.cancelled || call.signal.aborted) return;
        await deleteContainer(call, o, name);
      }
    } else if (items !== undefined) {
      await deleteObjects(call, o, container, items, undefined);
    } else {
      await deleteContainer(call, o, container);
    }
  });
  yield* call.runner.drain();
}

function toDeleteObjects(objects: ReadonlyArray<string | DeleteObject>): DeleteObject[] {
  return objects.map((item) => {
    const out = typeof item === 'string' ? { objectName: item } : item;
    if (typeof out?.objectName !== 'string' || !out.objectName) throw new SwiftError('Object names must be specified as non-empty strings');
    return out;
  });
}

/**
 * Deletes objects of one container and resolves once all are done: in bulk
 * batches when worth it (manifests still one by one, to take their
 * segments), else one by one.
 */
async function deleteObjects(
  call: DeleteCall,
  o: DeleteOptions,
  container: string,
  items: DeleteObject[],
  listing: Map<string, ObjectEntry> | undefined,
): Promise<void> {
  const pageSize = await bulkPageSize(call, items.length, items.some((i) => i.options !== undefined));
  const jobs: Array<Promise<void>> = [];
  const single = (item: DeleteObject): void => {
    const opts = item.options ? mergeOptions<DeleteOptions>(o, item.options) : o;
    const run = () => deleteObject(call, opts, container, item.objectName, listing !== undefined);
    jobs.push(schedule(call, call.objectLimit, run, () => cancelled(container, item.objectName)));
  };
  if (pageSize <= 1) {
    items.forEach(single);
    await Promise.all(jobs);
    return;
  }
  let plain = items.map((i) => i.objectName);
  if (!o.leaveSegments) {
    const entries = listing ?? (await entriesFor(call, container, plain));
    for (const item of items) if (mayBeManifest(entries.get(item.objectName))) single(item);
    plain = plain.filter((name) => !mayBeManifest(entries.get(name)));
  }
  for (let at = 0; at < plain.length; at += pageSize) {
    for (const group of nGroups(plain.slice(at, at + pageSize), call.objectThreads)) {
      const run = call.objectLimit(async () => {
        if (call.signal.aborted) return;
        const results = call.runner.cancelled ? group.map((name) => cancelled(container, name)) : await bulkDelete(call, container, group);
        if (!call.signal.aborted) results.forEach((r) => call.runner.emit(r));
      });
      call.runner.spawn(() => run);
      jobs.push(run.catch(() => undefined));
    }
  }
  await Promise.all(jobs);
}

function cancelled(container: string, obj: string): DeleteObjectResult {
  const error = new SwiftError('Not started: an earlier delete failed and failFast is set');
  return { action: 'delete_object', success: false, status: 'cancelled', container, object: obj, error };
}

/**
 * python's `_delete_object`: HEAD first (unless leaveSegments) to delete an
 * SLO with `multipart-manifest=delete` and a DLO's segments after it.
 */
async function deleteObject(call: DeleteCall, o: DeleteOptions, container: string, obj: string, listed = false): Promise<DeleteObjectResult> {
  const headers = splitHeaders(o.headers);
  const rd: ResponseDict = {};
  const res: DeleteObjectResult = { action: 'delete_object', success: false, container, object: obj, responseDict: rd };
  try {
    let dlo: string | undefined;
    const query: Record<string, string> = {};
    if (!o.leaveSegments) {
      try {
        const h = await call.conn.headObject(container, obj, { headers, queryString: 'symlink=get', signal: call.signal });
        dlo = h['x-object-manifest'];
        if (isTrue(h['x-static-large-object'])) query['multipart-manifest'] = 'delete';
      } catch (err) {
        if (!(isMissing(err))) throw err;
      }
    }
    if (o.versionId !== undefined) query['version-id'] = encodeURIComponent(o.versionId);
    const queryString = Object.keys(query)
      .sort()
      .map((k) => `${k}=${query[k] as string}`)
      .join('&');
    await call.conn.deleteObject(container, obj, { headers, queryString: queryString || undefined, responseDict: rd, signal: call.signal });
    if (dlo !== undefined) {
      const { container: segContainer, prefix } = parseDloManifest(dlo);
      const segments = await listAll(call.conn, segContainer, `${prefix.replace(/\/+$/, '')}/`, call.signal);
      const deleted = await deleteSegments(call, segments.filter((s) => s.name !== undefined).map((s) => `${segContainer}/${s.name as string}`));
      res.dloSegmentsDeleted = deleted.every((d) => d.success);
    }
    res.success = true;
  } catch (err) {
    // Emptying a container, an object it listed that is gone now (an SLO's
    // segments go with their manifest) is deleted all the same; python
    // reports a failure. A 404 for an object named by the caller still is one.
    if (listed && isMissing(err)) {
      res.success = true;
      res.status = 'already-deleted';
    } else {
      res.error = toError(err);
    }
  }
  res.attempts = attemptsOf(rd);
  return res;
}

/**
 * python's `_delete_container`: every object (page by page), then the
 * container itself unless a prefix limited the deletion. A 409 right after
 * emptying it (listings lag behind deletes) is retried a few times.
 */
async function deleteContainer(call: DeleteCall, o: DeleteOptions, container: string): Promise<void> {
  let result: DeleteContainerResult;
  try {
    const pages = containerPages(call.conn, container, { prefix: o.prefix, versions: o.versions, headers: splitHeaders(o.headers), signal: call.signal });
    for await (const page of pages) {
      const items: DeleteObject[] = [];
      const listing = new Map<string, ObjectEntry>();
      for (const entry of page) {
        if (entry.name === undefined) continue;
        listing.set(entry.name, entry);
        items.push(o.versions && entry.version_id !== undefined ? { objectName: entry.name, options: { versionId: entry.version_id } } : { objectName: entry.name });
      }
      await deleteObjects(call, o, container, items, listing);
      if (call.signal.aborted) return;
    }
    if (o.prefix) return;
    result = await deleteEmptyContainer(call, o, container);
  } catch (err) {
    if (call.signal.aborted) return;
    result = { action: 'delete_container', success: false, container, object: undefined, error: notFound(err, container) };
  }
  if (!call.signal.aborted) call.runner.emit(result);
}

/** A 409 right after emptying a container: tried 3 more times, 0.5 s, 1 s, 2 s apart. */
const CONFLICT_RETRIES: RetrySettings = { retries: 3, startingBackoff: 0.5, maxBackoff: 2, retryOnRatelimit: false, forceAuthRetry: false, retryOn: 'conflict' };

async function deleteEmptyContainer(call: DeleteCall, o: DeleteOptions, container: string): Promise<DeleteContainerResult> {
  const rd: ResponseDict = {};
  const result: DeleteContainerResult = { action: 'delete_container', success: false, container, object: undefined, responseDict: rd };
  let backoff = CONFLICT_RETRIES.startingBackoff;
  for (let attempts = 1; ; attempts += 1) {
    try {
      await call.conn.deleteContainer(container, { headers: splitHeaders(o.headers), responseDict: rd, signal: call.signal });
      result.success = true;
      break;
    } catch (err) {
      const state = { attempts, backoff, reauthed: false, authStyle: 'none', tokenRenewed: false, replayable: true, random: Math.random() } as const;
      const decision = decide(outcomeOf(err, 'request'), state, CONFLICT_RETRIES);
      if (decision.action === 'retry') {
        backoff = decision.nextBackoff;
        await sleep(decision.delay, call.signal);
        continue;
      }
      result.error = toError(err);
      break;
    }
  }
  result.attempts = attemptsOf(rd);
  return result;
}
