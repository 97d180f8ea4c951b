/** One progress event of a single transfer. */
export interface TransferProgress {
  /** Bytes transferred so far (never less than in an earlier event of the same call). */
  bytes: number;
  /** The size in bytes, or undefined when unknown (a chunked upload of a stream). */
  total: number | undefined;
}

/**
 * Told how a transfer goes. It is called once with `bytes: 0` when the
 * transfer starts, then as bytes go out or come in, and last with the
 * size. `bytes` never goes backwards: a retried upload (or a retried GET
 * with no `respChunkSize`) starts over from zero, and events resume only
 * once it passes the bytes already reported; a resumed download continues
 * from the byte it stopped at. A listener that throws fails the call with
 * that error.
 */
export type ProgressListener = (progress: TransferProgress) => void;

/**
 * A monotonic reporter: reports `bytes` only when above any earlier report.
 * Reports `{ bytes: 0, total }` at once. Undefined without a listener.
 */
export function progressReporter(listener: ProgressListener | undefined, total: number | undefined): ((bytes: number) => void) | undefined {
  if (listener === undefined || listener === null) return undefined;
  let reported = -1;
  const report = (bytes: number): void => {
    if (bytes <= reported) return;
    reported = bytes;
    listener({ bytes, total });
  };
  report(0);
  return report;
}

/** The Content-Length of a response as a number, undefined when absent. */
export function knownLength(headers: Readonly<Record<string, string>>): number | undefined {
  const value = headers['content-length'];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}
