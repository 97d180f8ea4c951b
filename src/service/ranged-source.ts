// What a segmented upload reads its segments from: any source that can hand
// out a byte range again and again (a file on disk, a Blob), so segments go
// out in parallel, are re-sent on a retry, and are checked for reuse by MD5.
import type { ReplayableSource } from '../http/body.js';
import { md5 } from '../http/integrity.js';
import { readBlob } from '../http/web-stream.js';

/** A source of known size whose byte ranges can be read any number of times. */
export interface RangedSource {
  /** Bytes `start` to `start + length - 1` as a replayable upload body. */
  range(start: number, length: number): ReplayableSource;
  /** MD5 (hex) of bytes `start` to `start + length - 1` (a resumed upload reuses a stored segment only when it matches). */
  md5(start: number, length: number, signal: AbortSignal): Promise<string>;
}

/** A Blob (a browser's File) sliced into segments with `blob.slice()`: the platform reads each slice when it is sent. */
export function blobRanges(blob: Blob): RangedSource {
  return {
    range: (start, length) => ({ size: length, open: () => readBlob(blob, start, start + length) }),
    md5: async (start, length, signal) => {
      const hash = md5();
      for await (const chunk of readBlob(blob, start, start + length)) {
        if (signal.aborted) throw signal.reason;
        hash.update(chunk);
      }
      return hash.digest('hex');
    },
  };
}
