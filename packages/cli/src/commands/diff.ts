/** `tfsave diff A B [--atol X] [--rtol Y] [--json]`. */
import { flag, numberOption } from '../args.js';
import { ExitCode, UsageError } from '../cli-error.js';
import { compareFiles, type FileDiff, type TensorDiff } from '../compare.js';
import type { CommandContext } from '../context.js';
import { formatNumber, formatShape } from '../values.js';

/** Runs `diff`; exit code 1 when the files differ. */
export async function diffCommand(ctx: CommandContext): Promise<number> {
  const atol = numberOption(ctx.args, 'atol', 0);
  const rtol = numberOption(ctx.args, 'rtol', 0);
  if (atol < 0 || rtol < 0) throw new UsageError('--atol and --rtol must be >= 0', 'diff');
  const [pa, pb] = ctx.args.positionals as [string, string];
  const a = await ctx.open(pa);
  try {
    const b = await ctx.open(pb);
    try {
      const total = [...a.entries, ...b.entries].reduce((n, e) => n + (e.byteSize ?? 0), 0);
      const progress = ctx.progress('comparing', total);
      let result: FileDiff;
      try {
        result = await compareFiles(a, b, { atol, rtol }, (n) => progress.advance(n));
      } finally {
        progress.done();
      }
      if (flag(ctx.args, 'json')) {
        ctx.io.out(`${JSON.stringify({ a: { name: a.name, format: a.format }, b: { name: b.name, format: b.format }, atol, rtol, ...result }, null, 2)}\n`);
      } else {
        ctx.io.out(diffText(a.name, a.format, b.name, b.format, result, atol, rtol));
      }
      return result.same ? ExitCode.ok : ExitCode.differs;
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
  }
}

/** The readable diff report. */
export function diffText(an: string, af: string, bn: string, bf: string, r: FileDiff, atol: number, rtol: number): string {
  const lines = [`--- ${an} (${af})`, `+++ ${bn} (${bf})`, `matched by ${r.matchedBy}; atol=${atol} rtol=${rtol}`];
  for (const k of r.missing) lines.push(`- missing in B: ${k}`);
  for (const k of r.extra) lines.push(`+ extra in B:   ${k}`);
  let equal = 0;
  for (const t of r.tensors) {
    const line = tensorLine(t);
    if ((t.status === 'equal' || t.status === 'close') && t.dtypeA === undefined) equal++;
    if (line !== undefined) lines.push(line);
  }
  lines.push(`${equal} of ${r.tensors.length} matched tensors equal within tolerance, ${r.missing.length} missing, ${r.extra.length} extra`);
  lines.push(r.same ? 'same' : 'differ');
  return `${lines.join('\n')}\n`;
}

function tensorLine(t: TensorDiff): string | undefined {
  const label = t.a === t.b ? t.key : `${t.key} (${t.a} vs ${t.b})`;
  switch (t.status) {
    case 'shape':
      return `! shape ${label}: ${formatShape(t.shapeA ?? [])} -> ${formatShape(t.shapeB ?? [])}`;
    case 'dtype':
      return `! dtype ${label}: ${t.dtypeA} -> ${t.dtypeB}`;
    case 'values':
      if (t.maxAbs === undefined) return `! values ${label}: ${t.mismatched} of ${t.elements} elements differ`;
      return `! values ${label}: max abs ${formatNumber(t.maxAbs ?? NaN)}, max rel ${formatNumber(t.maxRel ?? NaN)}, ${t.mismatched} of ${t.elements} elements beyond tolerance${t.dtypeA === undefined ? '' : ` (dtype ${t.dtypeA} -> ${t.dtypeB})`}`;
    default:
      if (t.dtypeA !== undefined) return `! dtype ${label}: ${t.dtypeA} -> ${t.dtypeB} (values ${t.status}, max abs ${formatNumber(t.maxAbs ?? 0)})`;
      return t.status === 'close' ? `~ close ${label}: max abs ${formatNumber(t.maxAbs ?? 0)}, max rel ${formatNumber(t.maxRel ?? 0)}` : undefined;
  }
}
