import { ClientException } from '../errors.js';
import { untilAborted } from '../util/abort.js';
import { utf8Length } from '../util/bytes.js';
import type { Transport } from '../http/transport.js';
import { getCapabilities, type Capabilities } from './capabilities.js';

/** Name limits in bytes of UTF-8, as Swift's `/info` reports them. */
export interface NameLimits {
  container: number;
  object: number;
}

/** Swift's defaults, assumed until the cluster's `/info` says otherwise. */
export const DEFAULT_NAME_LIMITS: Readonly<NameLimits> = Object.freeze({ container: 256, object: 1024 });

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : fallback;
}

export function limitsFromInfo(info: Capabilities): NameLimits {
  const swift = info.swift ?? {};
  return {
    container: positive(swift.max_container_name_length, DEFAULT_NAME_LIMITS.container),
    object: positive(swift.max_object_name_length, DEFAULT_NAME_LIMITS.object),
  };
}

function problem(limits: NameLimits, cont: string | undefined, obj: string | undefined): string | undefined {
  if (cont !== undefined && utf8Length(cont) > limits.container) {
    return `Container name is longer than Swift's ${limits.container}-byte limit`;
  }
  if (obj !== undefined && utf8Length(obj) > limits.object) {
    return `Object name is longer than Swift's ${limits.object}-byte limit`;
  }
  return undefined;
}

/** What reading `/info` told: its document; no `/info` at all; or no answer for now. */
export type InfoOutcome = { kind: 'info'; info: Capabilities } | { kind: 'none' } | { kind: 'unavailable' };

/** How long the name-length guard waits for /info before letting the server decide. */
const INFO_DEADLINE_MS = 10_000;

/** A cluster's /info (at `infoUrl`) in one anonymous try within INFO_DEADLINE_MS, for the guard. */
export async function readInfoOnce(transport: Transport, infoUrl: string): Promise<InfoOutcome> {
  try {
    const ctx = { transport, url: infoUrl, token: undefined, serviceToken: undefined, signal: AbortSignal.timeout(INFO_DEADLINE_MS), responseDict: {} };
    return { kind: 'info', info: await getCapabilities(ctx) };
  } catch (err) {
    const status = err instanceof ClientException ? err.httpStatus : undefined;
    const definite = (status !== undefined && status >= 400 && status < 500) || (err instanceof ClientException && err.cause instanceof SyntaxError);
    return definite ? { kind: 'none' } : { kind: 'unavailable' };
  }
}

/**
 * Refuses names over the cluster's limits before the request is sent. A
 * cluster may raise Swift's defaults, so a name over them makes the guard
 * read `/info` once per Connection before refusing. A cluster without
 * `/info` (a 4xx, or not JSON) keeps the defaults; while `/info` does not
 * answer (network, 5xx, its deadline) the name goes to the server, which
 * decides, and the next long name asks again. Names within the defaults
 * never cost a request. An authentication failure on the way is the
 * caller's error.
 */
export class NameLimitGuard {
  #limits: NameLimits = DEFAULT_NAME_LIMITS;
  /** Resolves true once the limits are known (from /info, or defaults for good). */
  #known: Promise<boolean> | undefined;

  constructor(private readonly readInfo: () => Promise<InfoOutcome>) {}

  /** Adopts limits from an `/info` document of this cluster fetched elsewhere. */
  learn(info: Capabilities): void {
    this.#limits = limitsFromInfo(info);
    this.#known = Promise.resolve(true);
  }

  /** Resolves when the names may be sent, rejects when they are too long; undefined (no promise) when they are within the known limits. */
  check(cont: string | undefined, obj: string | undefined, signal?: AbortSignal): Promise<void> | undefined {
    // the common case answers without a promise: this runs before every request
    if (problem(this.#limits, cont, obj) === undefined) return undefined;
    return this.#checkAgainstInfo(cont, obj, signal);
  }

  async #checkAgainstInfo(cont: string | undefined, obj: string | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    // Shared by concurrent callers, each of which may still give up on its own.
    this.#known ??= this.#read();
    if (!(await untilAborted(this.#known, signal))) return;
    const message = problem(this.#limits, cont, obj);
    if (message !== undefined) throw new ClientException(message);
  }

  #read(): Promise<boolean> {
    return this.readInfo().then(
      (outcome) => {
        if (outcome.kind === 'info') this.learn(outcome.info);
        if (outcome.kind !== 'unavailable') return true;
        this.#known = undefined;
        return false;
      },
      (err: unknown) => {
        this.#known = undefined;
        throw err;
      },
    );
  }
}
