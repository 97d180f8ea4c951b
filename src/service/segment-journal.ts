/**
 * How far each segment of a large-object download has been written, kept in
 * the download's state file, so that a killed download continues a segment
 * where its bytes end instead of fetching it again. With N segment threads a
 * kill then costs the bytes written since the last save plus what sat in
 * buffers, not up to N whole segments.
 *
 * Only segments in progress are recorded: a finished segment is recognised
 * by its MD5 on the next run, so the record stays as small as the number of
 * segment threads. Saved by bytes written (see {@link journalStep}), not by
 * the clock, so a fast download does not write its state file a hundred
 * times a second.
 */
export class SegmentJournal {
  private readonly segments = new Map<number, number>();
  private dirty = false;
  private closed = false;
  /** Bytes written since the last save began, summed over the segments. */
  private unsaved = 0;
  private lastSave = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> = Promise.resolve();
  private readonly everyBytes: number;
  private readonly intervalMs: number;

  /**
   * @param save writes the record (segment index → bytes from the segment's start, all written to the
   *   file); its failures are ignored (a full disk fails the download's writes, not its bookkeeping).
   * @param earlier the record an earlier run left (kept until each segment is continued, finished or restarted).
   * @param o.everyBytes a save once this many bytes were written since the last one: what a kill can
   *   cost beyond buffers. Default 4 MiB; {@link journalStep} picks it from the segment size.
   * @param o.intervalMs and at most one save per this many milliseconds (a save is a file write and a
   *   rename, about 0.5 CPU-ms here). Default 10.
   */
  constructor(
    private readonly save: (segments: Record<string, number>) => Promise<void>,
    earlier?: Readonly<Record<string, number>>,
    o: { everyBytes?: number; intervalMs?: number } = {},
  ) {
    this.everyBytes = o.everyBytes ?? 4 * MiB;
    this.intervalMs = o.intervalMs ?? 10;
    for (const [index, bytes] of Object.entries(earlier ?? {})) {
      if (/^\d+$/.test(index) && Number.isSafeInteger(bytes) && bytes > 0) this.segments.set(Number(index), bytes);
    }
  }

  /** The first `bytes` bytes of segment `index` are on the file. */
  written(index: number, bytes: number): void {
    this.unsaved += Math.max(0, bytes - (this.segments.get(index) ?? 0));
    this.segments.set(index, bytes);
    this.dirty = true;
    if (this.unsaved >= this.everyBytes) this.schedule();
  }

  /**
   * Segment `index` is finished, or starts again from its first byte: nothing of it to keep by this
   * record. Saved with the next progress (a finished segment is recognised by its MD5 anyway, and a
   * restarted one's stale record fails its MD5 and is fetched whole).
   */
  forget(index: number): void {
    if (this.segments.delete(index)) this.dirty = true;
  }

  /** Stops saving; with `saveLast`, saves what changed since the last save first. Waits for a save in progress. */
  async close(saveLast: boolean): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!saveLast) this.dirty = false;
    await this.flush();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.closed) return;
    const wait = Math.max(0, this.lastSave + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, wait);
  }

  /** One save at a time, in order (the state file is written through one temporary name). */
  private flush(): Promise<void> {
    this.saving = this.saving.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      this.unsaved = 0;
      this.lastSave = Date.now();
      await this.save(Object.fromEntries(this.segments)).catch(() => undefined);
    });
    return this.saving;
  }
}

const MiB = 1 << 20;

/**
 * How many written bytes between saves for segments of `segmentBytes` (the
 * plan's segment size): an eighth of a segment, at least 1 MiB (saving more
 * often would cost more than it keeps) and at most 8 MiB (at 300 MiB/s about
 * 40 saves a second, 2 % of a core here).
 */
export function journalStep(segmentBytes: number): number {
  return Math.min(8 * MiB, Math.max(MiB, Math.floor(segmentBytes / 8)));
}

/** The recorded bytes of one segment worth continuing from: more than none, fewer than all (a whole segment is recognised by its MD5). */
export function keptBytes(record: Readonly<Record<string, number>> | undefined, index: number, segmentBytes: number): number {
  const kept = record?.[String(index)];
  return typeof kept === 'number' && Number.isSafeInteger(kept) && kept > 0 && kept < segmentBytes ? kept : 0;
}
