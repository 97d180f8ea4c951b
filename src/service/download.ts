import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ClientException } from '../errors.js';
import type { ResponseHeaders } from '../http/headers.js';
import { checkDigest, downloadDigest, md5 } from '../http/integrity.js';
import type { ResponseDict } from '../ops/request.js';
import { roomFor, schedule, startCall, type Call, type ServiceHandle } from './context.js';
import { SwiftError, toError } from './errors.js';
import { chunkData, fileMd5, isIdentical } from './identical.js';
import { accountPages, containerPages } from '../native/pages.js';
import { notFound } from './list.js';
import { attemptsOf, isTrue, mergeOptions, now, splitHeaders } from './options.js';
import { DIR_MARKER_TYPES, joinPath } from './naming.js';
import { specialKind } from './file-ranges.js';
import { Progress } from './progress.js';
import { downloadResumable, moveIntoPlace, partialPaths, resumable } from './resume-download.js';
import type { DownloadObjectResult, DownloadOptions } from './types.js';

type Call_ = Call<DownloadObjectResult>;

/**
 * python's `SwiftService.download`: objects of a container (or of every
 * container with `yesAll`, or the ones named) to files, `objectThreads` at a
 * time, each streamed to a temporary file that is renamed into place only
 * once complete and verified.
 */
export async function* download(
  service: ServiceHandle,
  defaults: DownloadOptions,
  container: string | undefined,
  objects: readonly string[] | undefined,
  options: DownloadOptions | undefined,
): AsyncGenerator<DownloadObjectResult, void, undefined> {
  const o = mergeOptions<DownloadOptions>(defaults, options);
  if (container !== undefined && container.includes('/')) throw new SwiftError("'/' in container name", { container });
  if (container === undefined && objects !== undefined && objects.length > 0) throw new SwiftError('Objects specified without container');
  const call = startCall<DownloadObjectResult>(service, o);
  call.runner.spawn(async () => {
    if (container === undefined) {
      if (!o.yesAll) return;
      try {
        // python lists the account with the same prefix and marker as each container
        for await (const page of accountPages(call.conn, { prefix: o.prefix, marker: o.marker, headers: splitHeaders(o.headers), signal: call.signal })) {
          const names = page.map((c) => c.name).filter((n): n is string => n !== undefined);
          for (const name of o.shuffle ? shuffled(names) : names) {
            if (!(await downloadContainer(call, o, name, true))) return;
          }
        }
      } catch (err) {
        if (!call.signal.aborted) call.runner.fail(notFound(err, undefined));
      }
    } else if (objects === undefined) {
      await downloadContainer(call, o, container, false);
    } else {
      const outFile = objects.length === 1 ? o.outFile : undefined;
      for (const obj of objects) {
        schedule(call, call.objectLimit, () => downloadObject(call, o, container, obj, false, outFile), () => cancelled(o, container, obj, false));
      }
    }
  });
  yield* call.runner.drain();
}

/** Schedules every listed object of a container; false when listing failed. */
async function downloadContainer(call: Call_, o: DownloadOptions, container: string, yesAll: boolean): Promise<boolean> {
  try {
    const pages = containerPages(call.conn, container, { prefix: o.prefix, marker: o.marker, headers: splitHeaders(o.headers), signal: call.signal });
    for await (const page of pages) {
      const names = page.map((e) => e.name).filter((n): n is string => n !== undefined);
      for (const obj of o.shuffle ? shuffled(names) : names) {
        schedule(call, call.objectLimit, () => downloadObject(call, o, container, obj, yesAll, undefined), () => cancelled(o, container, obj, yesAll));
        await roomFor(call, call.objectLimit);
      }
    }
    return true;
  } catch (err) {
    // What is already running finishes; then the iterator rejects (as python raises).
    if (!call.signal.aborted) call.runner.fail(notFound(err, container));
    return false;
  }
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function cancelled(o: DownloadOptions, container: string, obj: string, yesAll: boolean): DownloadObjectResult {
  const error = new SwiftError('Not started: an earlier download failed and failFast is set');
  return { action: 'download_object', success: false, status: 'cancelled', container, object: obj, path: localPath(o, container, obj, yesAll), pseudodir: false, error };
}

/** Where python writes an object: `[outputDir/][container/]name`, `prefix` removed when asked. */
function localPath(o: DownloadOptions, container: string, obj: string, yesAll: boolean): string {
  let rel = obj;
  if (o.prefix && o.removePrefix && rel.startsWith(o.prefix)) rel = rel.slice(o.prefix.length).replace(/^\/+/, '');
  let path = (yesAll ? joinPath(container, rel) : rel).replace(/^\/+/, '');
  if (o.outputDir) path = joinPath(o.outputDir, path);
  return path;
}

/** python's `_download_object_job`, writing through a temporary file. */
async function downloadObject(
  call: Call_,
  o: DownloadOptions,
  container: string,
  obj: string,
  yesAll: boolean,
  outFile: string | undefined,
): Promise<DownloadObjectResult> {
  const path = localPath(o, container, obj, yesAll);
  let rd: ResponseDict = {};
  const res: DownloadObjectResult = { action: 'download_object', success: false, container, object: obj, path, pseudodir: false, responseDict: rd };
  try {
    const base = resolve(o.outputDir ?? '.');
    const full = resolve(path);
    if (outFile === undefined && full !== base && !full.startsWith(base + sep)) {
      throw new SwiftError(`Refusing to write ${JSON.stringify(path)} outside ${base}`, { container, object: obj });
    }
    const target = outFile ?? path;
    // A device, FIFO or socket at the target (`-o /dev/null`, `-o /dev/stdout`) is written into, never replaced by a rename.
    const direct = outFile !== '-' && !o.noDownload && (await isSpecialFile(target));
    const reqHeaders = splitHeaders(o.headers);
    const versionQuery = o.versionId !== undefined ? `version-id=${encodeURIComponent(o.versionId)}` : undefined;
    const get = (queryString: string | undefined) =>
      call.conn.getObject(container, obj, {
        respChunkSize: o.respChunkSize ?? 65536,
        headers: reqHeaders,
        queryString,
        responseDict: rd,
        signal: call.signal,
        checksum: call.checksum,
      });
    res.startTime = now();
    let got: [ResponseHeaders, AsyncIterable<Buffer> | Buffer];
    if (o.skipIdentical && outFile !== '-' && !direct) {
      const local = await fileMd5(target, call.signal);
      if (local !== undefined) reqHeaders['if-none-match'] = local;
      const query = [versionQuery, 'multipart-manifest=get'].filter(Boolean).join('&');
      const first = await getUnlessIdentical(call, container, obj, target, () => get(query), rd);
      if (first === 'identical') {
        Object.assign(res, { success: true, status: 'skipped-identical', readLength: 0, bytes: 0, finishTime: now() });
        res.attempts = attemptsOf(rd);
        return res;
      }
      if (first === 'different') {
        delete reqHeaders['if-none-match'];
        rd = {};
        res.responseDict = rd;
        got = await get(versionQuery);
      } else {
        got = first;
      }
    } else if (!direct && resumable(o, outFile, path, reqHeaders)) {
      const file = outFile ?? path;
      const out = await downloadResumable({ call, o, container, obj, file, paths: partialPaths(file, utf8Prefix), rd });
      Object.assign(res, { success: true, headersReceipt: now(), headers: out.headers, readLength: out.bytes, bytes: out.bytes, finishTime: now() });
      if (out.reused > 0) res.reusedBytes = out.reused;
      res.attempts = attemptsOf(rd);
      return res;
    } else {
      got = await get(versionQuery);
    }
    const [headers, body] = got;
    res.headersReceipt = now();
    res.headers = headers;
    const bytes = await writeBody(call, o, container, obj, path, outFile, headers, body, res, direct);
    res.success = true;
    // undefined: the bytes went out as `contents`, counted when read
    if (bytes !== undefined) Object.assign(res, { readLength: bytes, bytes, finishTime: now() });
  } catch (err) {
    res.error = toError(err);
  }
  res.attempts = attemptsOf(rd);
  return res;
}

/**
 * The skip-identical GET (If-None-Match with the local MD5, manifests
 * fetched as such): 'identical' when nothing needs downloading, 'different'
 * when a large object differs (a plain GET follows), else the response of a
 * plain object whose ETag differs.
 */
async function getUnlessIdentical(
  call: Call_,
  container: string,
  obj: string,
  target: string,
  get: () => Promise<[ResponseHeaders, AsyncIterable<Buffer> | Buffer]>,
  rd: ResponseDict,
): Promise<'identical' | 'different' | [ResponseHeaders, AsyncIterable<Buffer> | Buffer]> {
  let headers: ResponseHeaders;
  let manifest: Buffer | undefined;
  try {
    const [h, body] = await get();
    headers = h;
    const large = isTrue(h['x-static-large-object']) || h['x-object-manifest'] !== undefined;
    if (!large) return [h, body];
    manifest = await readAll(body);
  } catch (err) {
    if (!(err instanceof ClientException && err.httpStatus === 304)) throw err;
    headers = rd.headers ?? {};
    if (headers['x-object-manifest'] !== undefined) manifest = Buffer.alloc(0);
    else if (isTrue(headers['x-static-large-object'])) manifest = Buffer.from('[]');
    else return 'identical';
  }
  const slo = isTrue(headers['x-static-large-object']);
  const chunks = await chunkData(call.conn, container, obj, headers, call.signal, slo ? manifest : undefined);
  return (await isIdentical(chunks, target, call.signal)) ? 'identical' : 'different';
}

async function readAll(body: AsyncIterable<Buffer> | Buffer): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Streams the body to its file (or nowhere, for pseudo-directories and
 * `noDownload`), checking length and MD5, through a temporary name.
 */
async function writeBody(
  call: Call_,
  o: DownloadOptions,
  container: string,
  obj: string,
  path: string,
  outFile: string | undefined,
  headers: ResponseHeaders,
  body: AsyncIterable<Buffer> | Buffer,
  res: DownloadObjectResult,
  direct: boolean,
): Promise<number | undefined> {
  const source: AsyncIterable<Buffer> | Buffer[] = Buffer.isBuffer(body) ? [body] : body;
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  const progress = new Progress(o.onProgress, 'download', container, obj, length);
  progress.report();
  // Not twice: with its checksum on, the Connection checks the same digest.
  const digest = o.checksum !== false && !call.conn.checksum ? downloadDigest(headers) : undefined;
  const hash = digest !== undefined ? md5() : undefined;
  let read = 0;
  async function* verified(input: AsyncIterable<Buffer> | Buffer[]): AsyncGenerator<Buffer> {
    for await (const chunk of input) {
      hash?.update(chunk);
      read += chunk.length;
      progress.add(0, chunk.length);
      yield chunk;
    }
    if (hash && digest !== undefined) {
      checkDigest(digest, hash.digest('hex'), {
        container,
        object: obj,
        message: (etag, got) => `Error downloading ${path}: md5sum != etag, ${got} != ${etag}`,
      });
    }
    if (length !== undefined && read !== length) {
      throw new SwiftError(`Error downloading ${path}: read_length != content_length, ${read} != ${length}`, { container, object: obj });
    }
  }
  if (outFile === '-' && !o.noDownload) {
    res.contents = (async function* () {
      yield* verified(source);
      Object.assign(res, { readLength: read, bytes: read, finishTime: now() });
    })();
    return undefined;
  }
  let file: string | undefined;
  if (DIR_MARKER_TYPES.includes(contentTypeOf(headers))) {
    if (!o.noDownload) await fsp.mkdir(path, { recursive: true });
  } else if (!o.noDownload) {
    if (outFile !== undefined) file = outFile;
    else if (!path.endsWith('/')) file = path;
    else {
      // A name ending in "/" is no file, but python still makes its directory.
      res.pseudodir = true;
      await fsp.mkdir(path, { recursive: true });
    }
  }
  if (file === undefined) {
    for await (const _chunk of verified(source)) void _chunk;
    return read;
  }
  if (direct) {
    await pipeline(verified(source), createWriteStream(file, { flags: 'w' }), { signal: call.signal });
    return read;
  }
  await fsp.mkdir(dirname(file), { recursive: true });
  const temp = join(dirname(file), `.${utf8Prefix(basename(file), 180)}.${randomBytes(6).toString('hex')}.part`);
  try {
    await pipeline(verified(source), createWriteStream(temp, { flags: 'wx' }), { signal: call.signal });
    await moveIntoPlace(temp, file);
  } catch (err) {
    await fsp.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  const mtime = Number(headers['x-object-meta-mtime']);
  if (!o.ignoreMtime && headers['x-object-meta-mtime'] !== undefined && Number.isFinite(mtime)) {
    await fsp.utimes(file, mtime, mtime);
  }
  return read;
}

/** Whether `path` is something other than a file or directory (a device, FIFO or socket); false when it does not exist. */
async function isSpecialFile(path: string): Promise<boolean> {
  const stats = await fsp.stat(path).catch(() => undefined);
  return stats !== undefined && specialKind(stats) !== undefined;
}

function contentTypeOf(headers: ResponseHeaders): string {
  return (headers['content-type'] ?? '').split(';', 1)[0] as string;
}

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes (file names are limited in bytes). */
export function utf8Prefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > maxBytes) break;
    end += char.length;
  }
  return text.slice(0, end);
}
