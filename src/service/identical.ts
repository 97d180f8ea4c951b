import { createReadStream } from 'node:fs';
import type { Connection } from '../connection.js';
import type { ResponseHeaders } from '../http/headers.js';
import { md5, parseEtag } from '../http/integrity.js';
import { hashFile } from './file-ranges.js';
import { isTrue } from './options.js';
import { listAll } from './list.js';
import { parseDloManifest, splitPath } from './naming.js';

/** One piece of an object as skip-identical compares it: a segment, or the whole object. */
export interface ChunkInfo {
  hash: string;
  bytes: number;
  /** `/container/segment` for SLO segments, the segment name for DLO ones. */
  name?: string | undefined;
}

interface ManifestEntry {
  name?: string;
  hash?: string;
  bytes?: number;
  sub_slo?: boolean;
}

/**
 * The pieces of an object, in order (python's `_get_chunk_data`): a DLO's
 * segments from a listing of its prefix, an SLO's from its manifest
 * (`multipart-manifest=get`, nested SLOs expanded), else the object itself.
 */
export async function chunkData(
  conn: Connection,
  container: string,
  obj: string,
  headers: ResponseHeaders,
  signal: AbortSignal,
  manifest?: Buffer,
): Promise<ChunkInfo[]> {
  const dlo = headers['x-object-manifest'];
  if (dlo !== undefined) {
    const { container: segContainer, prefix } = parseDloManifest(dlo);
    const entries = await listAll(conn, segContainer, prefix, signal);
    return entries.filter((e) => e.name !== undefined).map((e) => ({ hash: e.hash ?? '', bytes: e.bytes ?? 0, name: e.name }));
  }
  if (isTrue(headers['x-static-large-object'])) {
    const body = manifest ?? (await conn.getObject(container, obj, { queryString: 'multipart-manifest=get', signal }))[1];
    const entries = JSON.parse(body.toString('utf8')) as ManifestEntry[];
    const chunks: ChunkInfo[] = [];
    for (const entry of entries) {
      if (entry.sub_slo && entry.name) {
        const [subContainer, subObj] = splitPath(entry.name.replace(/^\/+/, ''));
        const sub = await chunkData(conn, subContainer, subObj, { 'x-static-large-object': 'True' }, signal);
        chunks.push(...sub);
      } else {
        chunks.push({ hash: entry.hash ?? '', bytes: entry.bytes ?? 0, name: entry.name });
      }
    }
    return chunks;
  }
  return [{ hash: parseEtag(headers.etag), bytes: Number(headers['content-length'] ?? 0) }];
}

/**
 * True when the local file is exactly the given pieces: each piece's MD5
 * matches and nothing is left over (python's `_is_identical`). Reads the
 * file once, sequentially.
 */
export async function isIdentical(chunks: ChunkInfo[], path: string | undefined, signal: AbortSignal): Promise<boolean> {
  if (path === undefined) return false;
  let stream;
  try {
    stream = createReadStream(path, { highWaterMark: 1 << 20, signal });
    let index = 0;
    let left = chunks[0]?.bytes ?? 0;
    let hash = md5();
    const finishChunks = (): boolean => {
      // Close every piece that is complete (zero-byte pieces included).
      while (index < chunks.length && left === 0) {
        if (hash.digest('hex') !== (chunks[index] as ChunkInfo).hash) return false;
        index += 1;
        hash = md5();
        left = chunks[index]?.bytes ?? 0;
      }
      return true;
    };
    if (!finishChunks()) return false;
    for await (const raw of stream) {
      let data = raw as Buffer;
      while (data.length > 0) {
        if (index >= chunks.length) return false; // the file is longer
        const take = Math.min(left, data.length);
        hash.update(data.subarray(0, take));
        data = data.subarray(take);
        left -= take;
        if (!finishChunks()) return false;
      }
    }
    return index >= chunks.length;
  } catch (err) {
    if (signal.aborted) throw err;
    return false;
  } finally {
    stream?.destroy();
  }
}

/** MD5 (hex) of a local file, or undefined when it cannot be read. */
export async function fileMd5(path: string, signal: AbortSignal): Promise<string | undefined> {
  const hash = md5();
  try {
    await hashFile(hash, path, signal);
  } catch (err) {
    if (signal.aborted) throw err;
    return undefined;
  }
  return hash.digest('hex');
}
