// Pure pieces of the bulk service: python-compatible names, mtimes and
// manifest bodies (checked against python itself), option parsing, batching,
// the stream splitter and the runner's abort / early-exit semantics.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
// The service's modules are loaded one by one here: register the Node platform the package entry would.
import '../../src/platform/node.js';
import { nGroups } from '../../src/service/bulk.js';
import { SwiftError } from '../../src/service/errors.js';
import {
  dloManifestValue,
  fileSegmentName,
  parseDloManifest,
  percentF,
  pythonMtime,
  pythonNowMtime,
  sloManifestBody,
  streamSegmentName,
} from '../../src/service/naming.js';
import { parseSegmentSize, splitHeaders } from '../../src/service/options.js';
import { Runner } from '../../src/service/runner.js';
import { PieceReader } from '../../src/service/stream-segments.js';

const python = (code: string, ...args: string[]): string => execFileSync('/usr/bin/python3', ['-c', code, ...args], { encoding: 'utf8' });

describe('python-compatible names', () => {
  test('mtime is "%f" % os.path.getmtime(path), for odd timestamps too', async () => {
    const dir = await fsp.mkdtemp(join(tmpdir(), 'svc-mtime-'));
    try {
      const path = join(dir, 'f');
      await fsp.writeFile(path, 'x');
      const stamps = [1_700_000_000.1234565, 1_234_567_890.9999996, 86_400.5, 1_795_758_215.091234, 1_700_000_000.0078125];
      for (const t of [undefined, ...stamps]) {
        if (t !== undefined) await fsp.utimes(path, t, t);
        const expected = python('import os, sys; print("%f" % os.path.getmtime(sys.argv[1]))', path).trim();
        assert.equal(pythonMtime(await fsp.stat(path, { bigint: true })), expected);
      }
    } finally {
      await fsp.rm(dir, { recursive: true });
    }
  });

  test('"%f" of any double, exact ties rounded half to even as python does (toFixed rounds them up)', () => {
    const values = [1_700_000_000.0078125, 0.0000025, 0.0000005, 2.5, -0.0000005, 0, 123.4567895, 1e-7, 4_503_599_627_370_497.5];
    for (let i = 0; i < 200; i += 1) values.push(1.6e9 + Math.floor(Math.random() * 1e8) + Math.floor(Math.random() * 2 ** 20) / 2 ** 20);
    const expected = python('import json, sys\nfor x in json.loads(sys.argv[1]): print("%f" % x)', JSON.stringify(values)).trim().split('\n');
    assert.deepEqual(values.map(percentF), expected);
  });

  test('round(time()) halves go to even, as python rounds', () => {
    assert.equal(pythonNowMtime(1_700_000_000_500), '1700000000.000000');
    assert.equal(pythonNowMtime(1_700_000_001_500), '1700000002.000000');
    assert.equal(pythonNowMtime(1_700_000_001_499), '1700000001.000000');
  });

  test('segment names and the DLO manifest value', () => {
    assert.equal(fileSegmentName('a/b.bin', '1.500000', 100, 10, 3, true), 'a/b.bin/slo/1.500000/100/10/00000003');
    assert.equal(fileSegmentName('a/b.bin', '1.500000', 100, 10, 12, false), 'a/b.bin/1.500000/100/10/00000012');
    assert.equal(streamSegmentName('s', '2.000000', 10, 0), 's/slo/2.000000/10/00000000');
    const expected = python(
      'from urllib.parse import quote; import sys; print("%s/%s/%s/%s/%s/" % (quote(sys.argv[1].encode("utf8")), quote(sys.argv[2].encode("utf8")), "1.000000", 5, 2))',
      'c_segments ü',
      'dir/naïve name?&#.txt',
    ).trim();
    assert.equal(dloManifestValue('c_segments ü', 'dir/naïve name?&#.txt', '1.000000', 5, 2), expected);
    assert.deepEqual(parseDloManifest(expected), { container: 'c_segments ü', prefix: 'dir/naïve name?&#.txt/1.000000/5/2/' });
  });

  test('the SLO manifest body is json.dumps of python, byte for byte', () => {
    const segments = [
      { path: '/c_segments/naïve "quoted" \\ \u007f 😀/slo/1/2/3/00000000', etag: 'abc', sizeBytes: 5 },
      { path: '/c_segments/tab\there', etag: 'def', sizeBytes: 1 << 30 },
    ];
    const expected = python(
      'import json, sys; s = json.loads(sys.argv[1]); sys.stdout.write(json.dumps([{"path": d["path"], "etag": d["etag"], "size_bytes": d["sizeBytes"]} for d in s]))',
      JSON.stringify(segments),
    );
    assert.equal(sloManifestBody(segments), expected);
  });
});

describe('service options', () => {
  test('segment sizes as `swift upload -S` takes them', () => {
    assert.equal(parseSegmentSize(undefined), 0);
    assert.equal(parseSegmentSize(1234), 1234);
    assert.equal(parseSegmentSize('1234'), 1234);
    assert.equal(parseSegmentSize('8M'), 8 << 20);
    assert.equal(parseSegmentSize('2g'), 2 * 1024 ** 3);
    assert.equal(parseSegmentSize('10K'), 10240);
    assert.throws(() => parseSegmentSize('1.5M'), SwiftError);
    assert.throws(() => parseSegmentSize(-1), SwiftError);
  });

  test('headers from "Name: value" strings, pairs or objects, with a prefix', () => {
    assert.deepEqual(splitHeaders(['Color: Blue', ['Size', ' Large '], 'x:a:b'], 'X-Object-Meta-'), {
      'x-object-meta-color': 'Blue',
      'x-object-meta-size': 'Large',
      'x-object-meta-x': 'a:b',
    });
    assert.deepEqual(splitHeaders({ 'Content-Type': 'text/plain', n: 3 }), { 'content-type': 'text/plain', n: '3' });
    assert.throws(() => splitHeaders(['no colon']), SwiftError);
  });

  test("bulk batches are split like python's n_groups", () => {
    assert.deepEqual(nGroups([1, 2, 3, 4, 5], 2), [[1, 2, 3], [4, 5]]);
    assert.equal(nGroups(Array.from({ length: 2000 }, (_, i) => i), 10).length, 10);
    assert.equal(nGroups(Array.from({ length: 21 }, (_, i) => i), 10).length, 7);
  });
});

describe('PieceReader', () => {
  test('cuts a stream into exact pieces whatever its chunking', async () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    const chunks = [data.subarray(0, 7), data.subarray(7, 500), data.subarray(500, 500), data.subarray(500)];
    const reader = new PieceReader(Readable.from(chunks));
    const signal = new AbortController().signal;
    const pieces = [];
    for (;;) {
      const piece = await reader.read(300, signal);
      pieces.push(piece);
      if (piece.length < 300) break;
    }
    assert.deepEqual(pieces.map((p) => p.length), [300, 300, 300, 100]);
    assert.ok(Buffer.concat(pieces.flatMap((p) => p.chunks)).equals(data));
  });
});

describe('Runner', () => {
  const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  test('yields every result in the order emitted, then ends once all tasks settled', async () => {
    const runner = new Runner<number>(undefined);
    // Each task waits for its own gate; the gates open in the order 1, 2, 3 (not the spawn order).
    const gates = new Map<number, () => void>();
    for (const n of [3, 1, 2]) {
      const gate = new Promise<void>((resolve) => gates.set(n, resolve));
      runner.spawn(async () => {
        await gate;
        runner.emit(n);
        gates.get(n + 1)?.();
      });
    }
    gates.get(1)?.();
    const seen = [];
    for await (const n of runner.drain()) seen.push(n);
    assert.deepEqual(seen, [1, 2, 3]);
  });

  test("an aborted signal rejects with its reason, after the work in flight stopped", async () => {
    const controller = new AbortController();
    const runner = new Runner<number>(controller.signal);
    let stopped = false;
    runner.spawn(async () => {
      await new Promise((resolve) => runner.signal.addEventListener('abort', resolve));
      await tick(20);
      stopped = true;
    });
    setTimeout(() => controller.abort(new Error('stop now')), 10);
    await assert.rejects(async () => {
      for await (const _ of runner.drain()) void _;
    }, /stop now/);
    assert.equal(stopped, true);
  });

  test('leaving the loop early aborts the tasks and waits for them', async () => {
    const runner = new Runner<number>(undefined);
    let stopped = false;
    runner.emit(1);
    runner.spawn(async () => {
      await new Promise((resolve) => runner.signal.addEventListener('abort', resolve));
      stopped = true;
    });
    for await (const _ of runner.drain()) break;
    assert.equal(runner.signal.aborted, true);
    assert.equal(stopped, true);
  });

  test('fail() lets running tasks report, then rejects', async () => {
    const runner = new Runner<number>(undefined);
    runner.spawn(async () => {
      await tick(10);
      runner.emit(7);
    });
    runner.fail(new SwiftError('listing failed'));
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const n of runner.drain()) seen.push(n);
    }, /listing failed/);
    assert.deepEqual(seen, [7]);
  });

  test('failFast marks the runner cancelled after a failed result', () => {
    const runner = new Runner<{ success: boolean }>(undefined, true);
    runner.emit({ success: true });
    assert.equal(runner.cancelled, false);
    runner.emit({ success: false });
    assert.equal(runner.cancelled, true);
  });
});
