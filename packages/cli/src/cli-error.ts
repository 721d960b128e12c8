/**
 * The CLI's own failures and exit codes. Problems with a file are
 * `FormatError`s from `@tfsave/core`; problems with the command line are
 * {@link UsageError}s. Both end as one line on stderr and a non-zero exit code.
 */

/** Exit codes of `tfsave`. */
export const ExitCode = {
  /** Success: the file is intact, the files match, the output was written. */
  ok: 0,
  /** `diff`: the inputs differ beyond the tolerances. */
  differs: 1,
  /** Bad input: a usage error, an unreadable or corrupt file, an impossible conversion. */
  bad: 2,
} as const;

/** A wrong command line: unknown option, missing argument, bad value. */
export class UsageError extends Error {
  /** The command whose `--help` the user should read, when known. */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** A request the CLI understands but cannot carry out (e.g. a conversion that cannot be expressed). */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliFailure';
  }
}
