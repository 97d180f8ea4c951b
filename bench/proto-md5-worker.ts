// MD5 in a worker thread for bench/proto-body.ts: buffers are sent to it
// (moved or copied) and hashed there while the main thread reads on.
import { Worker } from 'node:worker_threads';

/** A worker that hashes what it is sent and acknowledges each message. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
let hash = createHash('md5');
parentPort.on('message', (m) => {
  if (m === 'digest') { parentPort.postMessage({ digest: hash.digest('hex') }); hash = createHash('md5'); return; }
  if (m && m.file) {
    // hashes a byte range of a file itself (an upload from a file: no copy to send)
    const fs = require('node:fs');
    const fd = fs.openSync(m.file, 'r');
    const b = Buffer.allocUnsafeSlow(1 << 20);
    let pos = 0, n;
    while ((n = fs.readSync(fd, b, 0, b.length, pos)) > 0) { hash.update(n === b.length ? b : b.subarray(0, n)); pos += n; }
    fs.closeSync(fd);
    parentPort.postMessage({ digest: hash.digest('hex') }); hash = createHash('md5');
    return;
  }
  hash.update(new Uint8Array(m));
  parentPort.postMessage(1);
});
`;

export class Md5Worker {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  private outstanding = 0;
  private drained: (() => void) | undefined;
  private digestWaiter: ((d: string) => void) | undefined;
  constructor() {
    this.worker.on('message', (m: unknown) => {
      if (typeof m === 'object' && m !== null && 'digest' in m) {
        this.digestWaiter?.((m as { digest: string }).digest);
        return;
      }
      this.outstanding -= 1;
      if (this.outstanding <= 2) {
        const d = this.drained;
        this.drained = undefined;
        d?.();
      }
    });
  }
  /** Transfers (moves) the buffer's memory to the worker: the caller must not use it again. */
  transfer(b: Buffer): void {
    // a buffer of its own is moved; a view of a larger one (the last, short buffer) is copied first
    const whole = b.byteOffset === 0 && b.length === b.buffer.byteLength;
    const ab = (whole ? b.buffer : b.buffer.slice(b.byteOffset, b.byteOffset + b.length)) as ArrayBuffer;
    this.outstanding += 1;
    this.worker.postMessage(ab, [ab]);
  }
  /** Copies the bytes to the worker (structured clone). */
  copy(b: Buffer): void {
    this.outstanding += 1;
    this.worker.postMessage(new Uint8Array(b.buffer, b.byteOffset, b.length));
  }
  /** Waits while `limit` or more buffers are outstanding (bounded memory). */
  async room(limit = 8): Promise<void> {
    if (this.outstanding < limit) return;
    await new Promise<void>((resolve) => (this.drained = resolve));
  }
  digest(message: unknown = 'digest'): Promise<string> {
    return new Promise((resolve) => {
      this.digestWaiter = resolve;
      this.worker.postMessage(message);
    });
  }
  async ready(): Promise<void> {
    this.copy(Buffer.alloc(16));
    await this.digest();
  }
  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

