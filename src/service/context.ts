import pLimit, { type LimitFunction } from 'p-limit';
import type { Connection } from '../connection.js';
import type { Capabilities } from '../ops/capabilities.js';
import { threads } from './options.js';
import { Runner } from './runner.js';
import type { CommonOptions } from './types.js';

/** What the operation modules get from the service for one call. */
export interface Call<R> {
  conn: Connection;
  runner: Runner<R>;
  /** Aborted when the caller's signal aborts or the caller stops iterating. */
  signal: AbortSignal;
  objectLimit: LimitFunction;
  segmentLimit: LimitFunction;
  containerLimit: LimitFunction;
  objectThreads: number;
  /** `false` when the caller turned checksums off: passed on to the Connection's transfers. */
  checksum: false | undefined;
  /** The cluster's /info, cached by the service; undefined when it cannot be had. */
  info(): Promise<Capabilities | undefined>;
}

/** The service side a call needs. */
export interface ServiceHandle {
  readonly connection: Connection;
  /** /info, fetched once per service (undefined when the cluster does not serve it). */
  info(signal?: AbortSignal): Promise<Capabilities | undefined>;
}

/** Sets up the pools and the runner of one call. */
export function startCall<R>(service: ServiceHandle, options: CommonOptions): Call<R> {
  // Checked before the runner listens to the caller's signal.
  const objectThreads = threads(options.objectThreads, 'objectThreads');
  const segmentThreads = threads(options.segmentThreads, 'segmentThreads');
  const containerThreads = threads(options.containerThreads, 'containerThreads');
  const runner = new Runner<R>(options.signal, options.failFast === true);
  return {
    conn: service.connection,
    runner,
    signal: runner.signal,
    objectLimit: pLimit(objectThreads),
    segmentLimit: pLimit(segmentThreads),
    containerLimit: pLimit(containerThreads),
    objectThreads,
    checksum: (options as { checksum?: boolean }).checksum === false ? false : undefined,
    info: () => service.info(runner.signal),
  };
}

/**
 * Runs `job` in `limit` (tracked by the runner) unless the call was aborted (then nothing is sent and
 * nothing reported) or cancelled by failFast (then `cancelled()` is reported).
 */
export function schedule<R>(call: Call<R>, limit: LimitFunction, job: () => Promise<R | undefined>, cancelled: () => R): Promise<void> {
  const run = limit(async () => {
    if (call.signal.aborted) return;
    const result = call.runner.cancelled ? cancelled() : await job();
    if (result !== undefined && !call.signal.aborted) call.runner.emit(result);
  });
  call.runner.spawn(() => run);
  // Settles when the job does; its failures are the runner's business.
  return run.catch(() => undefined);
}

/** Backpressure for listing-driven calls: wait until the queues are short. */
export function roomFor<R>(call: Call<R>, limit: LimitFunction, max = 1000): Promise<void> {
  return call.runner.waitFor(() => limit.pendingCount < max && call.runner.queued < max);
}
