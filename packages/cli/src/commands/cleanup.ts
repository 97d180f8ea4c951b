import { InvalidArgumentError, type Command } from 'commander';
import type { CleanupResult } from 'swiftclient';
import type { CliContext } from '../context.js';
import { errorText } from '../errors.js';
import type { Runner } from '../program.js';
import { service, slashWarning } from './shared.js';

interface CleanupFlags {
  dryRun?: boolean;
  olderThan: number;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * `--older-than 36h`: a duration in seconds from a number with an optional
 * unit (s, m, h, d, w; seconds without one), e.g. `90`, `30m`, `1.5h`, `7d`.
 * Undefined when the text is not one.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])?\s*$/i.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (UNITS[(match[2] ?? 's').toLowerCase()] as number);
}

function duration(text: string): number {
  const seconds = parseDuration(text);
  if (seconds === undefined) throw new InvalidArgumentError(`invalid duration: '${text}' (use e.g. 3600, 30m, 12h, 7d)`);
  return seconds;
}

/** One line per finding: what it is and what became of it. */
export function cleanupLine(r: CleanupResult): string {
  const path = `${r.container}/${r.object}`;
  if (r.action === 'broken_manifest') return `broken manifest ${path}: missing ${r.missing.join(', ')}`;
  const what = { deleted: 'deleted', 'dry-run': 'would be deleted', 'too-recent': 'kept (newer than the grace period)' }[r.status];
  return `orphan segment ${path} (${r.bytes} bytes): ${what}`;
}

export function registerCleanup(program: Command, ctx: CliContext, run: Runner): void {
  program
    .command('cleanup')
    .description(
      'Finds segments no SLO or DLO manifest of the account uses and manifests with missing segments; deletes the orphans older than the grace period.',
    )
    .usage('[options] [<container>]')
    .argument('[container]', 'Only the segments of <container>_segments, of the containers its manifests use, and of <container> itself.')
    .option('--dry-run', 'List the orphans and broken manifests; delete nothing.')
    .option('--older-than <duration>', 'Grace period: orphans modified more recently are kept (seconds, or with s/m/h/d/w).', duration, 86_400)
    .action((container: string | undefined, o: CleanupFlags) =>
      run(async () => {
        if (container !== undefined && slashWarning(ctx, container)) return;
        const swift = await service(ctx, 'cleanup');
        for await (const r of swift.cleanup(container, { dryRun: Boolean(o.dryRun), olderThan: o.olderThan })) {
          if (r.success) ctx.output.print(cleanupLine(r));
          else ctx.output.error(`Error deleting orphan segment ${r.container}/${r.object}: ${errorText(r.error)}`);
        }
      }),
    );
}
