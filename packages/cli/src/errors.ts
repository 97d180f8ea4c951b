import { ClientException, NotFoundError, SwiftError } from 'swiftclient';
import { pyStrRepr } from './format.js';
import { UsageError } from './output.js';

/**
 * The text `swift` prints for an error: a ClientException's message (with
 * its transaction id), a SwiftError's value without the " container:..."
 * details, python's `Container 'x' not found` wording.
 */
export function errorText(err: unknown): string {
  if (err instanceof SwiftError) {
    let text = err.message;
    for (const [name, value] of [
      ['segment', err.segment],
      ['object', err.object],
      ['container', err.container],
    ] as const) {
      const suffix = ` ${name}:${String(value)}`;
      if (value !== undefined && text.endsWith(suffix)) text = text.slice(0, -suffix.length);
    }
    const missing = /^Container "(.*)" not found$/s.exec(text);
    if (missing && err.container !== undefined) text = `Container ${pyStrRepr(err.container)} not found`;
    return text;
  }
  if (err instanceof ClientException || err instanceof UsageError) return err.message;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}

/** The stack trace and causes, for --debug. */
export function errorDetails(err: unknown): string {
  const lines: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    lines.push(current instanceof Error ? (current.stack ?? current.message) : String(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) lines.push('Caused by:');
  }
  return lines.join('\n');
}

/**
 * python's `str(SwiftError)`, which `swift delete` prints: the value's repr,
 * then ` container:`, ` object:` and ` segment:` when set.
 */
export function pySwiftErrorStr(err: SwiftError): string {
  let text = pyStrRepr(errorText(err));
  if (err.container !== undefined) text += ` container:${err.container}`;
  if (err.object !== undefined) text += ` object:${err.object}`;
  if (err.segment !== undefined) text += ` segment:${String(err.segment)}`;
  return text;
}

/** A 404 for what was asked for (never an auth URL's), directly or as the cause of a SwiftError. */
export function isNotFound(err: unknown): boolean {
  if (err instanceof NotFoundError) return true;
  if (err instanceof SwiftError) return isNotFound(err.cause);
  return false;
}

/** The status of an HTTP error with no class of its own (code `HTTP`), directly or as a SwiftError's cause. */
export function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof ClientException) return err.code === 'HTTP' ? err.httpStatus : undefined;
  if (err instanceof SwiftError) return httpStatusOf(err.cause);
  return undefined;
}
