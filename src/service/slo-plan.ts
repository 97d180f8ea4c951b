import type { Connection } from '../connection.js';
import { SwiftError } from './errors.js';
import { splitPath } from './naming.js';

/**
 * The content of an SLO as its manifest (`multipart-manifest=get`) describes
 * it: segments, byte ranges of segments (`range`), inline bytes (`data`,
 * base64), and nested SLOs (`sub_slo`, themselves possibly ranged), flattened
 * into the pieces a per-segment download fetches in order.
 */

/** One piece of an SLO's content. */
export type SloPiece =
  | {
      kind: 'segment';
      /** `container/object` of the segment. */
      path: string;
      /** The first byte taken from the segment object. */
      start: number;
      /** How many bytes are taken. */
      bytes: number;
      /** The segment object's whole size. */
      size: number;
      /** MD5 (hex) of the whole segment object. */
      hash: string;
    }
  | { kind: 'data'; data: Buffer };

/** Bytes of a piece. */
function lengthOf(piece: SloPiece): number {
  return piece.kind === 'data' ? piece.data.length : piece.bytes;
}

/** The entries of a manifest body. */
interface ManifestEntry {
  name?: string;
  hash?: string;
  bytes?: number;
  range?: string;
  data?: string;
  sub_slo?: boolean;
}

/** Nested SLOs deeper than Swift allows (10) mean a manifest we do not understand. */
const MAX_DEPTH = 10;

/**
 * A manifest entry's `range` as `[start, length]` within an object of `size`
 * bytes (`a-b` inclusive, `a-`, or `-n` for the last n), clipped to the
 * object; undefined when it is not a range.
 */
export function parseRange(range: string, size: number): [start: number, length: number] | undefined {
  const m = /^\s*(\d*)-(\d*)\s*$/.exec(range);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end) return undefined;
  return [start, end - start + 1];
}

/** The pieces covering bytes `start` to `start + length - 1` of the content the pieces make up. */
export function cropPieces(pieces: readonly SloPiece[], start: number, length: number): SloPiece[] {
  const out: SloPiece[] = [];
  let offset = 0;
  const end = start + length;
  for (const piece of pieces) {
    const n = lengthOf(piece);
    const [from, to] = [Math.max(start, offset), Math.min(end, offset + n)];
    if (from < to) {
      const [a, b] = [from - offset, to - offset];
      if (piece.kind === 'data') out.push({ kind: 'data', data: piece.data.subarray(a, b) });
      else out.push({ ...piece, start: piece.start + a, bytes: b - a });
    }
    offset += n;
  }
  return out;
}

/** The pieces of an SLO from its manifest body, nested manifests fetched and expanded. */
export async function sloPieces(conn: Connection, body: Buffer, signal: AbortSignal, depth = 0): Promise<SloPiece[]> {
  if (depth > MAX_DEPTH) throw new SwiftError(`SLO manifests nested more than ${MAX_DEPTH} deep`);
  let entries: ManifestEntry[];
  try {
    entries = JSON.parse(body.toString('utf8')) as ManifestEntry[];
    if (!Array.isArray(entries)) throw new TypeError('not a list');
  } catch (err) {
    throw new SwiftError(`Not an SLO manifest: ${(err as Error).message}`, { cause: err });
  }
  const pieces: SloPiece[] = [];
  for (const entry of entries) {
    if (entry.data !== undefined) {
      const data = Buffer.from(entry.data, 'base64');
      if (data.length > 0) pieces.push({ kind: 'data', data });
      continue;
    }
    if (entry.name === undefined) throw new SwiftError('An SLO manifest entry has neither a name nor data');
    const path = entry.name.replace(/^\/+/, '');
    const size = entry.bytes ?? 0;
    let inner: SloPiece[];
    if (entry.sub_slo) {
      const [subContainer, subObj] = splitPath(path);
      const [, subBody] = await conn.getObject(subContainer, subObj, { queryString: 'multipart-manifest=get', signal });
      inner = await sloPieces(conn, subBody, signal, depth + 1);
    } else {
      inner = size > 0 ? [{ kind: 'segment', path, start: 0, bytes: size, size, hash: (entry.hash ?? '').toLowerCase() }] : [];
    }
    if (entry.range !== undefined) {
      const total = inner.reduce((sum, p) => sum + lengthOf(p), 0);
      const range = parseRange(entry.range, total);
      if (range === undefined) throw new SwiftError(`An SLO manifest entry has a range that is not one: ${JSON.stringify(entry.range)}`, { object: path });
      inner = cropPieces(inner, ...range);
    }
    pieces.push(...inner);
  }
  return pieces;
}
