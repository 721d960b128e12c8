/** `tfsave verify PATH`: every checksum and structural check; exit 0 only when intact. */
import { ExitCode } from '../cli-error.js';
import type { CommandContext } from '../context.js';
import { formatBytes } from '../progress.js';

/** Runs `verify`. */
export async function verifyCommand(ctx: CommandContext): Promise<number> {
  const file = await ctx.open(ctx.args.positionals[0]!);
  try {
    const total = file.entries.reduce((n, e) => n + (e.byteSize ?? 0), 0);
    const progress = ctx.progress('verifying', total);
    try {
      await file.verify(progress);
    } finally {
      progress.done();
    }
    ctx.io.out(`ok: ${file.name} (${file.format}, ${file.headline ?? `${file.entries.length} tensors, ${formatBytes(total)}`} checked)\n`);
    return ExitCode.ok;
  } finally {
    await file.close();
  }
}
