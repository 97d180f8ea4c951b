// Wall time and peak RSS of a large SLO upload: SwiftService against
// python-swiftclient's `swift upload --use-slo`, same file, same segment
// size and segment threads, each in a fresh process measured by
// /usr/bin/time -v (and ours by process.resourceUsage() as well).
//
//   node --import tsx bench/service-rss.ts [--size 1G] [--segment-size 64M] [--threads 10]
//   (or compiled: node .bench/js/bench/service-rss.js ...)
//
// Uses ST_AUTH/ST_USER/ST_KEY (default: the local tempauth Swift). The file
// is generated on /dev/shm and removed afterwards, as are the containers.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { SwiftService } from '../src/service/index.js';
import { parseSegmentSize } from '../src/service/options.js';

const auth = {
  authUrl: process.env.ST_AUTH ?? 'http://127.0.0.1:8080/auth/v1.0',
  user: process.env.ST_USER ?? 'test:tester',
  key: process.env.ST_KEY ?? 'testing',
};

interface Measure {
  wall: number;
  maxRssKiB: number;
  /** Ours only: RSS as reported from inside the process. */
  innerMaxRssKiB?: number;
  baselineRssKiB?: number;
}

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] ? (process.argv[at + 1] as string) : fallback;
}

/** The measured upload, in its own process: prints one JSON line. */
async function child(file: string, container: string, segmentSize: number, threads: number): Promise<void> {
  const baselineRssKiB = process.resourceUsage().maxRSS;
  const swift = new SwiftService(auth);
  const started = process.hrtime.bigint();
  for await (const r of swift.upload(container, [{ source: file, objectName: 'big' }], { segmentSize, segmentThreads: threads })) {
    if (!r.success) throw r.error ?? new Error(`${r.action} failed`);
  }
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  await swift.close();
  process.stdout.write(`${JSON.stringify({ wall, innerMaxRssKiB: process.resourceUsage().maxRSS, baselineRssKiB })}\n`);
}

/** Runs a command under `/usr/bin/time -v`; returns its stdout and what time measured. */
function timed(command: string, args: string[]): Promise<{ stdout: string; wall: number; maxRssKiB: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn('/usr/bin/time', ['-v', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${command} exited with ${code}:\n${stderr.slice(-2000)}`));
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const elapsed = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(stderr);
      if (!rss || !elapsed) return reject(new Error(`cannot read /usr/bin/time output:\n${stderr.slice(-2000)}`));
      const wall = (elapsed[1] as string).split(':').reduce((sum, part) => sum * 60 + Number(part), 0);
      resolve({ stdout, wall, maxRssKiB: Number(rss[1]) });
    });
  });
}

async function generate(path: string, size: number): Promise<void> {
  const handle = await fsp.open(path, 'w');
  try {
    for (let done = 0; done < size; done += 8 << 20) await handle.write(randomBytes(Math.min(8 << 20, size - done)));
  } finally {
    await handle.close();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    const [file, container, segmentSize, threads] = process.argv.slice(3);
    await child(file as string, container as string, Number(segmentSize), Number(threads));
    return;
  }
  const size = parseSegmentSize(arg('size', '1G'));
  const segmentSize = parseSegmentSize(arg('segment-size', '64M'));
  const threads = Number(arg('threads', '10'));
  const file = `/dev/shm/service-rss-${process.pid}.bin`;
  const tag = `${Date.now().toString(36)}-${process.pid}`;
  const ours = `bench-rss-ts-${tag}`;
  const theirs = `bench-rss-py-${tag}`;
  const service = new SwiftService(auth);
  try {
    process.stderr.write(`generating ${size} bytes in ${file}\n`);
    await generate(file, size);
    process.stderr.write(`SwiftService upload (segment size ${segmentSize}, ${threads} segment threads)\n`);
    const ourRun = await timed(process.execPath, [...process.execArgv, process.argv[1] as string, '--child', file, ours, String(segmentSize), String(threads)]);
    const inner = JSON.parse(ourRun.stdout.trim().split('\n').pop() as string) as Omit<Measure, 'maxRssKiB'>;
    const our: Measure = { ...inner, wall: ourRun.wall, maxRssKiB: ourRun.maxRssKiB };
    process.stderr.write('swift upload --use-slo\n');
    const pyRun = await timed('/usr/bin/swift', [
      '-A', auth.authUrl, '-U', auth.user, '-K', auth.key,
      'upload', '--use-slo', '-S', String(segmentSize), '--segment-threads', String(threads), '--object-name', 'big', theirs, file,
    ]);
    const py: Measure = { wall: pyRun.wall, maxRssKiB: pyRun.maxRssKiB };
    const mib = (kib: number | undefined): string => (kib === undefined ? '-' : `${(kib / 1024).toFixed(1)} MiB`);
    const rate = (wall: number): string => `${(size / wall / 2 ** 20).toFixed(1)} MiB/s`;
    const rows = [
      ['client', 'wall (time -v)', 'throughput', 'peak RSS (time -v)', 'peak RSS (inside)', 'RSS before upload'],
      ['SwiftService (node)', `${our.wall.toFixed(2)} s`, rate(our.wall), mib(our.maxRssKiB), mib(our.innerMaxRssKiB), mib(our.baselineRssKiB)],
      ['swift upload (python)', `${py.wall.toFixed(2)} s`, rate(py.wall), mib(py.maxRssKiB), '-', '-'],
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
    process.stdout.write(`${size} bytes as SLO, ${segmentSize}-byte segments, ${threads} segment threads${process.execArgv.length ? ` (ours run with ${process.execArgv.join(' ')})` : ''}\n`);
    for (const row of rows) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ')}\n`);
    process.stdout.write(`(wall times are /usr/bin/time's, process start-up included; ours without start-up: ${inner.wall.toFixed(2)} s)\n`);
  } finally {
    await fsp.rm(file, { force: true });
    for (const container of [ours, theirs]) {
      for await (const _ of service.delete(container)) void _;
      for await (const _ of service.delete(`${container}_segments`)) void _;
    }
    await service.close();
  }
}

await main();
