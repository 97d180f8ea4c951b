/**
 * How far each segment of a large-object download has been written, kept in
 * the download's state file, so that a killed download continues a segment
 * where its bytes end instead of fetching it again. With N segment threads a
 * kill then costs the bytes written since the last save (one interval) plus
 * what sat in buffers, not up to N whole segments.
 *
 * Only segments in progress are recorded: a finished segment is recognised
 * by its MD5 on the next run, so the record stays as small as the number of
 * segment threads.
 */
export class SegmentJournal {
  private readonly segments = new Map<number, number>();
  private dirty = false;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> = Promise.resolve();

  /**
   * @param save writes the record (segment index → bytes from the segment's start, all written to the
   *   file); its failures are ignored (a full disk fails the download's writes, not its bookkeeping).
   * @param intervalMs at most one save per this many milliseconds while bytes arrive. Default 10: about
   *   3 MiB at 300 MiB/s is at risk, well under a segment (python's and ours default to 1 GiB or more; the
   *   smallest worth segmenting are a few MiB).
   * @param earlier the record an earlier run left (kept until each segment is continued, finished or restarted).
   */
  constructor(
    private readonly save: (segments: Record<string, number>) => Promise<void>,
    earlier?: Readonly<Record<string, number>>,
    private readonly intervalMs = 10,
  ) {
    for (const [index, bytes] of Object.entries(earlier ?? {})) {
      if (/^\d+$/.test(index) && Number.isSafeInteger(bytes) && bytes > 0) this.segments.set(Number(index), bytes);
    }
  }

  /** The first `bytes` bytes of segment `index` are on the file. */
  written(index: number, bytes: number): void {
    this.segments.set(index, bytes);
    this.changed();
  }

  /** Segment `index` is finished, or starts again from its first byte: nothing of it to keep by this record. */
  forget(index: number): void {
    if (this.segments.delete(index)) this.changed();
  }

  /** Stops saving; with `saveLast`, saves what changed since the last save first. Waits for a save in progress. */
  async close(saveLast: boolean): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!saveLast) this.dirty = false;
    await this.flush();
  }

  private changed(): void {
    this.dirty = true;
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.intervalMs);
  }

  /** One save at a time, in order (the state file is written through one temporary name). */
  private flush(): Promise<void> {
    this.saving = this.saving.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      await this.save(Object.fromEntries(this.segments)).catch(() => undefined);
    });
    return this.saving;
  }
}

/** The recorded bytes of one segment worth continuing from: more than none, fewer than all (a whole segment is recognised by its MD5). */
export function keptBytes(record: Readonly<Record<string, number>> | undefined, index: number, segmentBytes: number): number {
  const kept = record?.[String(index)];
  return typeof kept === 'number' && Number.isSafeInteger(kept) && kept > 0 && kept < segmentBytes ? kept : 0;
}
