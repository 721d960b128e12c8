/** `tfsave dump PATH NAME --out FILE.npy`: one tensor as a `.npy` file. */
import { encodeNpy } from '@tfsave/core';
import { writeFileAtomic } from '@tfsave/core/node';
import { stringOption } from '../args.js';
import { CliFailure, ExitCode, UsageError } from '../cli-error.js';
import type { CommandContext } from '../context.js';
import { findEntry } from '../find-entry.js';
import { formatShape } from '../values.js';

/** Runs `dump`. */
export async function dumpCommand(ctx: CommandContext): Promise<number> {
  const out = stringOption(ctx.args, 'out');
  if (out === undefined) throw new UsageError('--out FILE.npy is required', 'dump');
  const [input, name] = ctx.args.positionals as [string, string];
  const file = await ctx.open(input);
  try {
    const entry = await findEntry(file, name);
    const value = await entry.read();
    if (value.kind !== 'bytes') throw new CliFailure(`${entry.name} is a ${value.dtype} tensor; .npy cannot hold byte strings`);
    let npy: Uint8Array;
    try {
      npy = encodeNpy(value.dtype, value.shape, value.bytes);
    } catch (e) {
      throw new CliFailure(`${entry.name}: ${(e as Error).message}`);
    }
    await writeFileAtomic(out, npy);
    ctx.io.out(`wrote ${out}: ${entry.name} ${value.dtype} ${formatShape(value.shape)}\n`);
    return ExitCode.ok;
  } finally {
    await file.close();
  }
}
