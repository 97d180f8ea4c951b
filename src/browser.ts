// The browser and worker entry (package conditions `browser`, `worker`,
// `default`): the Connection, auth, the native surface and signing, over the
// platform's fetch, Web Crypto and hash-wasm's MD5; no Node built-in and no
// undici. Not here (Node, Deno and Bun only): fileSource and SwiftService,
// which read and write local files. Bytes the Node entry gives as Buffers
// are plain Uint8Arrays here.
import './platform/web.js';

export { Connection } from './connection.js';
export { ClientException, NotFoundError, UnauthorizedError, NetworkError, TimeoutError, ChecksumError } from './errors.js';
export { Session } from './auth/session.js';
export { v1, v2, v3 } from './auth/plugins.js';
export { ObjectBody } from './http/object-body.js';
// The bulk upload of a Blob/File (SLO segments through the service's pool), without the rest of SwiftService.
export { uploadBlob, DEFAULT_BLOB_SEGMENT_SIZE } from './service/blob-upload.js';
export { setDebugLog } from './http/log.js';
export { accountInfo, containerInfo, objectInfo, metaHeaders, readMeta, toListedContainer, toListObjectsEntry } from './native/index.js';
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
// The types are the Node entry's (types only: nothing of the service loads).
export type * from './index.js';
