import type { Connection } from '../connection.js';
import type { ResponseHeaders } from '../http/headers.js';
import { schedule, startCall, type ServiceHandle } from './context.js';
import { isMissing, SwiftError, toError } from './errors.js';
import { mergeOptions, splitHeaders } from './options.js';
import type { StatOptions, StatResult } from './types.js';

type Items = NonNullable<StatResult['items']>;

/**
 * python's `SwiftService.stat`: the account, a container, or each named
 * object (`objectThreads` at a time), with the label/value items `swift
 * stat` prints. A missing account or container is a failed result.
 */
export async function* stat(
  service: ServiceHandle,
  defaults: StatOptions,
  container: string | undefined,
  objects: readonly string[] | undefined,
  options: StatOptions | undefined,
): AsyncGenerator<StatResult, void, undefined> {
  const o = mergeOptions<StatOptions>(defaults, options);
  const conn = service.connection;
  const headers = splitHeaders(o.headers);
  if (!container) {
    if (objects !== undefined && objects.length > 0) throw new SwiftError('Objects specified without container');
    const res: StatResult = { action: 'stat_account', success: false, container: undefined, object: undefined };
    try {
      const h = await conn.headAccount({ headers, signal: o.signal });
      Object.assign(res, { success: true, headers: h, items: accountItems(conn, h) });
    } catch (err) {
      if (o.signal?.aborted) throw err;
      res.error = missing(err, 'Account not found', {});
    }
    yield res;
    return;
  }
  if (objects === undefined || objects.length === 0) {
    const res: StatResult = { action: 'stat_container', success: false, container, object: undefined };
    try {
      const h = await conn.headContainer(container, { headers, signal: o.signal });
      Object.assign(res, { success: true, headers: h, items: containerItems(conn, container, h) });
    } catch (err) {
      if (o.signal?.aborted) throw err;
      res.error = missing(err, `Container ${JSON.stringify(container)} not found`, { container });
    }
    yield res;
    return;
  }
  const call = startCall<StatResult>(service, o);
  const queryString = o.versionId === undefined ? undefined : `version-id=${encodeURIComponent(o.versionId)}`;
  for (const obj of objects) {
    const job = async (): Promise<StatResult> => {
      const res: StatResult = { action: 'stat_object', success: false, container, object: obj };
      try {
        const h = await conn.headObject(container, obj, { headers, queryString, signal: call.signal });
        Object.assign(res, { success: true, headers: h, items: objectItems(conn, container, obj, h) });
      } catch (err) {
        res.error = toError(err);
      }
      return res;
    };
    const cancelled = (): StatResult => ({
      action: 'stat_object',
      success: false,
      status: 'cancelled',
      container,
      object: obj,
      error: new SwiftError('Not started: an earlier stat failed and failFast is set'),
    });
    void schedule(call, call.objectLimit, job, cancelled);
  }
  yield* call.runner.drain();
}

function missing(err: unknown, message: string, where: { container?: string }): Error {
  return isMissing(err) ? new SwiftError(message, { ...where, cause: err }) : toError(err);
}

function accountName(conn: Connection): string {
  return (conn.url ?? '').split('/').pop() ?? '';
}

function accountItems(conn: Connection, h: ResponseHeaders): Items {
  const items: Items = [
    ['Account', accountName(conn)],
    ['Containers', Number(h['x-account-container-count'] ?? 0)],
    ['Objects', h['x-account-object-count'] ?? '0'],
    ['Bytes', h['x-account-bytes-used'] ?? '0'],
  ];
  const prefix = 'x-account-storage-policy-';
  const policies = new Set<string>();
  for (const name of Object.keys(h)) {
    if (name.startsWith(prefix)) policies.add(name.slice(prefix.length).replace(/-(container-count|object-count|bytes-used)$/, ''));
  }
  for (const policy of policies) {
    const count = h[`${prefix}${policy}-container-count`];
    if (count !== undefined) items.push([`Containers in policy "${policy}"`, count]);
    items.push([`Objects in policy "${policy}"`, h[`${prefix}${policy}-object-count`] ?? '0']);
    items.push([`Bytes in policy "${policy}"`, h[`${prefix}${policy}-bytes-used`] ?? '0']);
  }
  return items;
}

function containerItems(conn: Connection, container: string, h: ResponseHeaders): Items {
  return [
    ['Account', accountName(conn)],
    ['Container', container],
    ['Objects', h['x-container-object-count'] ?? '0'],
    ['Bytes', h['x-container-bytes-used'] ?? '0'],
    ['Read ACL', h['x-container-read'] ?? ''],
    ['Write ACL', h['x-container-write'] ?? ''],
    ['Sync To', h['x-container-sync-to'] ?? ''],
    ['Sync Key', h['x-container-sync-key'] ?? ''],
  ];
}

function objectItems(conn: Connection, container: string, obj: string, h: ResponseHeaders): Items {
  return [
    ['Account', accountName(conn)],
    ['Container', container],
    ['Object', obj],
    ['Content Type', h['content-type']],
    ['Content Length', h['content-length'] ?? '0'],
    ['Last Modified', h['last-modified']],
    ['ETag', h.etag],
    ['Manifest', h['x-object-manifest']],
  ];
}
