import { promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import { isBlob, readBlob } from '../http/web-stream.js';
import { SwiftError } from './errors.js';
import { joinPath } from './naming.js';
import { isPartialName } from './resume-download.js';
import type { UploadObject, UploadObjectOptions, UploadSource } from './types.js';

/** In-memory or streamed contents (not a path). */
export type DataSource = Exclude<UploadSource, string>;

/** One unit of upload work, after directories are expanded. */
export type UploadJob =
  | { kind: 'file'; path: string; name: string; options: UploadObjectOptions | undefined }
  | { kind: 'data'; source: DataSource; name: string; options: UploadObjectOptions | undefined }
  | { kind: 'dir'; path: string | undefined; name: string; options: UploadObjectOptions | undefined }
  | { kind: 'missing'; path: string; name: string; options: UploadObjectOptions | undefined };

/** Checks the inputs before anything is sent (python raises SwiftError for these). */
export function checkUploadObjects(objects: ReadonlyArray<string | UploadObject>, journal?: string): void {
  checkItems(objects);
  // Two streams writing one journal would each take the other's record for stale.
  const journals = objects.flatMap((item) =>
    typeof item === 'object' && typeof item.source !== 'string' && item.source !== null ? [item.options?.journal ?? journal] : [],
  );
  const given = journals.filter((j) => j !== undefined);
  if (new Set(given).size < given.length) throw new SwiftError('Each stream upload needs its own journal file: give each one its own journal in its options');
}

function checkItems(objects: ReadonlyArray<string | UploadObject>): void {
  if (!Array.isArray(objects)) throw new SwiftError('The upload operation takes a list of paths or upload objects');
  for (const item of objects) {
    if (typeof item === 'string') {
      if (!item) throw new SwiftError('Object names must not be empty strings');
      continue;
    }
    if (typeof item !== 'object' || item === null || !('source' in item)) {
      throw new SwiftError('The upload operation takes only paths or { source, objectName, options } objects');
    }
    if (typeof item.source !== 'string' && (typeof item.objectName !== 'string' || !item.objectName)) {
      throw new SwiftError('Object names must be specified as strings for uploads from null, bytes or streams');
    }
    if (typeof item.source === 'string' && !item.source) throw new SwiftError('Upload paths must not be empty strings');
  }
}

/**
 * Turns the inputs into jobs: files as they are, directories walked like
 * `swift upload` walks them (every file, and a directory marker for each
 * empty directory), streams and bytes as given. Names are the paths as given
 * (a leading `/` dropped), under `pseudoFolder`; an `objectName` replaces the
 * path it was given for.
 */
export async function* expandUploads(
  objects: ReadonlyArray<string | UploadObject>,
  pseudoFolder: string,
): AsyncGenerator<UploadJob> {
  for (const item of objects) {
    const entry: UploadObject = typeof item === 'string' ? { source: item } : item;
    const options = entry.options;
    const named = (name: string): string => joinPath(pseudoFolder, name.replace(/^\/+/, ''));
    if (typeof entry.source !== 'string') {
      if (entry.source === null && options?.dirMarker) {
        yield { kind: 'dir', path: undefined, name: named(entry.objectName as string), options };
      } else {
        yield { kind: 'data', source: entry.source, name: named(entry.objectName as string), options };
      }
      continue;
    }
    const path = entry.source;
    const rename = (p: string): string => named(entry.objectName === undefined ? p : p.replace(path, entry.objectName));
    let isDir: boolean;
    try {
      isDir = (await fsp.stat(path)).isDirectory();
    } catch {
      yield { kind: 'missing', path, name: rename(path), options };
      continue;
    }
    if (!isDir) {
      yield { kind: 'file', path, name: rename(path), options };
      continue;
    }
    for await (const found of walk(path)) {
      yield found.empty
        ? { kind: 'dir', path: found.path, name: rename(found.path), options }
        : { kind: 'file', path: found.path, name: rename(found.path), options };
    }
  }
}

/**
 * python's `os.walk` as `swift upload` uses it: files, and directories with
 * nothing in them. An interrupted download's own files (its partial, state
 * and lock files, which the next download resumes from) are not content.
 */
async function* walk(dir: string): AsyncGenerator<{ path: string; empty: boolean }> {
  const files: string[] = [];
  const dirs: string[] = [];
  let linkedDirs = 0;
  let partials = 0;
  for await (const dirent of await fsp.opendir(dir)) {
    const path = joinPath(dir, dirent.name);
    if (isPartialName(dirent.name)) {
      partials += 1;
    } else if (dirent.isDirectory()) {
      dirs.push(path);
    } else if (dirent.isSymbolicLink()) {
      // os.walk lists a link to a directory among the directories but does not follow it
      const target = await fsp.stat(path).catch(() => undefined);
      if (target?.isDirectory()) linkedDirs += 1;
      else files.push(path);
    } else {
      files.push(path);
    }
  }
  if (files.length === 0 && dirs.length === 0 && linkedDirs === 0 && partials === 0) {
    yield { path: dir, empty: true };
    return;
  }
  files.sort();
  dirs.sort();
  for (const path of files) yield { path, empty: false };
  for (const path of dirs) yield* walk(path);
}

/** Any data source as an async iterable of Buffers. */
export function bufferStream(source: DataSource): AsyncIterable<Buffer> {
  if (source === null) return toBuffers([]);
  if (source instanceof Uint8Array) return toBuffers([source]);
  if (isBlob(source)) return toBuffers(readBlob(source));
  if (source instanceof ReadableStream) return toBuffers(Readable.fromWeb(source as import('node:stream/web').ReadableStream<Uint8Array>));
  return toBuffers(source as AsyncIterable<Uint8Array | string>);
}

async function* toBuffers(source: AsyncIterable<unknown> | Iterable<unknown>): AsyncGenerator<Buffer> {
  for await (const chunk of source as AsyncIterable<unknown>) {
    if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8');
    else if (Buffer.isBuffer(chunk)) yield chunk;
    else if (chunk instanceof Uint8Array) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else throw new SwiftError(`Unsupported chunk type in an upload stream: ${Object.prototype.toString.call(chunk)}`);
  }
}
