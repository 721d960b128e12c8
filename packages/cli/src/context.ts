/** What a command runs with: its parsed arguments, output streams and the format adapters. */
import type { ParsedArgs } from './args.js';
import type { Located } from './locate.js';
import type { FormatName, OpenedFile } from './model.js';
import { startProgress, type Progress } from './progress.js';

/** The process around the CLI, injectable for tests. */
export interface CliIo {
  /** Writes to stdout. */
  out(text: string): void;
  /** Writes to stderr. */
  err(text: string): void;
  /** True when stderr is a terminal (the progress bar draws only then). */
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Opens a located input of one format. */
export type Opener = (located: Located, ctx: CommandContext) => Promise<OpenedFile>;

/** Everything a command needs. */
export interface CommandContext {
  readonly io: CliIo;
  readonly args: ParsedArgs;
  /** Opens any path or URL, detecting its format. */
  open(input: string): Promise<OpenedFile>;
  /** Starts a progress bar of `total` bytes (silent unless stderr is a TTY and --quiet is off). */
  progress(label: string, total: number): Progress;
}

/** The adapter table: which opener reads which format. */
export type AdapterTable = Readonly<Record<FormatName, Opener>>;

/** Builds a {@link CommandContext}. */
export function makeContext(io: CliIo, args: ParsedArgs, adapters: AdapterTable, locateFn: (input: string) => Promise<Located>): CommandContext {
  const ctx: CommandContext = {
    io,
    args,
    async open(input) {
      const located = await locateFn(input);
      return adapters[located.format](located, ctx);
    },
    progress(label, total) {
      if (args.options['quiet'] === true) return startProgress({ isTTY: false, write() {} }, label, total);
      return startProgress({ isTTY: io.stderrIsTTY, write: (t) => io.err(t) }, label, total);
    },
  };
  return ctx;
}
