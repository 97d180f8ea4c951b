import { oneLine } from './format.js';

/** Where a line goes while a progress bar may be on screen. */
export interface LineSink {
  /** Writes `text` (already ending in a newline) to `stream`, keeping any progress bar intact. */
  write(stream: NodeJS.WriteStream, text: string): void;
}

const direct: LineSink = { write: (stream, text) => void stream.write(text) };

/**
 * python-swiftclient's `OutputManager`: messages to stdout, errors to stderr,
 * and a count of errors that decides the exit code.
 */
export class Output {
  errorCount = 0;
  sink: LineSink = direct;

  constructor(
    readonly stdout: NodeJS.WriteStream = process.stdout,
    readonly stderr: NodeJS.WriteStream = process.stderr,
  ) {}

  /** A line on stdout. */
  print(text: string): void {
    this.sink.write(this.stdout, `${text}\n`);
  }

  /** Raw bytes on stdout (`download -o -`). */
  raw(chunk: Uint8Array): boolean {
    return this.stdout.write(chunk);
  }

  /** An error on stderr; counted, so the exit code becomes 1. */
  error(text: string): void {
    this.errorCount += 1;
    this.sink.write(this.stderr, `${oneLine(text)}\n`);
  }

  /** A multi-line message on stderr that counts as an error (usage text). */
  errorBlock(text: string): void {
    this.errorCount += 1;
    this.sink.write(this.stderr, `${text}\n`);
  }

  /** A warning on stderr; not counted. */
  warning(text: string): void {
    this.sink.write(this.stderr, `${oneLine(text)}\n`);
  }

  /** `print_items`: `%<offset>s: %s` lines, right-aligned labels, trailing spaces stripped. */
  printItems(items: ReadonlyArray<readonly [string, unknown]>, options: { skipMissing?: boolean } = {}): void {
    const offset = Math.max(0, ...items.map(([label]) => label.length));
    for (const [label, value] of items) {
      if (options.skipMissing && (value === undefined || value === null || value === '')) continue;
      this.print(`${label.padStart(offset)}: ${value === undefined || value === null ? 'None' : String(value)}`.trimEnd());
    }
  }
}

/** Raised to stop a command with a message (python's `exit('...')`): printed to stderr, exit code 1. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
