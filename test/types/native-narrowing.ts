// Type-level tests of the native surface, checked by `tsc -p test/types`
// (npm run typecheck, and test/unit/native-types.test.ts). Every
// `@ts-expect-error` must meet an error: if a union stops narrowing on
// `kind`, or a field loses its type, the unused directive fails the build.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { SwiftService, uploadBlob } from '../../src/index.js';
import type { Connection, ListedObject, ListObjectsEntry, ObjectBody, ProgressEvent, TransferProgress } from '../../src/index.js';

declare const entry: ListObjectsEntry;
declare const conn: Connection;

export function narrowing(): void {
  // @ts-expect-error only objects have a size: not readable before narrowing
  void entry.bytes;
  // @ts-expect-error kind is 'object' | 'subdir'
  if (entry.kind === 'file') return;
  const name: string = entry.name;
  void name;
  if (entry.kind === 'subdir') {
    // @ts-expect-error a subdir has no lastModified
    void entry.lastModified;
    return;
  }
  const bytes: number = entry.bytes;
  const when: Date = entry.lastModified;
  const object: ListedObject = entry;
  void [bytes, when, object];
}

export function exhaustive(e: ListObjectsEntry): string {
  switch (e.kind) {
    case 'object':
      return e.hash;
    case 'subdir':
      return e.name;
    default: {
      const never: never = e;
      return never;
    }
  }
}

export async function records(): Promise<void> {
  const info = await conn.statObject('c', 'o');
  const length: number = info.contentLength;
  const modified: Date = info.lastModified;
  const owner: string | undefined = info.meta.owner;
  // @ts-expect-error metadata values are strings
  const wrong: number = info.meta.owner;
  void [length, modified, owner, wrong];

  const container = await conn.statContainer('c');
  const count: number = container.objectCount;
  // @ts-expect-error a container record has no contentLength
  void container.contentLength;
  void count;

  for await (const c of conn.listContainers({ pageSize: 100 })) {
    const n: number = c.count;
    // @ts-expect-error container entries have no kind
    void c.kind;
    void n;
  }

  const { info: opened, body } = await conn.openObject('c', 'o', { onProgress: (p: TransferProgress) => void p.total });
  const streamed: ObjectBody = body;
  const text: string = await streamed.text();
  const web: ReadableStream<Uint8Array> = streamed.toWeb();
  const typed: { a: number } = await streamed.json<{ a: number }>();
  void [opened.etag, text, web, typed];
  // The README's bounded-memory download: the body itself is a pipeline source
  // (Readable.fromWeb(body.toWeb()) does not compile where lib "DOM" is loaded beside @types/node).
  await pipeline(body, createWriteStream('/dev/null'));

  // @ts-expect-error metadata values must be strings
  await conn.putObject('c', 'o', 'x', { meta: { size: 1 } });
  await conn.postObject('c', 'o', {}, { meta: { owner: 'ünï' } });
  // @ts-expect-error progress totals may be unknown
  await conn.putObject('c', 'o', 'x', { onProgress: (p) => p.total.toFixed() });
}

export async function blobProgress(blob: Blob): Promise<void> {
  // uploadBlob always knows the size: bytesTotal is a number, no `?? 1` needed
  await uploadBlob(conn, 'c', 'o', blob, { onProgress: ({ bytesDone, bytesTotal }) => void (bytesDone / bytesTotal) });
  // a listener written for SwiftService's events (bytesTotal possibly undefined) still fits
  const general = (e: ProgressEvent): void => void e.bytesTotal;
  await uploadBlob(conn, 'c', 'o', blob, { onProgress: general });
  // @ts-expect-error SwiftService's own progress total may be unknown (streams)
  await new SwiftService(conn).upload('c', ['f'], { onProgress: (e) => e.bytesTotal.toFixed() }).next();
}
