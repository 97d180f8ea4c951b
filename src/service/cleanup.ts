import type { ObjectEntry } from '../ops/container.js';
import { schedule, startCall, type Call, type ServiceHandle } from './context.js';
import { isMissing, SwiftError, toError } from './errors.js';
import { accountPages, containerPages } from '../native/pages.js';
import { mergeOptions } from './options.js';
import { normalizeManifestPath, parseDloManifest, splitPath } from './naming.js';
import type { CommonOptions, ResultBase } from './types.js';

/**
 * Orphan cleanup: segments that no SLO or DLO manifest of the account uses
 * any more (left by uploads that died, or by deletes with leaveSegments),
 * and manifests whose segments are missing. Every manifest of the account
 * is read (SLOs are told by the `slo_etag` of container listings, DLOs by a
 * HEAD of each zero-byte object), so nested and cross-container manifests
 * count; segments are looked for in python's `<container>_segments`
 * containers and in every container a manifest takes segments from.
 */

/** Options of {@link SwiftService.cleanup}. */
export interface CleanupOptions extends CommonOptions {
  /** Report what would be deleted; delete nothing. @default false */
  dryRun?: boolean | undefined;
  /**
   * Grace period in seconds: an orphan modified more recently than this is
   * reported (`status: 'too-recent'`) but never deleted, so the fresh
   * segments of an upload still running are safe. A `Date` is a cutoff
   * instead: orphans modified before it may go (e.g. the start of a
   * maintenance window). @default 86400 (one day)
   */
  olderThan?: number | Date | undefined;
}

/** A segment no manifest uses. */
export interface OrphanSegmentResult extends ResultBase {
  action: 'orphan_segment';
  container: string;
  object: string;
  /** Size in bytes, from the listing. */
  bytes: number;
  /** When it was last modified, from the listing. */
  lastModified: Date | undefined;
  /** 'deleted'; 'dry-run' (would be deleted); 'too-recent' (inside the grace period: kept). */
  status: 'deleted' | 'dry-run' | 'too-recent';
}

/** A manifest some of whose segments are missing (reported, never changed). */
export interface BrokenManifestResult extends ResultBase {
  action: 'broken_manifest';
  container: string;
  object: string;
  /** Whether the manifest is a static (`slo`) or dynamic (`dlo`) large object. */
  kind: 'slo' | 'dlo';
  /** `container/name` of each missing SLO segment; for a DLO, its `container/prefix` (nothing matches it). */
  missing: string[];
}

/** What {@link SwiftService.cleanup} yields. */
export type CleanupResult = OrphanSegmentResult | BrokenManifestResult;

/** Names python-swiftclient gives segments: `<obj>/[slo/]<mtime>/[<size>/]<segment size>/<index:08d>`. */
const SEGMENT_NAME = /\/(slo\/)?\d+\.\d{6}\/(\d+\/)?\d+\/\d{8}$/;

/** What the scan of the account found. */
interface Scan {
  /** Every listed object, by container. */
  listings: Map<string, ObjectEntry[]>;
  /** `container/name` of every object. */
  exists: Set<string>;
  /** `container/name` of every segment an SLO names (nested manifests included). */
  sloRefs: Set<string>;
  /** `container/prefix` of every DLO. */
  dloPrefixes: string[];
  /** `container/name` of every manifest. */
  manifests: Set<string>;
  /** Per manifest container, the containers its manifests take segments from. */
  segmentContainers: Map<string, Set<string>>;
  /** Segments (`container/name`) each SLO (`container/name`) names. */
  sloOf: Map<string, string[]>;
  /** `container/prefix` of each DLO (`container/name`). */
  dloOf: Map<string, string>;
}

/**
 * Finds orphan segments and broken manifests; with `container`, only the
 * segments of `<container>_segments`, of the containers its manifests use,
 * and of `container` itself are candidates (manifests anywhere in the
 * account still protect them). Orphans older than `olderThan` are deleted
 * unless `dryRun`.
 */
export async function* cleanup(
  service: ServiceHandle,
  defaults: CleanupOptions,
  container: string | undefined,
  options: CleanupOptions | undefined,
): AsyncGenerator<CleanupResult, void, undefined> {
  const o = mergeOptions<CleanupOptions>(defaults, options);
  const olderThan = o.olderThan ?? 86_400;
  const valid = olderThan instanceof Date ? Number.isFinite(olderThan.getTime()) : Number.isFinite(olderThan) && olderThan >= 0;
  if (!valid) throw new SwiftError(`olderThan must be a number of seconds >= 0 or a valid Date, not ${String(olderThan)}`);
  if (container !== undefined && (container === '' || container.includes('/'))) throw new SwiftError('cleanup takes a container name (no "/")', { container });
  const call = startCall<CleanupResult>(service, o);
  call.runner.spawn(async () => {
    const scan = await scanAccount(call);
    // A mistyped name must not look like a clean container.
    if (container !== undefined && !scan.listings.has(container) && !scan.listings.has(`${container}_segments`)) {
      return call.runner.fail(new SwiftError(`Container '${container}' not found`, { container }));
    }
    for (const result of brokenManifests(scan)) if (container === undefined || result.container === container) call.runner.emit(result);
    // Ages count from the end of the scan: the manifests read are at least that recent.
    const cutoff = olderThan instanceof Date ? olderThan.getTime() : Date.now() - olderThan * 1000;
    for (const [segContainer, name, entry] of candidates(scan, container)) {
      const lastModified = entry.last_modified === undefined ? undefined : new Date(`${entry.last_modified}Z`);
      const base = { action: 'orphan_segment', container: segContainer, object: name, bytes: entry.bytes ?? 0, lastModified } as const;
      if (lastModified !== undefined && !(lastModified.getTime() < cutoff)) call.runner.emit({ ...base, success: true, status: 'too-recent' });
      else if (o.dryRun) call.runner.emit({ ...base, success: true, status: 'dry-run' });
      else schedule(call, call.segmentLimit, () => deleteOrphan(call, base), (): OrphanSegmentResult => ({ ...base, success: false, status: 'deleted' }));
    }
  });
  yield* call.runner.drain();
}

async function deleteOrphan(call: Call<CleanupResult>, base: Omit<OrphanSegmentResult, 'success' | 'status'>): Promise<OrphanSegmentResult> {
  try {
    await call.conn.deleteObject(base.container, base.object, { signal: call.signal });
  } catch (err) {
    if (!isMissing(err)) return { ...base, success: false, status: 'deleted', error: toError(err) };
  }
  return { ...base, success: true, status: 'deleted' };
}

/** Lists every container and reads every manifest. */
async function scanAccount(call: Call<CleanupResult>): Promise<Scan> {
  const scan: Scan = { listings: new Map(), exists: new Set(), sloRefs: new Set(), dloPrefixes: [], manifests: new Set(), segmentContainers: new Map(), sloOf: new Map(), dloOf: new Map() };
  for await (const page of accountPages(call.conn, { signal: call.signal })) {
    for (const c of page) {
      if (c.name === undefined) continue;
      const entries: ObjectEntry[] = [];
      try {
        for await (const objects of containerPages(call.conn, c.name, { signal: call.signal })) entries.push(...objects.filter((e) => e.name !== undefined));
      } catch (err) {
        // Deleted since the account listing named it: it holds no segment and no manifest any more.
        if (isMissing(err)) continue;
        throw err;
      }
      scan.listings.set(c.name, entries);
      for (const e of entries) scan.exists.add(`${c.name}/${e.name}`);
    }
  }
  const reads: Array<Promise<void>> = [];
  for (const [c, entries] of scan.listings) {
    for (const e of entries) {
      const name = e.name as string;
      if ((e as { slo_etag?: string }).slo_etag !== undefined) reads.push(call.objectLimit(() => readSlo(call, scan, c, name)));
      else if (e.bytes === 0) reads.push(call.objectLimit(() => readDlo(call, scan, c, name)));
    }
  }
  await Promise.all(reads);
  return scan;
}

function usesContainer(scan: Scan, manifestContainer: string, segContainer: string): void {
  let set = scan.segmentContainers.get(manifestContainer);
  if (!set) scan.segmentContainers.set(manifestContainer, (set = new Set()));
  set.add(segContainer);
}

/** The segments an SLO names (a nested SLO is a manifest of the account too, read on its own). */
async function readSlo(call: Call<CleanupResult>, scan: Scan, container: string, obj: string): Promise<void> {
  let body: Buffer;
  try {
    [, body] = await call.conn.getObject(container, obj, { queryString: 'multipart-manifest=get', signal: call.signal });
  } catch (err) {
    if (isMissing(err)) return; // deleted meanwhile
    throw err;
  }
  scan.manifests.add(`${container}/${obj}`);
  const entries = JSON.parse(body.toString('utf8')) as Array<{ name?: string; data?: string }>;
  const refs: string[] = [];
  for (const entry of entries) {
    if (entry.name === undefined) continue;
    const path = normalizeManifestPath(entry.name);
    scan.sloRefs.add(path);
    usesContainer(scan, container, splitPath(path)[0]);
    refs.push(path);
  }
  scan.sloOf.set(`${container}/${obj}`, refs);
}

/** A zero-byte object is a DLO when its HEAD says X-Object-Manifest. */
async function readDlo(call: Call<CleanupResult>, scan: Scan, container: string, obj: string): Promise<void> {
  let headers;
  try {
    headers = await call.conn.headObject(container, obj, { signal: call.signal });
  } catch (err) {
    if (isMissing(err)) return;
    throw err;
  }
  const manifest = headers['x-object-manifest'];
  if (manifest === undefined) return;
  const { container: segContainer, prefix } = parseDloManifest(manifest);
  scan.manifests.add(`${container}/${obj}`);
  scan.dloPrefixes.push(`${segContainer}/${prefix}`);
  usesContainer(scan, container, segContainer);
  scan.dloOf.set(`${container}/${obj}`, `${segContainer}/${prefix}`);
}

/** Manifests with missing segments: SLO entries that do not exist, DLO prefixes nothing matches. */
function* brokenManifests(scan: Scan): Generator<BrokenManifestResult> {
  for (const [path, refs] of scan.sloOf) {
    const missing = refs.filter((r) => !scan.exists.has(r));
    if (missing.length > 0) yield { action: 'broken_manifest', success: true, ...named(path), kind: 'slo', missing };
  }
  for (const [path, prefix] of scan.dloOf) {
    const [c, p] = splitPath(prefix);
    if (!(scan.listings.get(c) ?? []).some((e) => (e.name as string).startsWith(p))) {
      yield { action: 'broken_manifest', success: true, ...named(path), kind: 'dlo', missing: [prefix] };
    }
  }
}

function named(path: string): { container: string; object: string } {
  const [container, object] = splitPath(path);
  return { container, object };
}

/**
 * Objects that look like segments and that nothing uses: in `_segments`
 * containers every object; in other containers a manifest takes segments
 * from, only names of python's segment pattern (they may hold other objects).
 */
function* candidates(scan: Scan, only: string | undefined): Generator<[string, string, ObjectEntry]> {
  const used = new Set<string>();
  for (const set of scan.segmentContainers.values()) for (const c of set) used.add(c);
  let scope: Set<string>;
  if (only === undefined) {
    scope = new Set([...scan.listings.keys()].filter((c) => c.endsWith('_segments') || used.has(c)));
  } else {
    scope = new Set([`${only}_segments`, only, ...(scan.segmentContainers.get(only) ?? [])]);
  }
  const prefixes = [...scan.dloPrefixes].sort();
  for (const c of scope) {
    const everything = c.endsWith('_segments');
    for (const entry of scan.listings.get(c) ?? []) {
      const name = entry.name as string;
      const path = `${c}/${name}`;
      if (!everything && !SEGMENT_NAME.test(name)) continue;
      if (scan.manifests.has(path) || scan.sloRefs.has(path)) continue;
      if (prefixes.some((p) => path.startsWith(p))) continue;
      yield [c, name, entry];
    }
  }
}
