import type { Command } from 'commander';
import { Connection, type ConnectionOptions } from 'swiftclient';
import { checkCredentials, connectionOptions, resolveOptions, type Resolved } from './connect.js';
import type { GlobalFlags } from './globals.js';
import { Output, UsageError } from './output.js';
import { promptForPassword } from './prompt.js';

/** What a command needs: output, the resolved options and a lazily made Connection. */
export class CliContext {
  readonly output: Output;
  private resolvedOptions: Resolved | undefined;
  private conn: Connection | undefined;
  private prompted = false;
  readonly closers: Array<() => Promise<void> | void> = [];

  constructor(
    readonly program: Command,
    readonly env: NodeJS.ProcessEnv = process.env,
    output?: Output,
  ) {
    this.output = output ?? new Output();
  }

  get flags(): GlobalFlags {
    return this.program.opts<GlobalFlags>();
  }

  get verbose(): number {
    const flags = this.flags;
    return flags.quiet ? 0 : flags.verbose;
  }

  /** Options as python's `parse_args` leaves them (no credential checks). */
  async resolved(): Promise<Resolved> {
    this.resolvedOptions ??= await resolveOptions(this.flags, this.env);
    return this.resolvedOptions;
  }

  /** Options with the credentials checked and --prompt applied, as before any authenticated command. */
  async authOptions(command: string, args: readonly string[] = []): Promise<Resolved> {
    if (this.flags.prompt && !this.prompted) {
      // As python: the password is in before the auth version is guessed
      // (without a key, v1.0 credentials would be taken for Keystone's).
      const password = await promptForPassword();
      this.prompted = true;
      this.resolvedOptions = await resolveOptions({ ...this.flags, key: password, osPassword: password }, this.env);
    }
    const o = await this.resolved();
    checkCredentials(o, command, args);
    return o;
  }

  /** The Connection, made once (`overrides` apply to that first making, e.g. `checksum`). */
  async connection(command: string, args: readonly string[] = [], overrides: ConnectionOptions = {}): Promise<Connection> {
    if (!this.conn) {
      const o = await this.authOptions(command, args);
      if (this.flags.snet) throw new UsageError('--snet is not supported by this client');
      this.conn = new Connection({ ...connectionOptions(o), ...overrides });
      const conn = this.conn;
      this.closers.push(() => conn.close());
    }
    return this.conn;
  }

  async close(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch {
        // closing is best effort
      }
    }
  }
}
