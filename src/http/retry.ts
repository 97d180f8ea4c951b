/** Longest Retry-After we honour, in seconds, whatever the server asks. */
const RETRY_AFTER_CAP = 60;

/** Parses Retry-After (seconds or an HTTP date) into seconds. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/**
 * Seconds to wait before the next try: python's backoff plus up to 25% jitter
 * (so parallel clients do not retry in lockstep), never past maxBackoff; at
 * least what Retry-After asks (capped at 60 s), even above maxBackoff: the
 * server knows best.
 */
export function retryDelay(backoff: number, maxBackoff: number, retryAfter?: number, random = Math.random()): number {
  const base = Math.min(backoff, maxBackoff);
  const jittered = Math.min(base * (1 + random * 0.25), maxBackoff);
  if (retryAfter === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfter, RETRY_AFTER_CAP));
}

/** Sleeps, rejecting at once with the signal's reason when it aborts. */
export function sleep(seconds: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (seconds <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, seconds * 1000);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
