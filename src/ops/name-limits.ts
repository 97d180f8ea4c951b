import { ClientException } from '../errors.js';
import type { Capabilities } from './capabilities.js';

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
  if (cont !== undefined && Buffer.byteLength(cont, 'utf8') > limits.container) {
    return `Container name is longer than Swift's ${limits.container}-byte limit`;
  }
  if (obj !== undefined && Buffer.byteLength(obj, 'utf8') > limits.object) {
    return `Object name is longer than Swift's ${limits.object}-byte limit`;
  }
  return undefined;
}

/**
 * Refuses names over the cluster's limits before the request is sent. A
 * cluster may raise Swift's defaults, so a name over them makes the guard
 * read `/info` once (one try, no retries) before refusing; a cluster without
 * `/info` keeps the defaults. Names within the defaults never cost a request.
 */
export class NameLimitGuard {
  #limits: NameLimits = DEFAULT_NAME_LIMITS;
  #fromInfo: Promise<void> | undefined;

  constructor(private readonly readInfo: () => Promise<Capabilities>) {}

  /** Adopts limits from an `/info` document of this cluster fetched elsewhere. */
  learn(info: Capabilities): void {
    this.#limits = limitsFromInfo(info);
    this.#fromInfo ??= Promise.resolve();
  }

  async check(cont: string | undefined, obj: string | undefined): Promise<void> {
    if (problem(this.#limits, cont, obj) === undefined) return;
    this.#fromInfo ??= this.readInfo().then(
      (info) => this.learn(info),
      () => undefined,
    );
    await this.#fromInfo;
    const message = problem(this.#limits, cont, obj);
    if (message !== undefined) throw new ClientException(message);
  }
}
