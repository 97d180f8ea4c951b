// openObject: a GET with a typed info record and an always-streamed body.
import type { Connection } from '../connection.js';
import type { HeadersInput } from '../http/headers.js';
import type { ObjectBody } from '../http/object-body.js';
import type { CallOptions } from '../ops/account.js';
import type { ResponseDict } from '../ops/request.js';
import type { ProgressListener } from './progress.js';
import { objectInfo, objectQuery, type ObjectInfo } from './stat.js';

/** Bytes per chunk an opened body yields when iterated, unless `chunkSize` says otherwise. */
export const DEFAULT_OPEN_CHUNK = 64 * 1024;

/** Options of `openObject`. */
export interface OpenObjectOptions extends CallOptions {
  /** More request headers (e.g. `Range`: the body is then that range, and is not resumed). */
  headers?: HeadersInput | undefined;
  /** Open this version of the object (versioned containers). */
  versionId?: string | undefined;
  /** Largest chunk the body yields when iterated, in bytes. @default 65536 */
  chunkSize?: number | undefined;
  /** Check the body's MD5 against the ETag once it is read to the end. @default the Connection's `checksum` */
  checksum?: boolean | undefined;
  /** Told the bytes received as the body is read (see {@link ProgressListener}). */
  onProgress?: ProgressListener | undefined;
  /** Filled with the status, reason and headers of the GET (python's `response_dict`). */
  responseDict?: ResponseDict | undefined;
}

/** What `openObject` resolves to: the object's info and its streamed body. */
export interface OpenedObject {
  /** The GET response's headers as an {@link ObjectInfo}. */
  info: ObjectInfo;
  /**
   * The bytes, streamed: iterate it, `read(n)`, `text()`, `json()`,
   * `bytes()`, `toWeb()`; `close()` it when leaving it unread (or hold it
   * with `await using`, which closes it when the block ends).
   */
  body: ObjectBody;
}

/** `openObject`: starts a download and resolves once the headers are in, the body still unread. */
export async function openObject(conn: Connection, container: string, obj: string, options: OpenObjectOptions = {}): Promise<OpenedObject> {
  const { versionId, chunkSize, ...rest } = options ?? {};
  const respChunkSize = chunkSize !== undefined && chunkSize > 0 ? chunkSize : DEFAULT_OPEN_CHUNK;
  const [headers, body] = await conn.getObject(container, obj, { ...rest, queryString: objectQuery({ versionId }), respChunkSize });
  return { info: objectInfo(headers), body };
}
