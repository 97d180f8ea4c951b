import type { ResponseDict } from '../ops/request.js';
import { createContainer, policyHeader } from './containers.js';
import { schedule, startCall, type ServiceHandle } from './context.js';
import { SwiftError, toError } from './errors.js';
import { attemptsOf, mergeOptions, splitHeaders } from './options.js';
import type { CopyObject, CopyObjectResult, CopyOptions, CopyResult } from './types.js';

/** A destination as python's `SwiftCopyObject` checks it: `/cont` becomes `/cont/<object>`. */
function destinationFor(objectName: string, destination: string | undefined): string | undefined {
  if (destination === undefined) return undefined;
  const parts = destination.split('/');
  if (parts[0] || parts.length < 2) throw new SwiftError('destination must be in format /cont[/obj]');
  if (!parts[parts.length - 1]) throw new SwiftError('destination must not end in a slash');
  return parts.length === 2 ? `${destination}/${objectName}` : destination;
}

/**
 * python's `SwiftService.copy`: server-side COPY of each object (to itself,
 * to `/container`, or to `/container/object`), creating the destination
 * containers first.
 */
export async function* copy(
  service: ServiceHandle,
  defaults: CopyOptions,
  container: string,
  objects: ReadonlyArray<string | CopyObject>,
  options: CopyOptions | undefined,
): AsyncGenerator<CopyResult, void, undefined> {
  const o = mergeOptions<CopyOptions>(defaults, options);
  const baseHeaders = { ...splitHeaders(o.meta, 'x-object-meta-'), ...splitHeaders(o.headers) };
  const containers = new Set<string>();
  const plans = objects.map((item) => {
    const spec: CopyObject = typeof item === 'string' ? { objectName: item, options: o } : item;
    if (typeof spec?.objectName !== 'string' || !spec.objectName) throw new SwiftError('Object names must be specified as non-empty strings');
    const destination = destinationFor(spec.objectName, spec.options?.destination);
    if (destination !== undefined) containers.add(destination.split('/')[1] as string);
    const headers = { ...baseHeaders };
    if (typeof item !== 'string' && spec.options?.meta !== undefined) Object.assign(headers, splitHeaders(spec.options.meta, 'x-object-meta-'));
    if (typeof item !== 'string' && spec.options?.headers !== undefined) Object.assign(headers, splitHeaders(spec.options.headers));
    return { objectName: spec.objectName, destination, headers, freshMetadata: spec.options?.freshMetadata === true };
  });
  if (o.destination) {
    const parts = o.destination.split('/');
    if (parts[0]) throw new SwiftError('destination must be in format /cont[/obj]');
    if (parts.length > 2 && objects.filter((item) => typeof item === 'string').length > 1) {
      throw new SwiftError('Combination of multiple objects and destination including object is invalid');
    }
    if (parts[parts.length - 1] === '') throw new SwiftError('destination can not end in a slash');
    containers.add(parts[1] as string);
  }
  const call = startCall<CopyResult>(service, o);
  call.runner.spawn(async () => {
    const policy = policyHeader(splitHeaders(o.headers));
    const created = await Promise.all([...containers].map((c) => call.containerLimit(() => createContainer(call, c, policy))));
    created.forEach((r) => call.runner.emit(r));
    for (const plan of plans) {
      const base = { action: 'copy_object', container, object: plan.objectName, destination: plan.destination, headers: plan.headers, freshMetadata: plan.freshMetadata } as const;
      const job = async (): Promise<CopyObjectResult> => {
        const rd: ResponseDict = {};
        const res: CopyObjectResult = { ...base, success: false, responseDict: rd };
        try {
          await call.conn.copyObject(container, plan.objectName, {
            destination: plan.destination,
            headers: plan.headers,
            freshMetadata: plan.freshMetadata,
            responseDict: rd,
            signal: call.signal,
          });
          res.success = true;
        } catch (err) {
          res.error = toError(err);
        }
        res.attempts = attemptsOf(rd);
        return res;
      };
      void schedule(call, call.objectLimit, job, () => ({ ...base, success: false, status: 'cancelled', error: new SwiftError('Not started: failFast') }));
    }
  });
  yield* call.runner.drain();
}
