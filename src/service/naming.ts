import type { BigIntStats } from 'node:fs';
import { quote, unquote } from '../util/quote.js';

/**
 * Names, header values and manifest bodies exactly as python-swiftclient
 * 4.x writes them, so that objects uploaded by either client are handled
 * the same way by the other (skip-identical, changed, segment cleanup).
 */

/** MD5 of nothing: the ETag of an empty object. */
export const EMPTY_ETAG = 'd41d8cd98f00b204e9800998ecf8427e';

/** Content types python treats as directory markers. */
export const DIR_MARKER_TYPES = ['application/directory', 'text/directory'];

/** Content type python gives file segments. */
export const SEGMENT_CONTENT_TYPE = 'application/swiftclient-segment';

/**
 * `"%f" % os.path.getmtime(path)`: CPython computes `st_mtime` as the double
 * `sec + nsec * 1e-9` and prints it with six decimals.
 */
export function pythonMtime(stats: BigIntStats): string {
  const ns = stats.mtimeNs;
  const sec = ns / 1_000_000_000n;
  const nsec = ns % 1_000_000_000n;
  return percentF(Number(sec) + Number(nsec) * 1e-9);
}

/**
 * Python's `"%f" % x`: six decimals of the double's exact value, a tie
 * rounded half to even (JavaScript's toFixed rounds it up: 1700000000.0078125
 * is ...007812 in python, ...007813 with toFixed).
 */
export function percentF(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, Math.abs(x));
  const word = bits.getBigUint64(0);
  const biased = Number((word >> 52n) & 0x7ffn);
  const fraction = word & ((1n << 52n) - 1n);
  // |x| = mantissa × 2^exponent, exactly
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  let micros: bigint;
  if (exponent >= 0) {
    micros = (mantissa << BigInt(exponent)) * 1_000_000n;
  } else {
    const numerator = mantissa * 1_000_000n;
    const denominator = 1n << BigInt(-exponent);
    micros = numerator / denominator;
    const twice = 2n * (numerator % denominator);
    if (twice > denominator || (twice === denominator && micros % 2n === 1n)) micros += 1n;
  }
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  return `${sign}${micros / 1_000_000n}.${String(micros % 1_000_000n).padStart(6, '0')}`;
}

/** `"%f" % round(time())`, the mtime python gives streamed uploads (round half to even). */
export function pythonNowMtime(nowMs = Date.now()): string {
  const t = nowMs / 1000;
  let rounded = Math.round(t);
  if (t - Math.floor(t) === 0.5 && rounded % 2 !== 0) rounded -= 1;
  return rounded.toFixed(6);
}

/** `<obj>/slo/<mtime>/<size>/<segment_size>/<index:08d>` (SLO) or the same without `slo/` (DLO). */
export function fileSegmentName(obj: string, mtime: string, fullSize: number, segmentSize: number, index: number, slo: boolean): string {
  return `${obj}/${slo ? 'slo/' : ''}${mtime}/${fullSize}/${segmentSize}/${pad8(index)}`;
}

/** `<obj>/slo/<mtime>/<segment_size>/<index:08d>`: segments of a stream of unknown length. */
export function streamSegmentName(obj: string, mtime: string, segmentSize: number, index: number): string {
  return `${obj}/slo/${mtime}/${segmentSize}/${pad8(index)}`;
}

function pad8(index: number): string {
  return String(index).padStart(8, '0');
}

/** The X-Object-Manifest python writes for a DLO: quoted, with a trailing slash. */
export function dloManifestValue(segmentContainer: string, obj: string, mtime: string, fullSize: number, segmentSize: number): string {
  return `${quote(segmentContainer)}/${quote(obj)}/${mtime}/${fullSize}/${segmentSize}/`;
}

/** Splits an X-Object-Manifest value into its (unquoted) container and prefix. */
export function parseDloManifest(value: string): { container: string; prefix: string } {
  const at = value.indexOf('/');
  if (at < 0) return { container: unquote(value), prefix: '' };
  return { container: unquote(value.slice(0, at)), prefix: unquote(value.slice(at + 1)) };
}

/** The default segment container of `container`. */
export function segmentContainerOf(container: string, segmentContainer: string | undefined): string {
  return segmentContainer || `${container}_segments`;
}

/** A normalised `container/object` path split at its first slash. */
export function splitPath(path: string): [container: string, obj: string] {
  const at = path.indexOf('/');
  return [path.slice(0, at), path.slice(at + 1)];
}

/** `/container/object` without the leading slash (python's `normalize_manifest_path`). */
export function normalizeManifestPath(path: string): string {
  return path.startsWith('/') ? path.slice(1) : path;
}

/** One entry of an SLO manifest as python uploads it. */
export interface ManifestSegment {
  /** `/<segment container>/<segment name>`, unquoted. */
  path: string;
  etag: string;
  sizeBytes: number;
}

/** `json.dumps([{'path': ..., 'etag': ..., 'size_bytes': ...}, ...])`, byte for byte. */
export function sloManifestBody(segments: ManifestSegment[]): string {
  const entries = segments.map(
    (s) => `{"path": ${pyJsonString(s.path)}, "etag": ${pyJsonString(s.etag)}, "size_bytes": ${String(s.sizeBytes)}}`,
  );
  return `[${entries.join(', ')}]`;
}

/** A string as python's `json.dumps` (ensure_ascii) writes it. */
export function pyJsonString(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** python's `os.path.join(a, b)` for POSIX relative parts (no normalisation). */
export function joinPath(a: string, b: string): string {
  if (b.startsWith('/')) return b;
  if (a === '' || a.endsWith('/')) return a + b;
  return `${a}/${b}`;
}

/** Drops a leading `./` (or `.\`) and leading slashes from an object name, as python does before a PUT. */
export function cleanObjectName(name: string): string {
  let out = name;
  if (out.startsWith('./') || out.startsWith('.\\')) out = out.slice(2);
  if (out.startsWith('/')) out = out.slice(1);
  return out;
}
