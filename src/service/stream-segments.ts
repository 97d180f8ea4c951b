import type { ReplayableSource } from '../http/body.js';
import { checkDigest, md5 } from '../http/integrity.js';
import type { ResponseDict } from '../ops/request.js';
import { untilAborted } from '../util/abort.js';
import type { Call } from './context.js';
import { SwiftError } from './errors.js';
import { streamSegmentName } from './naming.js';
import { countedSource } from './progress.js';
import { failed, putSegment, putSloManifest, reusedSegment, type LargeUpload, type ManifestOutcome, type StoredSegment } from './segments.js';
import { StreamJournal } from './stream-journal.js';
import type { UploadResult, UploadSegmentResult } from './types.js';

/** Up to one segment of a stream, held in memory as the chunks read. */
interface Piece {
  chunks: Buffer[];
  length: number;
  md5: string;
}

/** Reads an async iterable of Buffers in pieces of an exact size. */
export class PieceReader {
  private readonly iterator: AsyncIterator<Buffer>;
  private leftover: Buffer | undefined;
  private ended = false;
  /** A next() we stopped waiting for (the call was aborted): it may never settle. */
  private abandoned = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** The next `size` bytes (fewer only at the end of the stream). */
  async read(size: number, signal: AbortSignal): Promise<Piece> {
    const chunks: Buffer[] = [];
    const hash = md5();
    let length = 0;
    while (length < size) {
      if (signal.aborted) throw signal.reason;
      let chunk = this.leftover;
      this.leftover = undefined;
      if (!chunk) {
        if (this.ended) break;
        // A source that stalls must not hold up an abort.
        let step: IteratorResult<Buffer>;
        try {
          step = await untilAborted(this.iterator.next(), signal);
        } catch (err) {
          if (signal.aborted) this.abandoned = true;
          throw err;
        }
        if (step.done) {
          this.ended = true;
          break;
        }
        chunk = step.value;
      }
      if (chunk.length > size - length) {
        this.leftover = chunk.subarray(size - length);
        chunk = chunk.subarray(0, size - length);
      }
      if (chunk.length === 0) continue;
      chunks.push(chunk);
      hash.update(chunk);
      length += chunk.length;
    }
    return { chunks, length, md5: hash.digest('hex') };
  }

  /**
   * Stops reading the source. Behind an abandoned next() an async
   * generator's return() waits for it, so then it is only requested.
   */
  async close(): Promise<void> {
    const closing = Promise.resolve(this.iterator.return?.());
    if (this.abandoned) closing.catch(() => undefined);
    else await closing;
  }
}

/** What streaming an upload produced. */
export interface StreamOutcome {
  /** False when the stream fit in one segment and became the object itself. */
  largeObject: boolean;
  bytes: number;
  responseDict?: ResponseDict | undefined;
  manifest?: ManifestOutcome | undefined;
}

type Step = { kind: 'empty' } | { kind: 'object'; rd: ResponseDict; bytes: number } | { kind: 'segment'; result: UploadSegmentResult };

function pieceSource(piece: Piece): ReplayableSource {
  return { size: piece.length, open: () => piece.chunks };
}

/**
 * A stream of unknown length as an SLO (python's `_upload_stream_segment`
 * loop): pieces of `segmentSize` are read one after the other, each only
 * once a segment worker is free, so at most `segmentThreads` pieces are in
 * memory; a stream shorter than one segment becomes a plain object.
 */
export async function uploadStreamSlo(call: Call<UploadResult>, up: LargeUpload, source: AsyncIterable<Buffer>): Promise<StreamOutcome> {
  const journal = up.journal === undefined ? undefined : await StreamJournal.open(call, up, up.journal);
  const reader = new PieceReader(source);
  const tasks: Array<Promise<Step>> = [];
  let broken = false;
  let readError: unknown;
  try {
    for (let index = 0; !broken && !call.signal.aborted; index += 1) {
      let onFilled!: (complete: boolean) => void;
      let onReadError!: (err: unknown) => void;
      const filled = new Promise<boolean>((resolve, reject) => {
        onFilled = resolve;
        onReadError = reject;
      });
      tasks.push(
        call.segmentLimit(async (): Promise<Step> => {
          let piece: Piece;
          try {
            piece = await reader.read(up.segmentSize, call.signal);
          } catch (err) {
            onReadError(err);
            throw err;
          }
          const complete = piece.length < up.segmentSize;
          onFilled(complete);
          if (piece.length === 0 && index > 0) return { kind: 'empty' };
          const headers = { ...up.putHeaders, etag: piece.md5 };
          if (index === 0 && complete) return putWhole(call, up, piece, headers);
          const plan = journal ? await journal.step(index, piece) : { reuse: undefined, name: streamSegmentName(up.obj, up.mtime, up.segmentSize, index) };
          if (plan.reuse) return { kind: 'segment', result: reusedSegment(call, up, index, plan.name, piece.length, plan.reuse) };
          const body = () => countedSource(pieceSource(piece), up.progress, index);
          const result = await putSegment(call, up, index, plan.name, piece.length, body, headers);
          if (!result.success) broken = true;
          else await journal?.record({ index, name: plan.name, bytes: piece.length, md5: piece.md5 });
          return { kind: 'segment', result };
        }),
      );
      try {
        if (await filled) break;
      } catch (err) {
        readError = err;
        break;
      }
    }
  } finally {
    await reader.close().catch(() => undefined);
  }
  const steps = await Promise.allSettled(tasks);
  const results: UploadSegmentResult[] = [];
  let whole: Extract<Step, { kind: 'object' }> | undefined;
  for (const step of steps) {
    if (step.status === 'fulfilled' && step.value.kind === 'segment') results.push(step.value.result);
    if (step.status === 'fulfilled' && step.value.kind === 'object') whole = step.value;
  }
  const stored: StoredSegment[] = results
    .filter((r) => r.success)
    .map((r) => ({ index: r.segmentIndex, path: r.segmentLocation, etag: r.segmentEtag ?? '', sizeBytes: r.segmentSize }));
  const failure = readError ?? steps.find((s) => s.status === 'rejected')?.reason ?? results.find((r) => !r.success)?.error;
  if (failure !== undefined || call.signal.aborted) {
    throw await failed(call, up, stored, results, 'Aborting manifest creation because the stream could not be uploaded', failure ?? call.signal.reason);
  }
  if (whole) {
    await journal?.finish(call, up, new Set());
    return { largeObject: false, bytes: whole.bytes, responseDict: whole.rd };
  }
  const manifest = await putSloManifest(call, up, stored, results);
  await journal?.finish(call, up, manifest.newPaths);
  return { largeObject: true, bytes: stored.reduce((sum, s) => sum + s.sizeBytes, 0), manifest };
}

/** A stream shorter than one segment, uploaded as the object itself. */
async function putWhole(call: Call<UploadResult>, up: LargeUpload, piece: Piece, headers: Record<string, string>): Promise<Step> {
  const rd: ResponseDict = {};
  const etag = await call.conn.putObject(up.container, up.obj, countedSource(pieceSource(piece), up.progress, 0), {
    contentLength: piece.length,
    headers,
    responseDict: rd,
    signal: call.signal,
    checksum: call.checksum,
  });
  if (call.checksum !== false && etag) {
    checkDigest(etag, piece.md5, {
      container: up.container,
      object: up.obj,
      message: (got, sent) => `Upload verification failed for ${up.obj}: md5 mismatch ${sent} != ${got}`,
    });
  }
  return { kind: 'object', rd, bytes: piece.length };
}
