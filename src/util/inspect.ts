/**
 * Node's `util.inspect.custom` without importing node:util: the same
 * registered symbol, so `console.log` and `util.inspect` on Node, Deno and
 * Bun use the method, and a browser build needs no Node built-in.
 */
export const INSPECT_CUSTOM: unique symbol = Symbol.for('nodejs.util.inspect.custom') as typeof INSPECT_CUSTOM;
