// The Node types the shared declarations name (a request body may be a
// stream.Readable, a ConnectionOptions may carry an undici Dispatcher). The
// Node entry's platform (src/platform/node.ts) fills NodeOnlyTypes in by
// module augmentation, so Node, Deno and Bun projects see node:stream's
// Readable and undici's Dispatcher exactly; a browser project loads
// src/platform/web.ts instead and sees `never`, so its type-check needs
// neither @types/node nor undici's declarations.

/**
 * Filled in by the Node entry (src/platform/node.ts); empty for the browser entry.
 * @internal
 */
export interface NodeOnlyTypes {}

/** node:stream's `Readable` under the Node entry; `never` (no such body) in a browser. @internal */
export type Readable = NodeOnlyTypes extends { Readable: infer T } ? T : never;

/** undici's `Dispatcher` under the Node entry; `never` (no such option) in a browser. @internal */
export type Dispatcher = NodeOnlyTypes extends { Dispatcher: infer T } ? T : never;
