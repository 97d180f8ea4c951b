// Temp URLs, form posts, temp URL keys, ACLs, versioning, symlinks and
// expiring objects: everything beyond python-swiftclient's Connection.
export { generateTempUrl, generateTempUrlAsync, signTempUrl, signTempUrlAsync } from './tempurl.js';
export type { TempUrlDigest, TempUrlOptions, TempUrlParts } from './tempurl.js';
export { formPostHiddenInputs, generateFormPost, generateFormPostAsync } from './formpost.js';
export type { FormPost, FormPostOptions } from './formpost.js';
export {
  getAccountTempUrlKeys,
  getContainerAcl,
  getContainerTempUrlKeys,
  parseAcl,
  removeAccountTempUrlKey,
  removeContainerTempUrlKey,
  setAccountTempUrlKey,
  setContainerAcl,
  setContainerTempUrlKey,
  tempUrlFor,
} from './account-helpers.js';
export type { AclInput, ContainerAcl, ContainerAclInput, TempUrlForOptions, TempUrlKeyOptions, TempUrlKeys } from './account-helpers.js';
export {
  deleteObjectVersion,
  disableVersioning,
  enableVersioning,
  getObjectVersion,
  getVersionsLocation,
  headObjectVersion,
  isVersioningEnabled,
  legacyVersionPrefix,
  listLegacyVersions,
  listVersions,
  removeVersionsLocation,
  restoreObjectVersion,
  setVersionsLocation,
  versionQuery,
} from './versioning.js';
export type { LegacyVersioning, LegacyVersioningMode, ListVersionsOptions, RestoreVersionOptions, SetVersionsLocationOptions } from './versioning.js';
export { createSymlink, readSymlink, symlinkHeaders } from './symlinks.js';
export type { CreateSymlinkOptions, SymlinkInfo, SymlinkTarget } from './symlinks.js';
export { clearObjectExpiry, expiryHeaders, getObjectExpiry, setObjectExpiry } from './expiry.js';
export type { Expiry, SetExpiryOptions } from './expiry.js';
