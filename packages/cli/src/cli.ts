/**
 * The `tfsave` command: dispatches to a command, turns every failure into one
 * line on stderr and an exit code (see {@link ExitCode}). Stack traces only
 * with `TFSAVE_DEBUG=1`.
 */
import { isFormatError } from '@tfsave/core';
import { parseArgs } from './args.js';
import { CliFailure, ExitCode, UsageError } from './cli-error.js';
import { COMMANDS, commandHelp, mainHelp } from './commands-spec.js';
import { makeContext, type AdapterTable, type CliIo, type CommandContext } from './context.js';
import { locate } from './locate.js';
import { ADAPTERS } from './adapters/index.js';
import { inspectCommand } from './commands/inspect.js';
import { verifyCommand } from './commands/verify.js';
import { diffCommand } from './commands/diff.js';
import { dumpCommand } from './commands/dump.js';
import { convertCommand } from './commands/convert.js';

type Handler = (ctx: CommandContext) => Promise<number>;
const HANDLERS: Readonly<Record<string, Handler>> = {
  inspect: inspectCommand,
  verify: verifyCommand,
  diff: diffCommand,
  dump: dumpCommand,
  convert: convertCommand,
};

/** The version printed by `tfsave --version`. */
export const VERSION = '0.1.0';

/**
 * Runs `tfsave` with `argv` (without `node` and the script) and returns the exit code.
 * Never throws.
 */
export async function runCli(argv: readonly string[], io: CliIo, adapters: AdapterTable = ADAPTERS): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    const topic = COMMANDS.find((c) => c.name === rest[0]);
    io.out(topic === undefined ? mainHelp() : commandHelp(topic));
    return command === undefined ? ExitCode.bad : ExitCode.ok;
  }
  if (command === '--version' || command === '-V') {
    io.out(`tfsave ${VERSION}\n`);
    return ExitCode.ok;
  }
  const spec = COMMANDS.find((c) => c.name === command);
  if (spec === undefined) {
    io.err(`tfsave: unknown command ${JSON.stringify(command)}; commands are ${COMMANDS.map((c) => c.name).join(', ')} (try tfsave --help)\n`);
    return ExitCode.bad;
  }
  try {
    const args = parseArgs(rest, spec.options, spec.name);
    if (args.options['help'] === true) {
      io.out(commandHelp(spec));
      return ExitCode.ok;
    }
    if (args.positionals.length < spec.minArgs || args.positionals.length > spec.maxArgs) {
      throw new UsageError(`expected ${spec.minArgs === spec.maxArgs ? spec.minArgs : `${spec.minArgs}-${spec.maxArgs}`} argument(s), got ${args.positionals.length}: usage: ${spec.usage}`, spec.name);
    }
    return await HANDLERS[spec.name]!(makeContext(io, args, adapters, locate));
  } catch (e) {
    io.err(`${describeError(e, spec.name)}\n`);
    if (io.env['TFSAVE_DEBUG'] === '1' && e instanceof Error && e.stack !== undefined) io.err(`${e.stack}\n`);
    return ExitCode.bad;
  }
}

/** The one-line message for a failure. */
export function describeError(e: unknown, command: string): string {
  if (e instanceof UsageError) return `tfsave ${command}: ${e.message} (see tfsave ${e.command ?? command} --help)`;
  if (e instanceof CliFailure) return `tfsave ${command}: ${e.message}`;
  if (isFormatError(e)) return `tfsave ${command}: ${e.message}`;
  if (e instanceof TypeError && e.message === 'fetch failed') {
    const cause = (e as { cause?: unknown }).cause;
    return `tfsave ${command}: network error: ${cause instanceof Error ? cause.message : 'fetch failed'}`;
  }
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return `tfsave ${command}: ${e.message}`;
    return `tfsave ${command}: internal error: ${e.name}: ${e.message.split('\n')[0]} (set TFSAVE_DEBUG=1 for details)`;
  }
  return `tfsave ${command}: internal error: ${String(e)}`;
}
