import { heldErrors, type Chunk, type ReplayableSource } from '../http/body.js';
import type { ProgressEvent } from './types.js';
import { asBuffer, utf8Bytes } from '../util/bytes.js';

/**
 * Progress of one object, summed over its parts (segments). A part that is
 * re-sent after a retry starts again from zero.
 */
export class Progress {
  private done = 0;
  private readonly parts = new Map<number, number>();

  constructor(
    private readonly listener: ((event: ProgressEvent) => void) | undefined,
    private readonly action: ProgressEvent['action'],
    private readonly container: string,
    private readonly object: string,
    private readonly total: number | undefined,
  ) {}

  get enabled(): boolean {
    return this.listener !== undefined;
  }

  get bytesDone(): number {
    return this.done;
  }

  /** Counts `n` more bytes of part `index`. */
  add(index: number, n: number): void {
    this.parts.set(index, (this.parts.get(index) ?? 0) + n);
    this.done += n;
    this.report();
  }

  /** Part `index` starts again (a retry). */
  reset(index: number): void {
    const was = this.parts.get(index) ?? 0;
    if (was === 0) return;
    this.parts.set(index, 0);
    this.done -= was;
    this.report();
  }

  /** Reports the current state once more (e.g. 0 of N at the start). */
  report(): void {
    if (!this.listener) return;
    try {
      this.listener({ action: this.action, container: this.container, object: this.object, bytesDone: this.done, bytesTotal: this.total });
    } catch {
      // a faulty progress listener must not break the transfer
    }
  }
}

function toBuffer(chunk: Chunk): Buffer {
  return typeof chunk === 'string' ? utf8Bytes(chunk) : asBuffer(chunk);
}

/** Counts the bytes of an async iterable of chunks as they are taken. */
export async function* counted(source: AsyncIterable<Chunk> | Iterable<Chunk>, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of source as AsyncIterable<Chunk>) {
    const buffer = toBuffer(chunk);
    onBytes(buffer.length);
    yield buffer;
  }
}

/** A replayable source whose every opening reports its bytes as part `index` of `progress`. */
export function countedSource(source: ReplayableSource, progress: Progress, index: number): ReplayableSource {
  if (!progress.enabled) return source;
  return {
    size: source.size,
    open: async () => {
      progress.reset(index);
      const opened = await source.open();
      const iterable = typeof opened === 'string' || opened instanceof Uint8Array ? [opened] : heldErrors(opened);
      return counted(iterable, (n) => progress.add(index, n));
    },
  };
}
