import type { Md5Hasher } from '../platform/index.js';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ChecksumError, ClientException } from '../errors.js';
import type { ResponseHeaders } from '../http/headers.js';
import { md5 } from '../http/integrity.js';
import { rangeStartsAt } from '../http/content-range.js';
import type { ResponseDict } from '../ops/request.js';
import { BatchedWriter } from './batched-write.js';
import { hashFile, rangeMd5 } from './file-ranges.js';
import type { Call } from './context.js';
import { SwiftError } from './errors.js';
import { isTrue } from './options.js';
import { DIR_MARKER_TYPES } from './naming.js';
import { BREAK_SUFFIX, LOCK_SUFFIX, lockPartial } from './partial-lock.js';
import { Progress } from './progress.js';
import type { DownloadOptions } from './types.js';
import { journalStep, SegmentJournal } from './segment-journal.js';
import { fetchSegments, planSegments, type SegmentPlan } from './verified-download.js';

/**
 * Downloads that survive the process: bytes go to a partial file beside the
 * target (`.<name>.swiftclient-partial`, never the target itself) described
 * by a small state file (`.<name>.swiftclient-partial.json`: the object's
 * ETag, Last-Modified, length and, for a large object, a digest of its
 * segment list). Renamed into place only once complete and verified. The
 * next run of the same download continues where the file ends (one download
 * at a time per partial file: see partial-lock.ts):
 *
 * - a plain object with `Range: bytes=<have>-` and `If-Match: <ETag>`; a
 *   412 (the object changed) discards the partial file and starts over;
 * - a large object by re-reading its manifest or listing: if its ETag,
 *   Last-Modified and segment list are the state's, every segment already in
 *   place (its bytes hash to the manifest's MD5) is kept, the others are
 *   fetched; otherwise the partial file is discarded.
 */

/** The partial file of a target and its state file. */
export interface PartialPaths {
  data: string;
  state: string;
}

/** What the state file records about the object the partial file holds bytes of. */
interface PartialState {
  container: string;
  object: string;
  kind: 'plain' | 'large';
  etag: string;
  lastModified: string;
  length: number;
  /** Large objects: the plan's digest. */
  plan?: string | undefined;
  /** Large objects: segments begun and not finished, index → bytes written from the segment's start (see SegmentJournal). */
  segments?: Record<string, number> | undefined;
}

/** Smaller plain objects are not worth a state file (many small downloads would pay for it): they start over. */
const RESUME_MIN_BYTES = 1 << 20;

const PARTIAL_SUFFIX = '.swiftclient-partial';
const STATE_SUFFIX = '.json';
const TEMP_SUFFIX = '.tmp';

/** The partial and state paths of `file` (a name cut to fit 255 bytes, in UTF-8 bytes). */
export function partialPaths(file: string, shorten: (name: string, maxBytes: number) => string): PartialPaths {
  const data = join(dirname(file), `.${shorten(basename(file), 200)}${PARTIAL_SUFFIX}`);
  return { data, state: `${data}${STATE_SUFFIX}` };
}

const escaped = (text: string): string => text.replace(/[.]/g, '\\.');
const PARTIAL_NAME = new RegExp(
  `^\\..+${escaped(PARTIAL_SUFFIX)}(${escaped(STATE_SUFFIX)}(${escaped(TEMP_SUFFIX)})?|${escaped(LOCK_SUFFIX)}(${escaped(BREAK_SUFFIX)})?)?$`,
  's',
);

/** Whether a file name (no directory) is a partial, state or lock file of {@link partialPaths}: a download's own file, not content. */
export function isPartialName(name: string): boolean {
  return PARTIAL_NAME.test(name);
}

/** The state file's record when it is about this object; `found` whether there is a state file at all. */
async function readState(paths: PartialPaths, container: string, obj: string): Promise<{ state: PartialState | undefined; found: boolean }> {
  let text: string;
  try {
    text = await fsp.readFile(paths.state, 'utf8');
  } catch (err) {
    return { state: undefined, found: (err as NodeJS.ErrnoException).code !== 'ENOENT' };
  }
  try {
    const state = JSON.parse(text) as PartialState;
    return { state: state.container === container && state.object === obj ? state : undefined, found: true };
  } catch {
    return { state: undefined, found: true };
  }
}

/** Written through a temporary name and a rename, so a kill never leaves half a state file; a failed write (a full disk) leaves none. */
async function writeState(paths: PartialPaths, state: PartialState): Promise<void> {
  const temp = `${paths.state}${TEMP_SUFFIX}`;
  try {
    await fsp.writeFile(temp, JSON.stringify(state));
    await fsp.rename(temp, paths.state);
  } catch (err) {
    await fsp.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/**
 * Renames a finished download into place. A directory where the file should
 * go can never take it: the finished bytes (`from`, and `leftovers` such as a
 * state file) are removed, not kept to resume, and the error names the
 * directory rather than a failed rename of a hidden name.
 */
export async function moveIntoPlace(from: string, file: string, leftovers: readonly string[] = []): Promise<void> {
  try {
    await fsp.rename(from, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
    await Promise.all([from, ...leftovers].map((p) => fsp.rm(p, { force: true }))).catch(() => undefined);
    throw new SwiftError(`Cannot write ${JSON.stringify(file)}: it is a directory`, { cause: err });
  }
}

/** Removes a partial file and its state. */
export async function discardPartial(paths: PartialPaths): Promise<void> {
  await Promise.all([paths.data, paths.state, `${paths.state}${TEMP_SUFFIX}`].map((p) => fsp.rm(p, { force: true })));
}

async function sizeOf(path: string): Promise<number | undefined> {
  return fsp.stat(path).then((s) => s.size, () => undefined);
}

/** Whether a download can take the resumable path (files only; python's special cases keep theirs). */
export function resumable(o: DownloadOptions, outFile: string | undefined, path: string, headers: Record<string, string>): boolean {
  if (outFile === '-' || o.noDownload || o.versionId !== undefined) return false;
  if (outFile === undefined && path.endsWith('/')) return false;
  return !Object.keys(headers).some((h) => h === 'range' || h.startsWith('if-'));
}

/** One resumable download: the call, its options, the object, and where it goes. */
export interface ResumableDownload {
  call: Call<unknown>;
  o: DownloadOptions;
  container: string;
  obj: string;
  /** The target file. */
  file: string;
  paths: PartialPaths;
  /** The response dict of the object's GET. */
  rd: ResponseDict;
}

/** What {@link downloadResumable} tells the result. */
export interface ResumableOutcome {
  headers: ResponseHeaders;
  /** The object's length (what is in the file). */
  bytes: number;
  /** Bytes found in a partial file of an earlier run and kept. */
  reused: number;
}

/**
 * Downloads one object to `file` through its partial file (see above),
 * verifying MD5 and length; on failure the partial file is kept for the
 * next run (removed with `resume: false`).
 */
export async function downloadResumable(job: ResumableDownload): Promise<ResumableOutcome> {
  const { o, container, obj, file, paths } = job;
  await fsp.mkdir(dirname(file), { recursive: true });
  const lock = await lockPartial(paths.data, file);
  try {
    // Without a state file a partial file says nothing trustworthy: the fresh download's writes replace it.
    const { state, found } = o.resume === false ? { state: undefined, found: true } : await readState(paths, container, obj);
    const resumed = state?.kind === 'plain' ? await resumePlain(job, state) : undefined;
    const outcome = resumed ?? (await fresh(job, state));
    if (outcome.dirMarker) {
      await discardPartial(paths);
      return outcome;
    }
    await moveIntoPlace(paths.data, file, [paths.state]);
    // Small objects have none: one system call fewer per file of a bulk download.
    if (found || outcome.stateWritten) await fsp.rm(paths.state, { force: true });
    const mtime = Number(outcome.headers['x-object-meta-mtime']);
    if (!o.ignoreMtime && outcome.headers['x-object-meta-mtime'] !== undefined && Number.isFinite(mtime)) await fsp.utimes(file, mtime, mtime);
    return outcome;
  } catch (err) {
    if (o.resume === false) await discardPartial(paths).catch(() => undefined);
    throw err;
  } finally {
    await lock.release();
  }
}

type Outcome = ResumableOutcome & { dirMarker?: boolean; stateWritten?: boolean };

/** Continues a plain object with Range + If-Match; undefined when it must start over (the object changed). */
async function resumePlain(job: ResumableDownload, state: PartialState): Promise<Outcome | undefined> {
  const { call, o, container, obj, paths, rd } = job;
  const have = (await sizeOf(paths.data)) ?? 0;
  if (have === 0 || have > state.length) return undefined;
  const ifMatch = { 'if-match': `"${state.etag}"` };
  try {
    if (have === state.length) {
      const headers = await call.conn.headObject(container, obj, { headers: ifMatch, signal: call.signal });
      const hash = await rangeMd5(paths.data, 0, have, call.signal);
      checkWhole(job, { md5: hash, read: have }, headers, state.length);
      return { headers, bytes: have, reused: have };
    }
    const [headers, body] = await call.conn.getObject(container, obj, {
      respChunkSize: o.respChunkSize ?? 65536,
      headers: { ...ifMatch, range: `bytes=${have}-` },
      responseDict: rd,
      signal: call.signal,
      checksum: false,
    });
    const whole = headers['content-range'] === undefined;
    if (!whole && !rangeStartsAt(headers['content-range'], have, state.length)) {
      body.close(); // not the bytes asked for: let go of them
      throw new ChecksumError(`${container}/${obj}: asked for bytes from ${have}, got ${headers['content-range']}`, { expected: state.etag, actual: '' });
    }
    const start = whole ? 0 : have;
    const hash = md5();
    if (!whole) await hashFile(hash, paths.data, call.signal, 0, have);
    const progress = new Progress(o.onProgress, 'download', container, obj, state.length);
    progress.add(0, start);
    const written = await writeStream(paths.data, start, body, hash, progress, whole ? 'w' : 'r+');
    const fullHeaders: ResponseHeaders = { ...headers, 'content-length': String(state.length), etag: state.etag };
    delete fullHeaders['content-range'];
    checkWhole(job, { md5: hash.digest('hex'), read: start + written }, fullHeaders, state.length);
    return { headers: fullHeaders, bytes: start + written, reused: start };
  } catch (err) {
    // A checksum failure with bytes kept: the partial file itself may be bad (a crash or power cut can leave
    // unwritten pages in it), and kept, it would fail every run. Started over, only the server's bytes count.
    if (err instanceof ChecksumError || (err instanceof ClientException && (err.httpStatus === 412 || err.httpStatus === 416))) {
      await discardPartial(paths);
      return undefined;
    }
    throw err;
  }
}

/**
 * A download from the start: one GET with `multipart-manifest=get` tells a
 * plain object (its bytes come with it) from an SLO (its manifest) or a DLO;
 * large objects go segment by segment, keeping what a partial file of the
 * same version already holds.
 */
async function fresh(job: ResumableDownload, state: PartialState | undefined): Promise<Outcome> {
  const { call, o, container, obj, file, paths, rd } = job;
  const [headers, body] = await call.conn.getObject(container, obj, {
    respChunkSize: o.respChunkSize ?? 65536,
    queryString: 'multipart-manifest=get',
    responseDict: rd,
    signal: call.signal,
    checksum: false,
  });
  const slo = isTrue(headers['x-static-large-object']);
  if (!slo && headers['x-object-manifest'] === undefined) {
    if (DIR_MARKER_TYPES.includes((headers['content-type'] ?? '').split(';', 1)[0] as string)) {
      for await (const _ of body) void _;
      await fsp.mkdir(file, { recursive: true });
      return { headers, bytes: 0, reused: 0, dirMarker: true };
    }
    // A state of another version must go; the partial file itself is truncated by the write.
    if (state !== undefined) await discardPartial(paths);
    const length = Number(headers['content-length'] ?? NaN);
    const etag = unquoted(headers.etag);
    const stateWritten = o.resume !== false && Number.isFinite(length) && length >= RESUME_MIN_BYTES;
    if (stateWritten) await writeState(paths, { container, object: obj, kind: 'plain', etag, lastModified: headers['last-modified'] ?? '', length });
    const hash = md5();
    const progress = new Progress(o.onProgress, 'download', container, obj, Number.isFinite(length) ? length : undefined);
    progress.report();
    const written = await writeStream(paths.data, 0, body, hash, progress, 'w');
    checkWhole(job, { md5: hash.digest('hex'), read: written }, headers, Number.isFinite(length) ? length : written);
    return { headers, bytes: written, reused: 0, stateWritten };
  }
  const manifest = await readAll(body);
  // The object's own headers (content type, length, ETag): the manifest GET gives the manifest's.
  const objectHeaders = await call.conn.headObject(container, obj, { signal: call.signal });
  const plan = await planSegments(call.conn, container, obj, headers, slo ? manifest : undefined, call.signal);
  const identity: PartialState = {
    container,
    object: obj,
    kind: 'large',
    etag: unquoted(objectHeaders.etag),
    lastModified: objectHeaders['last-modified'] ?? '',
    length: plan.total,
    plan: plan.digest,
  };
  const same = state !== undefined && state.kind === 'large' && state.etag === identity.etag && state.plan === identity.plan && state.lastModified === identity.lastModified;
  const resuming = same && (await sizeOf(paths.data)) === plan.total;
  if (!resuming) await discardPartial(paths);
  // What an earlier run recorded of its segments stays recorded until each is continued, found whole or restarted.
  if (o.resume !== false) await writeState(paths, { ...identity, segments: resuming ? state.segments : undefined });
  return fetchLarge(job, plan, objectHeaders, identity, resuming ? state : undefined);
}

/** Fetches a large object's segments into the partial file, continuing `earlier`'s (the same version's) when given. */
async function fetchLarge(job: ResumableDownload, plan: SegmentPlan, headers: ResponseHeaders, identity: PartialState, earlier: PartialState | undefined): Promise<Outcome> {
  const { call, o, container, obj, paths } = job;
  const resuming = earlier !== undefined;
  const handle = await fsp.open(paths.data, resuming ? 'r+' : 'w');
  const progress = new Progress(o.onProgress, 'download', container, obj, plan.total);
  progress.report();
  const journal = o.resume === false ? undefined : new SegmentJournal((segments) => writeState(paths, { ...identity, segments }), earlier?.segments, { everyBytes: journalStep(largestSegment(plan)) });
  let finished = false;
  try {
    await handle.truncate(plan.total);
    const outcome = await fetchSegments(call, plan, { handle, path: paths.data }, {
      resuming,
      verify: o.checksum !== false,
      chunkSize: o.respChunkSize ?? 65536,
      progress,
      label: `${container}/${obj}`,
      kept: earlier?.segments,
      journal,
    });
    finished = true;
    return { headers, bytes: plan.total, reused: outcome.reused, stateWritten: o.resume !== false };
  } finally {
    // Before the state file is removed or kept: no save may come after.
    await journal?.close(!finished);
    await handle.close();
  }
}

/** The size of the plan's largest fetched segment (the segment size; the last is often smaller). */
function largestSegment(plan: SegmentPlan): number {
  return plan.segments.reduce((max, s) => (s.data === undefined ? Math.max(max, s.bytes) : max), 0);
}

function unquoted(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

/** Length always; MD5 when the ETag is the content's MD5 and checksums are on. */
function checkWhole({ o, container, obj }: ResumableDownload, { md5, read }: { md5: string; read: number }, headers: ResponseHeaders, length: number): void {
  if (read !== length) {
    throw new SwiftError(`Error downloading ${container}/${obj}: read_length != content_length, ${read} != ${length}`, { container, object: obj });
  }
  const etag = unquoted(headers.etag);
  if (o.checksum !== false && /^[0-9a-f]{32}$/.test(etag) && md5 !== etag) {
    throw new ChecksumError(`Error downloading ${container}/${obj}: md5sum != etag, ${md5} != ${etag}`, { expected: etag, actual: md5, httpPath: `/${container}/${obj}` });
  }
}

/** Writes a body into `path` from `start`, hashing and counting it (batched writes: see BatchedWriter). */
async function writeStream(path: string, start: number, body: AsyncIterable<Buffer>, hash: Md5Hasher, progress: Progress, flags: 'w' | 'r+'): Promise<number> {
  const handle = await fsp.open(path, flags);
  const writer = new BatchedWriter(handle, start);
  let written = 0;
  try {
    for await (const chunk of body) {
      hash.update(chunk);
      written += chunk.length;
      progress.add(0, chunk.length);
      const wait = writer.write(chunk);
      if (wait) await wait;
    }
    await writer.end();
  } finally {
    await writer.settle();
    await handle.close();
  }
  return written;
}

async function readAll(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}
