// The Node, Deno and Bun entry: node:crypto, both engines, the file-based
// service (browsers and workers load browser.ts instead).
import './platform/node.js';

export * from './exports-common.js';
export { fileSource } from './http/file-source.js';
export { SwiftService, SwiftError, parseSyncLocation } from './service/index.js';
export type { SwiftErrorDetails } from './service/index.js';
export type { BrokenManifestResult, CleanupOptions, CleanupResult, OrphanSegmentResult } from './service/index.js';
export type { SyncDeleteFileResult, SyncLocation, SyncOptions, SyncPlanResult, SyncResult } from './service/index.js';
