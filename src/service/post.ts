import type { ResponseDict } from '../ops/request.js';
import { schedule, startCall, type ServiceHandle } from './context.js';
import { isMissing, SwiftError, toError } from './errors.js';
import { attemptsOf, mergeOptions, splitHeaders } from './options.js';
import type { PostObject, PostOptions, PostResult } from './types.js';

/**
 * python's `SwiftService.post`: metadata and headers for the account, a
 * container (created when missing; ACLs and sync settings too) or each
 * named object (`objectThreads` at a time).
 */
export async function* post(
  service: ServiceHandle,
  defaults: PostOptions,
  container: string | undefined,
  objects: ReadonlyArray<string | PostObject> | undefined,
  options: PostOptions | undefined,
): AsyncGenerator<PostResult, void, undefined> {
  const o = mergeOptions<PostOptions>(defaults, options);
  const conn = service.connection;
  if (!container) {
    if (objects !== undefined && objects.length > 0) throw new SwiftError('Objects specified without container');
    const headers = { ...splitHeaders(o.meta, 'x-account-meta-'), ...splitHeaders(o.headers) };
    const rd: ResponseDict = {};
    const res: PostResult = { action: 'post_account', success: false, container: undefined, object: undefined, headers, responseDict: rd };
    try {
      await conn.postAccount(headers, { responseDict: rd, signal: o.signal });
      res.success = true;
    } catch (err) {
      if (o.signal?.aborted) throw err;
      res.error = isMissing(err) ? new SwiftError('Account not found', { cause: err }) : toError(err);
    }
    res.attempts = attemptsOf(rd);
    yield res;
    return;
  }
  if (objects === undefined || objects.length === 0) {
    const headers = { ...splitHeaders(o.meta, 'x-container-meta-'), ...splitHeaders(o.headers) };
    if (o.readAcl !== undefined) headers['x-container-read'] = o.readAcl;
    if (o.writeAcl !== undefined) headers['x-container-write'] = o.writeAcl;
    if (o.syncTo !== undefined) headers['x-container-sync-to'] = o.syncTo;
    if (o.syncKey !== undefined) headers['x-container-sync-key'] = o.syncKey;
    const rd: ResponseDict = {};
    const res: PostResult = { action: 'post_container', success: false, container, object: undefined, headers, responseDict: rd };
    try {
      try {
        await conn.postContainer(container, headers, { responseDict: rd, signal: o.signal });
      } catch (err) {
        if (!(isMissing(err))) throw err;
        // python creates the container it could not post to
        await conn.putContainer(container, { headers, signal: o.signal });
      }
      res.success = true;
    } catch (err) {
      if (o.signal?.aborted) throw err;
      res.error = toError(err);
    }
    res.attempts = attemptsOf(rd);
    yield res;
    return;
  }
  const items = objects.map((item) => (typeof item === 'string' ? { objectName: item } : item));
  if (items.some((item) => typeof item?.objectName !== 'string' || !item.objectName)) {
    throw new SwiftError('Object names must be specified as non-empty strings');
  }
  const call = startCall<PostResult>(service, o);
  for (const item of items) {
    const headers = { ...splitHeaders(o.meta, 'x-object-meta-'), ...splitHeaders(o.headers) };
    if (item.options?.meta !== undefined) Object.assign(headers, splitHeaders(item.options.meta, 'x-object-meta-'));
    if (item.options?.headers !== undefined) Object.assign(headers, splitHeaders(item.options.headers));
    const base = { action: 'post_object', container, object: item.objectName, headers } as const;
    const job = async (): Promise<PostResult> => {
      const rd: ResponseDict = {};
      const res: PostResult = { ...base, success: false, responseDict: rd };
      try {
        await conn.postObject(container, item.objectName, headers, { responseDict: rd, signal: call.signal });
        res.success = true;
      } catch (err) {
        res.error = toError(err);
      }
      res.attempts = attemptsOf(rd);
      return res;
    };
    const cancelled = (): PostResult => ({ ...base, success: false, status: 'cancelled', error: new SwiftError('Not started: failFast') });
    void schedule(call, call.objectLimit, job, cancelled);
  }
  yield* call.runner.drain();
}
