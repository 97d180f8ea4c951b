import { ClientException, SwiftError, type ServiceResult } from 'swiftclient';
import type { Output } from './output.js';

/** The error of a failed result, as plain data: never a token, never a stack. */
export interface JsonError {
  message: string;
  /** ClientException's code (`NOT_FOUND`, `UNAUTHORIZED`, ...), `SWIFT_ERROR`, or a Node error code. */
  code: string | undefined;
  httpStatus: number | undefined;
  transactionId: string | undefined;
}

/**
 * One line of `--json` output. The field names are stable (documented in
 * docs/CLI.md); a field that does not apply is left out, never renamed.
 */
export interface JsonResult {
  action: string;
  success: boolean;
  container: string | null;
  object?: string | undefined;
  /** Local file written (download) or read (upload). */
  path?: string | undefined;
  /** Bytes sent or received. */
  bytes?: number | undefined;
  /** `skipped-identical`, `cancelled`, ... when not simply done. */
  status?: string | undefined;
  /** Response headers (stat), or headers sent (post, copy). */
  headers?: Record<string, string> | undefined;
  /** Copy destination, `/container/object`. */
  destination?: string | undefined;
  /** A segment's index, for `upload_segment` / `delete_segment` results. */
  segmentIndex?: number | undefined;
  attempts?: number | undefined;
  error?: JsonError | undefined;
}

function errorJson(err: Error | undefined): JsonError | undefined {
  if (!err) return undefined;
  let code: string | undefined;
  let httpStatus: number | undefined;
  let transactionId: string | undefined;
  let inner: unknown = err;
  if (err instanceof SwiftError) {
    code = 'SWIFT_ERROR';
    inner = err.cause;
  }
  if (inner instanceof ClientException) {
    code = inner.code;
    httpStatus = inner.httpStatus;
    transactionId = inner.transactionId;
  } else if (code === undefined) {
    const nodeCode = (err as NodeJS.ErrnoException).code;
    code = typeof nodeCode === 'string' ? nodeCode : undefined;
  }
  return { message: err.message, code, httpStatus, transactionId };
}

/** Maps a service result to its `--json` line. */
export function resultJson(r: ServiceResult): JsonResult {
  const out: JsonResult = { action: r.action, success: r.success, container: r.container ?? null };
  if (r.object !== undefined) out.object = r.object;
  if ('path' in r && typeof r.path === 'string') out.path = r.path;
  if (r.action === 'upload_object' && r.bytes !== undefined) out.bytes = r.bytes;
  if (r.action === 'download_object' && r.readLength !== undefined) out.bytes = r.readLength;
  if (r.action === 'upload_segment') {
    out.object = r.forObject;
    out.segmentIndex = r.segmentIndex;
    out.bytes = r.segmentSize;
  }
  if (r.status !== undefined) out.status = r.status;
  if ((r.action.startsWith('stat_') || r.action.startsWith('post_') || r.action === 'copy_object') && 'headers' in r && r.headers) {
    out.headers = { ...r.headers };
  }
  if (r.action === 'copy_object' && r.destination !== undefined) out.destination = r.destination;
  if (r.attempts !== undefined) out.attempts = r.attempts;
  const error = errorJson(r.error);
  if (error) out.error = error;
  return out;
}

/** Prints one result as one JSON line; a failure counts toward exit code 1. */
export function printJson(output: Output, r: ServiceResult): void {
  output.print(JSON.stringify(resultJson(r)));
  if (!r.success) output.errorCount += 1;
}
