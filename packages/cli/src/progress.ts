import type { MultiBar, SingleBar } from 'cli-progress';
import type { ProgressEvent } from 'swiftclient';
import { humanBytes } from './format.js';
import type { LineSink, Output } from './output.js';

/** Should upload/download draw a bar: only on a terminal, never when quiet or when data goes to the terminal. */
export function progressWanted(output: Output, verbose: number, dataToStdout = false): boolean {
  if (verbose <= 0 || !output.stderr.isTTY) return false;
  if (dataToStdout && output.stdout.isTTY) return false;
  return process.env.TERM !== 'dumb';
}

interface Item {
  done: number;
  total: number | undefined;
}

/**
 * One bar for a whole upload or download on stderr: bytes done of the
 * bytes known so far, rate, ETA and objects finished. While it is drawn,
 * lines for the terminal go above it.
 */
export class TransferBar {
  private readonly multi: MultiBar;
  private readonly bar: SingleBar;
  private readonly items = new Map<string, Item>();
  private readonly started = Date.now();
  private expected = 0;
  private finished = 0;
  private stopped = false;
  private readonly previousSink: LineSink;

  /** Draws a bar (cli-progress is loaded only when a bar is wanted). */
  static async start(output: Output, label: string, expectedBytes?: number): Promise<TransferBar> {
    const { default: cliProgress } = await import('cli-progress');
    return new TransferBar(output, label, expectedBytes, cliProgress.MultiBar);
  }

  private constructor(
    private readonly output: Output,
    label: string,
    /** Bytes expected in all, when known before the transfer starts. */
    expectedBytes: number | undefined,
    Multi: typeof MultiBar,
  ) {
    this.expected = expectedBytes ?? 0;
    this.multi = new Multi({
      stream: output.stderr,
      format: `${label} [{bar}] {percentage}% | {done}/{size} | {rate}/s | ETA {eta_formatted} | {objects}`,
      barCompleteChar: '#',
      barIncompleteChar: '-',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
      fps: 10,
      autopadding: true,
    });
    this.bar = this.multi.create(Math.max(this.expected, 1), 0, this.payload(0, this.expected));
    this.previousSink = output.sink;
    const stdoutIsTerminal = Boolean(output.stdout.isTTY);
    output.sink = {
      write: (stream, text) => {
        if (!this.stopped && (stream === output.stderr || stdoutIsTerminal)) this.multi.log(text);
        else stream.write(text);
      },
    };
  }

  private payload(done: number, size: number): Record<string, string> {
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    return {
      done: humanBytes(done),
      size: size > 0 ? humanBytes(size) : '?',
      rate: humanBytes(Math.round(done / seconds)),
      objects: `${this.finished} object${this.finished === 1 ? '' : 's'}`,
    };
  }

  private redraw(): void {
    let done = 0;
    let known = 0;
    for (const item of this.items.values()) {
      done += item.done;
      known += item.total ?? item.done;
    }
    const total = Math.max(this.expected, known, done, 1);
    this.bar.setTotal(total);
    this.bar.update(done, this.payload(done, Math.max(this.expected, known)));
  }

  /** The service's onProgress callback. */
  readonly onProgress = (event: ProgressEvent): void => {
    if (this.stopped) return;
    const key = `${event.container}/${event.object}`;
    this.items.set(key, { done: event.bytesDone, total: event.bytesTotal });
    this.redraw();
  };

  /** Counts a finished object. */
  objectDone(): void {
    this.finished += 1;
    if (!this.stopped) this.redraw();
  }

  /** Draws the final state and gives the terminal back. */
  stop(): void {
    if (this.stopped) return;
    this.redraw();
    this.multi.update();
    this.stopped = true;
    this.multi.stop();
    this.output.sink = this.previousSink;
  }
}
