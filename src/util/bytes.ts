// Bytes where the platform may have no Buffer (browsers, workers): the
// library's bytes are Buffers where Buffer exists (Node, Deno, Bun: the type
// the public API promises there) and plain Uint8Arrays elsewhere. A Buffer is
// a Uint8Array, so the code in between only relies on that.
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The same bytes (no copy) as a Buffer where the platform has one. */
export function asBuffer(view: Uint8Array): Buffer {
  if (NodeBuffer === undefined || NodeBuffer.isBuffer(view)) return view as Buffer;
  return NodeBuffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * The bytes as web APIs (fetch bodies, Blob parts, Web Crypto) are typed to
 * take them since TypeScript 5.7's DOM lib: views of an `ArrayBuffer`. Ours
 * always are; a caller's view of a SharedArrayBuffer is refused by the
 * platform at run time either way.
 */
export function webBytes(view: Uint8Array): Uint8Array<ArrayBuffer> {
  return view as Uint8Array<ArrayBuffer>;
}

/** True for a Buffer or any other Uint8Array. */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** A string as UTF-8 bytes. */
export function utf8Bytes(text: string): Buffer {
  return NodeBuffer !== undefined ? NodeBuffer.from(text, 'utf8') : (encoder.encode(text) as Buffer);
}

/** Bytes decoded as UTF-8 (bad sequences become U+FFFD). */
export function utf8Text(bytes: Uint8Array): string {
  return NodeBuffer !== undefined ? asBuffer(bytes).toString('utf8') : decoder.decode(bytes);
}

/** Length of a string in UTF-8 bytes. */
export function utf8Length(text: string): number {
  return NodeBuffer !== undefined ? NodeBuffer.byteLength(text, 'utf8') : encoder.encode(text).length;
}

/** No bytes. */
export function emptyBytes(): Buffer {
  return NodeBuffer !== undefined ? NodeBuffer.alloc(0) : (new Uint8Array(0) as Buffer);
}

/** The chunks joined into one new buffer (at most `total` bytes, when given). */
export function concatBytes(chunks: readonly Uint8Array[], total?: number): Buffer {
  if (NodeBuffer !== undefined) return total === undefined ? NodeBuffer.concat(chunks) : NodeBuffer.concat(chunks, total);
  const size = total ?? chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    if (at >= size) break;
    const part = chunk.length > size - at ? chunk.subarray(0, size - at) : chunk;
    out.set(part, at);
    at += part.length;
  }
  return out as Buffer;
}

/** A latin1 "binary string" of the bytes (one char per byte). */
export function latin1Text(bytes: Uint8Array): string {
  if (NodeBuffer !== undefined) return asBuffer(bytes).toString('latin1');
  let out = '';
  for (let at = 0; at < bytes.length; at += 0x8000) out += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return out;
}

/** The bytes of a latin1 "binary string" (the low byte of each char). */
export function latin1Bytes(text: string): Buffer {
  if (NodeBuffer !== undefined) return NodeBuffer.from(text, 'latin1');
  const out = new Uint8Array(text.length);
  for (let at = 0; at < text.length; at += 1) out[at] = text.charCodeAt(at) & 0xff;
  return out as Buffer;
}
