import { InvalidArgumentError, type Command } from 'commander';
import { SwiftService, type ConnectionOptions } from 'swiftclient';
import type { CliContext } from '../context.js';

/** `-H/--header` and `-m/--meta`: repeatable. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** An integer option (`--object-threads`); python's checks of its sign come later, with its messages. */
export function int(value: string): number {
  const n = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`invalid int value: '${value}'`);
  return n;
}

/** `--object-threads 0`: python's message and usage. */
export function checkThreads(ctx: CliContext, command: Command, values: Record<string, number | undefined>): boolean {
  for (const [flag, value] of Object.entries(values)) {
    if (value !== undefined && value <= 0) {
      ctx.output.errorBlock(`ERROR: option ${flag} should be a positive integer.\n\n${usage(command)}`);
      return false;
    }
  }
  return true;
}

/** `Usage: swiftclient <command> <usage>` for usage errors. */
export function usage(command: Command): string {
  return `Usage: swiftclient ${command.name()} ${command.usage()}`;
}

/** python refuses 'container/object' where a container is expected. */
export function slashWarning(ctx: CliContext, container: string): boolean {
  if (!container.includes('/')) return false;
  ctx.output.error(`WARNING: / in container name; you might have meant '${container.replace('/', ' ')}' instead of '${container}'.`);
  return true;
}

/** A SwiftService over the context's Connection. */
export async function service(ctx: CliContext, command: string, args: readonly string[] = [], overrides: ConnectionOptions = {}): Promise<SwiftService> {
  const conn = await ctx.connection(command, args, overrides);
  return new SwiftService(conn);
}

/** Python's `'%d attempts'` suffix. */
export function attemptsSuffix(attempts: number | undefined): string {
  return attempts !== undefined && attempts > 1 ? ` [after ${attempts} attempts]` : '';
}
