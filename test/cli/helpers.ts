// Runs our CLI and python-swiftclient's `swift` side by side against the
// local Swift (and Keystone), with controlled environments.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CLI_DIST, isBuilt } from '../helpers/build.js';
import { SWIFT } from '../helpers/env.js';
import { NODE_FOR_CLI } from '../helpers/runtime.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));
const DIST_MAIN = `${CLI_DIST}/main.js`;
/** The tsconfig whose `paths` let the CLI's sources import the library's sources as `swiftclient`. */
const TSCONFIG = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
const TSX = import.meta.resolve('tsx');
export const PY_SWIFT = '/usr/bin/swift';

/**
 * How to start our CLI: the built `packages/cli/dist/main.js` (the
 * installed command, and 3x cheaper to start) when it is newer than every
 * source file of the library and the CLI, else the sources through tsx.
 * SWIFTCLIENT_CLI_FROM=src|dist forces one.
 */
function cliCommand(): string[] {
  const from = process.env.SWIFTCLIENT_CLI_FROM;
  if (from === 'dist' || (from !== 'src' && isBuilt())) return [DIST_MAIN];
  return ['--import', TSX, MAIN];
}

const CLI = cliCommand();

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string | Buffer;
}

/** The environment of the test process without any Swift/OpenStack settings, plus `extra`. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(ST_|OS_|SWIFTCLIENT_|SWIFT_AIO|KS_)/.test(name)) continue;
    env[name] = value;
  }
  // no clouds.yaml of the machine's user may leak in
  env.XDG_CONFIG_HOME = '/nonexistent-xdg';
  return { ...env, ...extra };
}

/** ST_* settings of the tempauth test user. */
export const TEMPAUTH: NodeJS.ProcessEnv = { ST_AUTH: SWIFT.authUrl, ST_USER: SWIFT.user, ST_KEY: SWIFT.key };

/** OS_* settings of an openrc file for the Keystone test user (scripts/keystone-aio). */
export function openrc(): NodeJS.ProcessEnv {
  return {
    OS_AUTH_URL: process.env.KS_AUTH_URL ?? 'http://127.0.0.1:5000/v3',
    OS_IDENTITY_API_VERSION: '3',
    OS_USERNAME: 'tester',
    OS_PASSWORD: 'testing',
    OS_PROJECT_NAME: 'test',
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: process.env.KS_REGION ?? 'RegionOne',
    OS_INTERFACE: 'public',
  };
}

export const KEYSTONE_AVAILABLE = Boolean(process.env.KS_APPCRED_ID);

function run(command: string, args: readonly string[], o: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env = { ...(o.env ?? cleanEnv(TEMPAUTH)), TSX_TSCONFIG_PATH: TSCONFIG };
    const child = spawn(command, args, { env, cwd: o.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.end(o.input ?? '');
  });
}

/** The command, arguments and environment that start our CLI (for a test that spawns it itself). */
export function oursCommand(args: readonly string[]): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  return { command: NODE_FOR_CLI, args: [...CLI, ...args], env: { ...cleanEnv(), TSX_TSCONFIG_PATH: TSCONFIG } };
}

/** Our CLI (see cliCommand). */
export function ours(args: readonly string[], o: RunOptions = {}): Promise<RunResult> {
  return run(NODE_FOR_CLI, [...CLI, ...args], o);
}

/** python-swiftclient's `swift`. */
export function python(args: readonly string[], o: RunOptions = {}): Promise<RunResult> {
  return run(PY_SWIFT, args, o);
}

/** Both, at the same time. */
export async function both(args: readonly string[], o: RunOptions = {}): Promise<[RunResult, RunResult]> {
  return Promise.all([ours(args, o), python(args, o)]);
}

/** The argument list with `{c}` replaced, for running the same command against two containers. */
export function withContainer(args: readonly string[], container: string): string[] {
  return args.map((arg) => arg.replaceAll('{c}', container));
}

/** A shell command line (for `script -qec`). */
export function shellLine(command: string, args: readonly string[]): string {
  return [command, ...args].map((word) => `'${word.replace(/'/g, `'"'"'`)}'`).join(' ');
}

/** The command line that runs our CLI, quoted for a shell. */
export function oursLine(args: readonly string[]): string {
  return shellLine(NODE_FOR_CLI, [...CLI, ...args]);
}

/**
 * Stat output with the values that differ between two HEADs blanked:
 * transaction ids, and X-Timestamp/Last-Modified of accounts and
 * containers (each replica keeps its own). The padding stays, so the
 * alignment is still compared.
 */
export function normaliseStat(text: string, volatile: readonly string[] = []): string[] {
  const names = ['X-Trans-Id', 'X-Openstack-Request-Id', 'Date', ...volatile];
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^(\s*)([^:]+): (.*)$/.exec(line);
      if (match && (names.includes(match[2] as string) || /in policy/.test(match[2] as string))) return `${match[1]}${match[2]}: <volatile>`;
      return line;
    })
    .sort();
}
