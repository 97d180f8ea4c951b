// The sync locations, apart from the sync itself: parseSyncLocation is
// public and cheap, the sync code is loaded by SwiftService.sync's first call.
import { SwiftError } from './errors.js';

/** One side of a sync: a local directory, or `swift://container[/prefix]`. */
export type SyncLocation =
  | {
      /** A directory on this machine. */
      kind: 'local';
      /** Its path, as given. */
      path: string;
    }
  | {
      /** A container, or a prefix in it. */
      kind: 'swift';
      /** The container's name. */
      container: string;
      /** The object-name prefix, ending in `/`, or `''` for the whole container. */
      prefix: string;
    };

/**
 * Reads one side of a sync: `swift://container[/prefix]` (the prefix is a
 * "folder": it gets a trailing `/`), anything else a local path.
 *
 * ```ts
 * parseSyncLocation('swift://www/site'); // { kind: 'swift', container: 'www', prefix: 'site/' }
 * parseSyncLocation('/srv/site');        // { kind: 'local', path: '/srv/site' }
 * ```
 */
export function parseSyncLocation(text: string): SyncLocation {
  if (!text.startsWith('swift://')) {
    if (text === '') throw new SwiftError('A sync location must not be empty');
    return { kind: 'local', path: text };
  }
  const rest = text.slice('swift://'.length);
  const slash = rest.indexOf('/');
  const container = slash < 0 ? rest : rest.slice(0, slash);
  if (container === '') throw new SwiftError(`No container in ${JSON.stringify(text)}`);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  return { kind: 'swift', container, prefix: prefix === '' ? '' : `${prefix}/` };
}
