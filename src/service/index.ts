// The service reads and writes local files: Node, Deno and Bun only.
import '../platform/node.js';
import { setMaxListeners } from 'node:events';
import { setListenerUnlimiter } from './runner.js';

setListenerUnlimiter((signal) => setMaxListeners(0, signal));

export { SwiftService } from './service.js';
export { SwiftError } from './errors.js';
export { uploadBlob, DEFAULT_BLOB_SEGMENT_SIZE } from './blob-upload.js';
export type { UploadBlobOptions } from './blob-upload.js';
export type { SwiftErrorDetails } from './errors.js';
// every type of the service's calls (src/exports-common.ts names them one by one)
export type * from './types.js';
export type { BrokenManifestResult, CleanupOptions, CleanupResult, OrphanSegmentResult } from './cleanup.js';
export { parseSyncLocation } from './sync-location.js';
export type { SyncDeleteFileResult, SyncLocation, SyncOptions, SyncPlanResult, SyncResult } from './sync.js';
