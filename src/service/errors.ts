import { NotFoundError } from '../errors.js';

/** Where a {@link SwiftError} happened and what caused it. */
export interface SwiftErrorDetails {
  /** The container concerned. */
  container?: string | undefined;
  /** The object concerned. */
  object?: string | undefined;
  /** The segment concerned (its index or name), for a large object. */
  segment?: number | string | undefined;
  /** The error behind this one (kept as `cause`). */
  cause?: unknown;
}

/**
 * python-swiftclient's `SwiftError`: a failure of the bulk service itself
 * (bad options, a local file that is missing), as opposed to a
 * `ClientException` from the server or the network, which is passed through
 * unchanged. A checksum that does not match is a `ChecksumError` (a
 * `ClientException`) with python's message.
 *
 * @example
 * for await (const r of swift.upload('c', ['/missing/file'])) {
 *   if (r.error instanceof SwiftError) console.error(r.error.object, r.error.message);
 * }
 */
export class SwiftError extends Error {
  /** Always `'SwiftError'`. */
  override name = 'SwiftError';
  /** The container concerned, if any. */
  readonly container: string | undefined;
  /** The object concerned, if any. */
  readonly object: string | undefined;
  /** The segment concerned (index or name), if any. */
  readonly segment: number | string | undefined;

  /** The message gets ` container:<c>`, ` object:<o>` and ` segment:<s>` appended, as python's `str(SwiftError)`. */
  constructor(message: string, details: SwiftErrorDetails = {}) {
    super(describe(message, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.container = details.container;
    this.object = details.object;
    this.segment = details.segment;
  }
}

function describe(message: string, details: SwiftErrorDetails): string {
  let text = message;
  if (details.container !== undefined) text += ` container:${details.container}`;
  if (details.object !== undefined) text += ` object:${details.object}`;
  if (details.segment !== undefined) text += ` segment:${details.segment}`;
  return text;
}

/** The reason to report for an aborted call: the signal's reason, or an AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Normalises anything thrown into an Error for a result object. */
export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * A 404 for what was asked for: a missing account, container or object. An
 * auth URL's 404 (a wrong Keystone path) is an UnauthorizedError instead,
 * which must not read "not found".
 */
export function isMissing(err: unknown): boolean {
  return err instanceof NotFoundError;
}
