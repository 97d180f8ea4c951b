import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isPartialName, partialPaths, resumable } from '../../src/service/resume-download.js';
import { segmentPrefix, segmentsToProbe } from '../../src/service/resume-upload.js';
import { parseSyncLocation } from '../../src/service/sync.js';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe('segment prefix a resumed upload lists', () => {
  const table: Array<[string, boolean, number, string]> = [
    ['big.bin', true, 3000, 'big.bin/slo/1700000000.000000/3000/1000/'],
    ['big.bin', false, 3000, 'big.bin/1700000000.000000/3000/1000/'],
    ['dir/ü.bin', true, 1, 'dir/ü.bin/slo/1700000000.000000/1/1000/'],
  ];
  for (const [obj, useSlo, size, prefix] of table) {
    test(`${obj} ${useSlo ? 'SLO' : 'DLO'} ${size}`, () => {
      assert.equal(segmentPrefix({ obj, mtime: '1700000000.000000', segmentSize: 1000, useSlo }, size), prefix);
    });
  }
});

describe('which downloads take the resumable path', () => {
  const table: Array<[string, object, string | undefined, string, Record<string, string>, boolean]> = [
    ['a file', {}, undefined, 'dir/a', {}, true],
    ['an out file', {}, 'x.bin', 'a', {}, true],
    ['stdout', {}, '-', 'a', {}, false],
    ['no download', { noDownload: true }, undefined, 'a', {}, false],
    ['a version', { versionId: '1' }, undefined, 'a', {}, false],
    ['a pseudo-directory', {}, undefined, 'dir/', {}, false],
    ["the caller's Range", {}, undefined, 'a', { range: 'bytes=0-9' }, false],
    ["the caller's If-Match", {}, undefined, 'a', { 'if-match': 'x' }, false],
    ['other headers', {}, undefined, 'a', { 'x-foo': '1' }, true],
  ];
  for (const [what, o, outFile, path, headers, expected] of table) {
    test(what, () => assert.equal(resumable(o, outFile, path, headers), expected));
  }
});

describe("a download's own partial and state files (sync leaves them alone)", () => {
  const { data, state } = partialPaths('/d/big.bin', (name) => name);
  const table: Array<[string, boolean]> = [
    [data.slice(3), true],
    [state.slice(3), true],
    [`${state.slice(3)}.tmp`, true],
    [`${data.slice(3)}.lock`, true],
    [`${data.slice(3)}.lock.break`, true],
    [`${data.slice(3)}.lock.old`, false],
    ['.a b\nc.swiftclient-partial', true],
    ['big.bin', false],
    ['.big.bin', false],
    ['big.bin.swiftclient-partial', false],
    ['.swiftclient-partial', false],
    ['.big.bin.swiftclient-partial.json.old', false],
  ];
  for (const [name, expected] of table) test(JSON.stringify(name), () => assert.equal(isPartialName(name), expected));
});

describe('sync locations', () => {
  const table: Array<[string, ReturnType<typeof parseSyncLocation> | RegExp]> = [
    ['swift://c', { kind: 'swift', container: 'c', prefix: '' }],
    ['swift://c/', { kind: 'swift', container: 'c', prefix: '' }],
    ['swift://c/a/b/', { kind: 'swift', container: 'c', prefix: 'a/b/' }],
    ['swift://c//a', { kind: 'swift', container: 'c', prefix: 'a/' }],
    ['/srv/site', { kind: 'local', path: '/srv/site' }],
    ['swift:c', { kind: 'local', path: 'swift:c' }],
    ['swift://', /No container/],
    ['', /must not be empty/],
  ];
  for (const [text, expected] of table) {
    test(JSON.stringify(text), () => {
      if (expected instanceof RegExp) assert.throws(() => parseSyncLocation(text), expected);
      else assert.deepEqual(parseSyncLocation(text), expected);
    });
  }
});

describe('which segments a resumed upload HEADs after its listing (a listing may lag behind recent writes)', () => {
  const table: Array<[string, number, number[], number[], number | undefined]> = [
    ['nothing listed (a first run): no HEAD', 10, [], [], undefined],
    ['a run listed whole up to the kill: the next one only', 10, [0, 1, 2, 3], [], 4],
    ['all listed: none', 4, [0, 1, 2, 3], [], undefined],
    ['gaps in the middle (segments done out of order, or lagging)', 10, [0, 2, 3, 6], [1, 4, 5], 7],
    ['only the last listed', 5, [4], [0, 1, 2, 3], undefined],
    ['listed names beyond the count are ignored', 3, [0, 7], [], 1],
  ];
  for (const [name, count, listed, gaps, tailFrom] of table) {
    test(name, () => assert.deepEqual(segmentsToProbe(count, new Set(listed)), { gaps, tailFrom }));
  }
});

describe('a counted upload body', () => {
  test('a file that cannot be opened fails when the body is read, not as an uncaught error meanwhile', async () => {
    // In a process of its own: an uncaught error must end that process, not pass unseen here.
    const dir = await mkdtemp(join(tmpdir(), 'counted-'));
    const script = join(dir, 'counted.mts');
    const progressModule = pathToFileURL(fileURLToPath(new URL('../../src/service/progress.ts', import.meta.url))).href;
    await writeFile(
      script,
      [
        "import { createReadStream } from 'node:fs';",
        "import { setTimeout as sleep } from 'node:timers/promises';",
        `import { countedSource, Progress } from ${JSON.stringify(progressModule)};`,
        "const progress = new Progress(() => undefined, 'upload', 'c', 'o', 10);",
        "const body = await countedSource({ size: 10, open: () => createReadStream('/nonexistent/swiftclient-counted') }, progress, 0).open();",
        'await sleep(50); // the open fails while nothing reads the body yet (the login or the socket under way)',
        "try { for await (const chunk of body) void chunk; console.log('read'); } catch (err) { console.log('rejected', err.code); }",
      ].join('\n'),
    );
    try {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', script]);
      assert.equal(stdout.trim(), 'rejected ENOENT');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
