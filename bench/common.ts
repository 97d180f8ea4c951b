// Shared by the Node benchmark clients: argument parsing, phase timing and a
// small worker pool. Each client runs in its own process so that the harness
// (bench/harness.py) can read its CPU time and peak RSS from wait4().
import { readFileSync } from 'node:fs';

/** What the harness passes as the one JSON argument. */
export interface BenchConfig {
  authUrl: string;
  user: string;
  key: string;
  container: string;
  /** W1: objects per phase and requests in flight. */
  count?: number;
  concurrency?: number;
  objectSize?: number;
  /** W1/W6: a full PUT/GET/DELETE round of this many other objects first, not measured (steady state). */
  warmup?: number;
  /** Verify MD5s (our client only). */
  checksum?: boolean;
  /** W2/W3: file to upload (on /dev/shm) and its size. */
  file?: string;
  size?: number;
  /** W2: respChunkSize of the download (default 1 MiB). */
  chunk?: number;
  /** W5: the object to download and the file to write it to. */
  object?: string;
  outFile?: string;
  /** W3: segment size and segments in flight. */
  segmentSize?: number;
  segmentThreads?: number;
  /** W4: expected number of objects. */
  objects?: number;
}

export interface Phase {
  name: string;
  /** Seconds of wall time, and of CPU (user + system, all threads) in this process. */
  wall: number;
  cpu: number;
  /** Busy CPU seconds of the whole machine (all processes: the Swift servers too). */
  machineCpu: number;
  ops?: number;
  bytes?: number;
  /** Monotonic clock (µs, the clock of node --cpu-prof samples) at the start and end. */
  startUs: number;
  endUs: number;
}

export function readArgs(): { workload: string; cfg: BenchConfig } {
  const [workload, json] = process.argv.slice(2);
  if (!workload || !json) throw new Error('usage: <workload> <json config>');
  return { workload, cfg: JSON.parse(json) as BenchConfig };
}

/** Busy CPU seconds of every CPU since boot, from /proc/stat (0 where there is none). */
export function machineBusySeconds(): number {
  let line: string;
  try {
    line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0] ?? '';
  } catch {
    return 0;
  }
  // cpu  user nice system idle iowait irq softirq steal ...: USER_HZ is 100 on Linux
  const [user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) / 100;
}

/** Runs `fn` and measures its wall and CPU time. */
export async function phase(name: string, fn: () => Promise<{ ops?: number; bytes?: number } | void>): Promise<Phase> {
  const machine0 = machineBusySeconds();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const extra = (await fn()) ?? {};
  const t1 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  const machineCpu = machineBusySeconds() - machine0;
  const startUs = Number(t0 / 1000n);
  const endUs = Number(t1 / 1000n);
  return { name, wall: Number(t1 - t0) / 1e9, cpu: (cpu.user + cpu.system) / 1e6, machineCpu, startUs, endUs, ...extra };
}

/** Calls `fn(i)` for i in [0, n) with at most `concurrency` calls in flight. */
export async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

export function objectName(prefix: string, i: number): string {
  return `${prefix}-${String(i).padStart(5, '0')}`;
}

/** The one line of JSON the harness reads (the last line of stdout). */
export function report(phases: Phase[], extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ phases, ...extra })}\n`);
}

export function fail(message: string): never {
  throw new Error(message);
}
