// The TypeScript-native surface beside the python-named one (API.md,
// "Additions: the TypeScript-native surface"): Connection delegates here.
export { listContainers, listObjects, toListedContainer, toListObjectsEntry } from './listing.js';
export type { ListContainersOptions, ListedContainer, ListedObject, ListedSubdir, ListObjectsEntry, ListObjectsOptions } from './listing.js';
export { accountInfo, containerInfo, objectInfo, statAccount, statContainer, statObject } from './stat.js';
export type { AccountInfo, ContainerInfo, InfoBase, ManifestInfo, ObjectInfo, PolicyUsage, StatCallOptions, StatObjectOptions } from './stat.js';
export { openObject } from './open.js';
export type { OpenedObject, OpenObjectOptions } from './open.js';
export { metaHeaders, readMeta } from './meta.js';
export type { MetaInput, MetaLevel } from './meta.js';
export type { ProgressListener, TransferProgress } from './progress.js';
