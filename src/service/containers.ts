import type { ResponseDict } from '../ops/request.js';
import type { Call } from './context.js';
import { toError } from './errors.js';
import { attemptsOf } from './options.js';
import type { CreateContainerResult } from './types.js';

/** The storage-policy header, when the caller's headers set one. */
export function policyHeader(headers: Record<string, string>): Record<string, string> {
  const policy = headers['x-storage-policy'];
  return policy === undefined ? {} : { 'x-storage-policy': policy };
}

/**
 * python's `_create_container_job`: PUT the container, with the storage
 * policy of `policySource` when given. A failure is reported, not thrown:
 * the caller may lack the right to create containers that already exist.
 */
export async function createContainer<R>(
  call: Call<R>,
  container: string,
  headers: Record<string, string>,
  policySource?: string,
): Promise<CreateContainerResult> {
  const rd: ResponseDict = {};
  const sent = { ...headers };
  const result: CreateContainerResult = { action: 'create_container', success: false, container, headers: sent, responseDict: rd };
  try {
    if (policySource !== undefined) {
      const meta = await call.conn.headContainer(policySource, { signal: call.signal });
      if (meta['x-storage-policy'] !== undefined) sent['x-storage-policy'] = meta['x-storage-policy'];
    }
    await call.conn.putContainer(container, { headers: sent, responseDict: rd, signal: call.signal });
    result.success = true;
  } catch (err) {
    result.error = toError(err);
  }
  result.attempts = attemptsOf(rd);
  return result;
}
