/**
 * The `Content-Range` of a 206 answer, so that every resumed or ranged read
 * checks that the server sent the bytes it was asked for: a proxy or server
 * that answers a different range would otherwise put bytes in the wrong place.
 */

/** `Content-Range: bytes <first>-<last>/<length>`, offsets in bytes, inclusive; `length` undefined for `*`. */
export interface ContentRange {
  first: number;
  last: number;
  length: number | undefined;
}

/**
 * Parses a 206's `Content-Range` header; undefined when it is absent or says
 * anything else (an unsatisfied `bytes * /<length>`, another unit).
 *
 * @example parseContentRange('bytes 100-199/1000') // { first: 100, last: 199, length: 1000 }
 */
export function parseContentRange(header: string | undefined): ContentRange | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec((header ?? '').trim());
  if (!match) return undefined;
  const [first, last] = [Number(match[1]), Number(match[2])];
  const length = match[3] === '*' ? undefined : Number(match[3]);
  if (last < first || (length !== undefined && last >= length)) return undefined;
  return { first, last, length };
}

/**
 * True when `header` says the answer starts at byte `first` and, when
 * `total` is given, runs to the end of a `total`-byte object.
 */
export function rangeStartsAt(header: string | undefined, first: number, total?: number): boolean {
  const range = parseContentRange(header);
  if (range?.first !== first) return false;
  return total === undefined || (range.last === total - 1 && range.length === total);
}
