// What every entry exports: the Connection, auth, the native surface, the
// extras and signing, uploadBlob, and their types. src/index.ts (Node, Deno,
// Bun) adds the file-based parts; src/browser.ts (browsers, workers) adds
// nothing. Nothing here may reach a Node built-in or undici, in the code or
// in the declarations a browser project type-checks.
export { Connection } from './connection.js';
export type { ConnectionOptions, OsOptions } from './options.js';
export { ClientException, NotFoundError, UnauthorizedError, NetworkError, TimeoutError, ChecksumError } from './errors.js';
export type { ClientExceptionFields, ClientErrorCode, ChecksumErrorFields } from './errors.js';
export { Session } from './auth/session.js';
export type { MaybePromise, SessionLike, SessionOptions } from './auth/session.js';
export { v1, v2, v3 } from './auth/plugins.js';
export type {
  AuthPlugin,
  V1PasswordOptions,
  V2PasswordOptions,
  V2TokenOptions,
  V3ApplicationCredentialOptions,
  V3PasswordOptions,
  V3ScopeOptions,
  V3TokenOptions,
} from './auth/plugins.js';
export type { AccessInfo, CatalogEndpoint, CatalogService, EndpointFilter } from './auth/access.js';
export { ObjectBody } from './http/object-body.js';
export type { BodyInput, Chunk, ReplayableSource } from './http/body.js';
export type { HeaderValue, HeadersInput, ResponseHeaders } from './http/headers.js';
export type { TransportName, TransportOptions } from './http/transport.js';
export { setDebugLog } from './http/log.js';
export type { LogSink } from './http/log.js';
export type { CallOptions, ContainerEntry, ContainerInfoEntry, GetAccountOptions, HeadersOptions, PostAccountOptions, SubdirEntry } from './ops/account.js';
export type {
  DeleteContainerOptions,
  GetContainerOptions,
  ObjectEntry,
  ObjectInfoEntry,
  PostContainerOptions,
  PutContainerOptions,
  WriteOptions,
} from './ops/container.js';
export type {
  CopyObjectOptions,
  DeleteObjectOptions,
  GetObjectOptions,
  HeadObjectOptions,
  PostObjectOptions,
  PutObjectOptions,
} from './ops/object.js';
export type { ResponseDict } from './ops/request.js';
export { accountInfo, containerInfo, objectInfo, metaHeaders, readMeta, toListedContainer, toListObjectsEntry } from './native/index.js';
export type {
  AccountInfo,
  ContainerInfo,
  InfoBase,
  ListContainersOptions,
  ListedContainer,
  ListedObject,
  ListedSubdir,
  ListObjectsEntry,
  ListObjectsOptions,
  ManifestInfo,
  MetaInput,
  MetaLevel,
  ObjectInfo,
  OpenedObject,
  OpenObjectOptions,
  PolicyUsage,
  ProgressListener,
  StatCallOptions,
  StatObjectOptions,
  TransferProgress,
} from './native/index.js';
export type { Capabilities } from './ops/capabilities.js';
export { capabilitiesUrl } from './ops/capabilities.js';
export { connectionOptionsFromEnv } from './env.js';
export { quote } from './util/quote.js';
export {
  generateTempUrl,
  generateTempUrlAsync,
  signTempUrl,
  signTempUrlAsync,
  generateFormPost,
  generateFormPostAsync,
  formPostHiddenInputs,
  setAccountTempUrlKey,
  removeAccountTempUrlKey,
  getAccountTempUrlKeys,
  setContainerTempUrlKey,
  removeContainerTempUrlKey,
  getContainerTempUrlKeys,
  setContainerAcl,
  getContainerAcl,
  parseAcl,
  tempUrlFor,
  enableVersioning,
  disableVersioning,
  isVersioningEnabled,
  listVersions,
  versionQuery,
  getObjectVersion,
  headObjectVersion,
  deleteObjectVersion,
  restoreObjectVersion,
  setVersionsLocation,
  removeVersionsLocation,
  getVersionsLocation,
  legacyVersionPrefix,
  listLegacyVersions,
  createSymlink,
  readSymlink,
  symlinkHeaders,
  expiryHeaders,
  setObjectExpiry,
  clearObjectExpiry,
  getObjectExpiry,
} from './extras.js';
export type {
  TempUrlDigest,
  TempUrlOptions,
  TempUrlParts,
  FormPost,
  FormPostOptions,
  AclInput,
  ContainerAcl,
  ContainerAclInput,
  TempUrlForOptions,
  TempUrlKeyOptions,
  TempUrlKeys,
  LegacyVersioning,
  LegacyVersioningMode,
  ListVersionsOptions,
  RestoreVersionOptions,
  SetVersionsLocationOptions,
  CreateSymlinkOptions,
  SymlinkInfo,
  SymlinkTarget,
  Expiry,
  SetExpiryOptions,
} from './extras.js';
// The bulk upload of a Blob/File (SLO segments through the service's pool), without the rest of SwiftService.
export { uploadBlob, DEFAULT_BLOB_SEGMENT_SIZE } from './service/blob-upload.js';
export type { UploadBlobOptions } from './service/blob-upload.js';
export type {
  CapabilitiesResult,
  CommonOptions,
  CopyObject,
  CopyObjectResult,
  CopyOptions,
  CopyResult,
  CreateContainerResult,
  CreateDirMarkerResult,
  DeleteContainerResult,
  DeleteObject,
  DeleteObjectResult,
  DeleteOptions,
  DeleteResult,
  DeleteSegmentResult,
  DownloadObjectResult,
  DownloadOptions,
  HeaderPairs,
  ListOptions,
  ListResult,
  PostObject,
  PostOptions,
  PostResult,
  ProgressEvent,
  ResultBase,
  ServiceDefaults,
  ServiceResult,
  StatOptions,
  StatResult,
  ThreadOptions,
  UploadObject,
  UploadObjectOptions,
  UploadObjectResult,
  UploadOptions,
  UploadResult,
  UploadSegmentResult,
  UploadSource,
} from './service/types.js';
