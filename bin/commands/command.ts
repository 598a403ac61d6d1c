// The shape of one `mutt` subcommand.
export interface Command {
  name: string;
  /** Full help text printed by `mutt <name> --help`. */
  usage: string;
  /** Resolves with an exit code, or never (servers run until a signal). */
  run(argv: string[]): Promise<number | void>;
}
