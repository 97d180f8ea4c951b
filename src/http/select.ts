// Which engine a Connection or Session gets: the pure rule, then the engine.
import { ClientException } from '../errors.js';
import { platform } from '../platform/index.js';
import { checkTransportOptions } from '../util/checks.js';
import { detectRuntime, type RuntimeKind } from './runtime.js';
import type { Transport, TransportName, TransportOptions } from './transport.js';

const NAMES: readonly TransportName[] = ['undici', 'fetch'];

/**
 * The engine for a runtime: the caller's `transport`; else undici when a
 * `dispatcher` (an undici object) is given; else `SWIFTCLIENT_TRANSPORT`;
 * else undici where it runs (Node, Deno, Bun: undici's files imported by path,
 * since Bun answers the bare name with its own partial copy) and fetch
 * elsewhere (browsers and workers have no undici). Asking for undici where
 * it cannot run, or for an unknown engine, is refused (BAD_INPUT).
 * `undiciInBuild` is false in the browser build, which carries no undici
 * (loaded anywhere, it uses fetch).
 */
export function chooseTransport(runtime: RuntimeKind, requested: unknown, envValue: string | undefined, hasDispatcher = false, undiciInBuild = true): TransportName {
  const undiciRuns = runtime === 'node' || runtime === 'deno' || runtime === 'bun';
  const undiciHere = undiciRuns && undiciInBuild;
  if (requested === undefined && hasDispatcher && undiciHere) return 'undici';
  const fromEnv = envValue === undefined || envValue === '' ? undefined : envValue.trim().toLowerCase();
  const [choice, source] = requested !== undefined ? [requested, 'transport'] : [fromEnv, 'SWIFTCLIENT_TRANSPORT'];
  if (choice === undefined) return undiciHere ? 'undici' : 'fetch';
  if (!NAMES.includes(choice as TransportName)) {
    throw new ClientException(`Invalid ${source} ${JSON.stringify(choice)}: expected ${NAMES.map((n) => `"${n}"`).join(' or ')}`);
  }
  if (choice === 'undici' && !undiciHere) {
    const why = undiciRuns ? 'the browser build carries no undici' : `undici cannot run on ${runtime}`;
    throw new ClientException(`Invalid ${source} "undici": ${why} (use "fetch")`);
  }
  return choice as TransportName;
}

/** `SWIFTCLIENT_TRANSPORT` from the environment, where there is one. */
function transportFromEnv(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.SWIFTCLIENT_TRANSPORT;
}

/** The engine the options and the runtime call for. */
export function createTransport(options: TransportOptions = {}): Transport {
  checkTransportOptions(options);
  // Bun answers `import 'undici'` with its own partial copy, whose Agent cannot dispatch.
  if (options.dispatcher !== undefined && typeof (options.dispatcher as { dispatch?: unknown }).dispatch !== 'function') {
    throw new ClientException("Invalid dispatcher: it has no dispatch() (on Bun, take undici's classes from the module path undici/index.js: Bun's own undici is a partial stand-in)");
  }
  const runtime = detectRuntime();
  const { engines } = platform();
  const name = chooseTransport(runtime, options.transport, transportFromEnv(), options.dispatcher !== undefined, engines.undici !== undefined);
  const engine = name === 'undici' ? engines.undici : engines.fetch;
  return (engine ?? engines.fetch)(options, runtime);
}
