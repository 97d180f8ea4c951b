import type { FileHandle } from 'node:fs/promises';

/** Bytes gathered before one `writev`: one system call and one thread-pool trip per 512 KiB, not per network chunk. */
const BATCH_BYTES = 512 * 1024;

/**
 * Writes a download's chunks at consecutive positions of a file, gathered
 * into batches written with one `writev` each (no copy), one batch in
 * flight while the next gathers: at most two batches held (bounded memory).
 * The chunks must stay unchanged until written (fresh network buffers are).
 */
export class BatchedWriter {
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private inFlight: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  /**
   * @param onWritten told the file position up to which every byte is written, after each batch (in order).
   */
  constructor(
    private readonly handle: FileHandle,
    private position: number,
    private readonly onWritten?: (position: number) => void,
  ) {}

  /** Queues `chunk`; a promise to await only when the caller must wait for the previous batch (else undefined). */
  write(chunk: Buffer): Promise<void> | undefined {
    if (this.failure) throw this.failure.error;
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    return this.batchBytes >= BATCH_BYTES ? this.flush() : undefined;
  }

  /** Writes what is gathered once the batch before it is written. */
  private async flush(): Promise<void> {
    await this.inFlight;
    if (this.failure) throw this.failure.error;
    const buffers = this.batch;
    const bytes = this.batchBytes;
    const at = this.position;
    this.batch = [];
    this.batchBytes = 0;
    this.position += bytes;
    this.inFlight = writeAll(this.handle, buffers, bytes, at).then(
      () => this.onWritten?.(at + bytes),
      (error: unknown) => {
        this.failure = { error };
      },
    );
  }

  /** Writes the rest and waits until everything is on the file; throws a write's failure. */
  async end(): Promise<void> {
    if (this.batchBytes > 0) await this.flush();
    await this.inFlight;
    if (this.failure) throw this.failure.error;
  }

  /** Waits for a write in flight, ignoring its outcome (before closing the file after a failure). */
  async settle(): Promise<void> {
    await this.inFlight;
  }
}

/** `writev` until every byte is written (a short write continues where it stopped). */
async function writeAll(handle: FileHandle, buffers: Buffer[], bytes: number, position: number): Promise<void> {
  let { bytesWritten } = await handle.writev(buffers, position);
  while (bytesWritten < bytes) {
    const rest = Buffer.concat(buffers).subarray(bytesWritten);
    const more = await handle.write(rest, 0, rest.length, position + bytesWritten);
    if (more.bytesWritten === 0) throw new Error(`Short write: ${bytesWritten} of ${bytes} bytes at ${position}`);
    bytesWritten += more.bytesWritten;
  }
}
