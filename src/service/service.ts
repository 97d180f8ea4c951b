import { Connection } from '../connection.js';
import { heldErrors } from '../http/body.js';
import type { Capabilities } from '../ops/capabilities.js';
import type { ConnectionOptions } from '../options.js';
import type { ServiceHandle } from './context.js';
import type { CleanupOptions, CleanupResult } from './cleanup.js';
import { toError } from './errors.js';
import { mergeOptions, now } from './options.js';
import type { SyncOptions, SyncResult } from './sync.js';
import { untilAborted } from '../util/abort.js';
import type {
  CapabilitiesResult,
  CopyObject,
  CopyOptions,
  CopyResult,
  DeleteObject,
  DeleteOptions,
  DeleteResult,
  DownloadObjectResult,
  DownloadOptions,
  ListOptions,
  ListResult,
  PostObject,
  PostOptions,
  PostResult,
  ServiceDefaults,
  StatOptions,
  StatResult,
  UploadObject,
  UploadOptions,
  UploadResult,
} from './types.js';

/**
 * An operation's results, its module loaded by the first call: importing
 * the library (and a first `stat`) need not load the transfer code (~30
 * modules, ~12% of the import's CPU; docs/PERFORMANCE.md "Start-up").
 * Generators start on the first `next()` either way, so callers see no change.
 */
async function* loaded<M, T>(load: () => Promise<M>, run: (m: M) => AsyncGenerator<T, void, undefined>): AsyncGenerator<T, void, undefined> {
  yield* run(await load());
}

/**
 * python-swiftclient's `SwiftService`: bulk uploads, downloads, deletes,
 * copies, posts, stats and listings over one {@link Connection}, run in
 * parallel pools. Every call returns an async iterable of python-style
 * result objects (camelCase) yielded as each operation completes; a failed
 * operation is a result with `success: false`, not an exception. Invalid
 * arguments make the iterator reject with a `SwiftError`; an aborted
 * `signal` makes it reject with the signal's reason once everything in
 * flight has stopped.
 *
 * ```ts
 * const swift = new SwiftService({ authUrl, user, key }, { segmentSize: '100M' });
 * for await (const r of swift.upload('backups', ['/var/backups'])) {
 *   if (!r.success) console.error(r.action, r.object, r.error);
 * }
 * ```
 */
export class SwiftService implements ServiceHandle {
  /** The connection every call uses (shared, with its pooled sockets). */
  readonly connection: Connection;
  /** Defaults for every call; a call's options win. */
  readonly defaults: ServiceDefaults;
  readonly #ownsConnection: boolean;
  readonly #capabilities = new Map<string, Promise<CapabilitiesResult>>();

  /**
   * Makes a service over one Connection; nothing is sent until the first call.
   *
   * @param connection a Connection to share, or the options to build one (closed by `close()`)
   * @param defaults python's service `options`: defaults for every call
   */
  constructor(connection: Connection | ConnectionOptions = {}, defaults: ServiceDefaults = {}) {
    this.#ownsConnection = !(connection instanceof Connection);
    this.connection = connection instanceof Connection ? connection : new Connection(connection);
    this.defaults = { ...defaults };
  }

  /**
   * Uploads files, directory trees (walked like `swift upload`), buffers and
   * streams into `container` (`'container/pseudo/folder'` prefixes the names).
   * Files larger than `segmentSize` become SLOs (DLOs with `useDlo`).
   */
  upload(container: string, objects: ReadonlyArray<string | UploadObject>, options?: UploadOptions): AsyncGenerator<UploadResult, void, undefined> {
    // Now, not when the results are first read: a stream source failing before then comes back as its result instead of ending the process.
    if (Array.isArray(objects)) for (const item of objects) if (typeof item === 'object' && item !== null) heldErrors(item.source);
    return loaded(() => import('./upload.js'), (m) => m.upload(this, this.defaults, container, objects, options));
  }

  /**
   * Downloads the named objects, a whole container, or (no container and
   * `yesAll`) the whole account, to files under `outputDir`.
   */
  download(container?: string, objects?: readonly string[], options?: DownloadOptions): AsyncGenerator<DownloadObjectResult, void, undefined> {
    return loaded(() => import('./download.js'), (m) => m.download(this, this.defaults, container, objects, options));
  }

  /**
   * Deletes the named objects, a container with everything in it, or (no
   * container and `yesAll`) every container, with the segments of manifests.
   */
  delete(container?: string, objects?: ReadonlyArray<string | DeleteObject>, options?: DeleteOptions): AsyncGenerator<DeleteResult, void, undefined> {
    return loaded(() => import('./delete.js'), (m) => m.deleteItems(this, this.defaults, container, objects, options));
  }

  /**
   * Finds segments no SLO or DLO manifest of the account uses (orphans of
   * uploads that died) and manifests whose segments are missing; deletes
   * the orphans older than `olderThan` seconds (default one day) unless
   * `dryRun`. With `container`, only the segments of `<container>_segments`,
   * of the containers its manifests use, and of `container` itself, and
   * only the broken manifests in `container`; it rejects with a SwiftError
   * when neither `container` nor its `_segments` exists.
   *
   * ```ts
   * for await (const r of swift.cleanup('backups', { dryRun: true })) console.log(r.action, r.container, r.object, r.status);
   * ```
   */
  cleanup(container?: string, options?: CleanupOptions): AsyncGenerator<CleanupResult, void, undefined> {
    return loaded(() => import('./cleanup.js'), (m) => m.cleanup(this, this.defaults, container, options));
  }

  /**
   * Mirrors a local directory to a container (or a prefix of it), or back:
   * `source` and `destination` are a local path and
   * `swift://container[/prefix]`, either way round. New or changed files
   * (size, then MD5; per segment or by stored mtime for large objects) are
   * transferred by `upload`/`download` (so large files go as segments and
   * interrupted transfers resume); what the destination has beyond the
   * source is deleted only with `delete`. `dryRun` yields the plan
   * (`sync_plan` results) and changes nothing. A second run transfers nothing.
   * A missing source (directory or container) rejects with a `SwiftError`
   * before anything changes; a missing destination is created.
   *
   * ```ts
   * for await (const r of swift.sync('/srv/site', 'swift://www/site', { delete: true, segmentSize: '64M' })) {
   *   if (!r.success) console.error(r.action, r.object, r.error);
   * }
   * ```
   */
  sync(source: string, destination: string, options?: SyncOptions): AsyncGenerator<SyncResult, void, undefined> {
    return loaded(() => import('./sync.js'), (m) => m.sync(this, this.defaults, source, destination, options));
  }

  /** Server-side copies of objects of `container` (see `destination`). */
  copy(container: string, objects: ReadonlyArray<string | CopyObject>, options?: CopyOptions): AsyncGenerator<CopyResult, void, undefined> {
    return loaded(() => import('./copy.js'), (m) => m.copy(this, this.defaults, container, objects, options));
  }

  /** Sets metadata/headers of the account, a container, or objects. */
  post(container?: string, objects?: ReadonlyArray<string | PostObject>, options?: PostOptions): AsyncGenerator<PostResult, void, undefined> {
    return loaded(() => import('./post.js'), (m) => m.post(this, this.defaults, container, objects, options));
  }

  /** Headers (and `swift stat` items) of the account, a container, or objects. */
  stat(container?: string, objects?: readonly string[], options?: StatOptions): AsyncGenerator<StatResult, void, undefined> {
    return loaded(() => import('./stat.js'), (m) => m.stat(this, this.defaults, container, objects, options));
  }

  /** The account's containers or a container's objects, one result per page. */
  list(container?: string, options?: ListOptions): AsyncGenerator<ListResult, void, undefined> {
    const merged = mergeOptions<ListOptions>(this.defaults, options);
    return loaded(() => import('./list.js'), (m) => m.list(this.connection, container, merged));
  }

  /**
   * The cluster's /info (python's `capabilities`), cached per URL unless
   * `refreshCache`. A failure is a result with `success: false`.
   */
  capabilities(url?: string, options: { refreshCache?: boolean | undefined; signal?: AbortSignal | undefined } = {}): Promise<CapabilitiesResult> {
    const key = url ?? '';
    let cached = this.#capabilities.get(key);
    if (!cached || options.refreshCache) {
      // Shared by concurrent callers, so no caller's signal stops it; each caller can stop waiting.
      const fetching = this.fetchCapabilities(url);
      cached = fetching;
      this.#capabilities.set(key, fetching);
      void fetching.then((r) => {
        if (!r.success && this.#capabilities.get(key) === fetching) this.#capabilities.delete(key);
      });
    }
    return untilAborted(cached, options.signal);
  }

  private async fetchCapabilities(url: string | undefined): Promise<CapabilitiesResult> {
    const result: CapabilitiesResult = { action: 'capabilities', success: false, timestamp: now() };
    if (url !== undefined) result.url = url;
    try {
      result.capabilities = await this.connection.getCapabilities(url);
      result.success = true;
    } catch (err) {
      result.error = toError(err);
    }
    return result;
  }

  /** /info for the service's own calls; undefined when the cluster does not serve it. */
  async info(signal?: AbortSignal): Promise<Capabilities | undefined> {
    return (await this.capabilities(undefined, { signal })).capabilities;
  }

  /** Releases the connection's sockets when the service created it. */
  async close(): Promise<void> {
    if (this.#ownsConnection) await this.connection.close();
  }

  /**
   * `await using swift = new SwiftService(...)` closes like `close()` when
   * the block ends (the connection's sockets, when the service created it).
   * @example
   * { await using swift = new SwiftService({ authUrl, user, key }); for await (const r of swift.list()) console.log(r); }
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
