/** `tfsave inspect PATH [--json] [--tensor NAME]`. */
import { tensorSha256 } from '@tfsave/core';
import { numberOption, stringOption, flag } from '../args.js';
import { ExitCode } from '../cli-error.js';
import type { CommandContext } from '../context.js';
import { findEntry } from '../find-entry.js';
import type { OpenedFile, TensorEntry, TensorValue } from '../model.js';
import { formatBytes } from '../progress.js';
import { elementStrings, elements, maxLength, formatArray, formatNumber, formatShape, numericValues, stats } from '../values.js';

/** Runs `inspect`. */
export async function inspectCommand(ctx: CommandContext): Promise<number> {
  const file = await ctx.open(ctx.args.positionals[0]!);
  try {
    const tensor = stringOption(ctx.args, 'tensor');
    if (tensor !== undefined) {
      const entry = await findEntry(file, tensor);
      const value = await entry.read();
      ctx.io.out(flag(ctx.args, 'json') ? `${JSON.stringify(tensorJson(entry, value))}\n` : summarizeTensor(entry, value, numberOption(ctx.args, 'edge-items', 3)));
    } else if (flag(ctx.args, 'json')) {
      ctx.io.out(`${JSON.stringify(await inspectJson(file, ctx), null, 2)}\n`);
    } else {
      ctx.io.out(inspectText(file));
    }
    return ExitCode.ok;
  } finally {
    await file.close();
  }
}

/** The `--json` document: `{format, entries: [{name, dtype, shape, sha256}], ...}`. */
export async function inspectJson(file: OpenedFile, ctx: CommandContext): Promise<Record<string, unknown>> {
  const total = file.entries.reduce((n, e) => n + (e.byteSize ?? 0), 0);
  const progress = ctx.progress('hashing', total);
  const entries: Array<Record<string, unknown>> = [];
  try {
    for (const e of file.entries) {
      const v = await e.read();
      entries.push({ name: e.name, dtype: e.dtype, shape: [...e.shape], sha256: hashValue(v) });
      progress.advance(e.byteSize ?? 0);
    }
  } finally {
    progress.done();
  }
  return { format: file.format, ...(file.json ?? {}), entries };
}

/** The contract hash of a tensor value. */
export function hashValue(v: TensorValue): string {
  return tensorSha256(v.kind === 'bytes' ? v.bytes : v.strings);
}

/** The readable listing. */
export function inspectText(file: OpenedFile): string {
  const lines: string[] = [];
  const total = file.entries.reduce((n, e) => n + (e.byteSize ?? 0), 0);
  lines.push(`${file.name}: ${file.format}, ${file.headline ?? `${file.entries.length} tensors, ${formatBytes(total)}`}`);
  for (const s of file.sections ?? []) {
    lines.push('', `${s.title}:`, ...s.lines.map((l) => `  ${l}`.trimEnd()));
  }
  if (file.entriesTitle === null) return `${lines.join('\n')}\n`;
  lines.push('', `${file.entriesTitle ?? 'Tensors'}:`);
  const rows = file.entries.map((e) => [e.name, e.dtype, formatShape(e.shape), e.byteSize === undefined ? '' : formatBytes(e.byteSize)]);
  const w0 = maxLength(rows.map((r) => r[0]!), 4);
  const w1 = maxLength(rows.map((r) => r[1]!), 5);
  const w2 = maxLength(rows.map((r) => r[2]!), 5);
  lines.push(`  ${'name'.padEnd(w0)}  ${'dtype'.padEnd(w1)}  ${'shape'.padEnd(w2)}  size`);
  for (const r of rows) lines.push(`  ${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]!.padEnd(w2)}  ${r[3]}`.trimEnd());
  return `${lines.join('\n')}\n`;
}

/** A numpy-like summary of one tensor: shape, dtype, statistics and values. */
export function summarizeTensor(entry: TensorEntry, value: TensorValue, edgeItems = 3): string {
  const n = elements(value.shape);
  const lines = [`${entry.name}`, `  dtype: ${value.dtype}  shape: ${formatShape(value.shape)}  elements: ${n}`];
  const xs = numericValues(value);
  if (xs !== undefined && n > 0 && !value.dtype.startsWith('complex')) {
    const s = stats(xs);
    const integer = !/^(float|bfloat)/.test(value.dtype);
    const extra = (s.nan > 0 ? `  nan: ${s.nan}` : '') + (s.inf > 0 ? `  inf: ${s.inf}` : '');
    lines.push(`  min: ${formatNumber(s.min, integer)}  max: ${formatNumber(s.max, integer)}  mean: ${formatNumber(s.mean)}  std: ${formatNumber(s.std)}${extra}`);
  }
  const items = elementStrings(value);
  if (items.length === 0 && n > 0) lines.push(`  (dtype ${value.dtype} has no printable values)`);
  else {
    const body = formatArray(items, value.shape, edgeItems, 1000, 75 - 'array('.length);
    lines.push(...`array(${body.replace(/\n/g, '\n      ')})`.split('\n').map((l) => `  ${l}`));
  }
  return `${lines.join('\n')}\n`;
}

function tensorJson(entry: TensorEntry, value: TensorValue): Record<string, unknown> {
  const xs = numericValues(value);
  const s = xs === undefined ? undefined : stats(xs);
  return {
    name: entry.name,
    dtype: value.dtype,
    shape: [...value.shape],
    sha256: hashValue(value),
    ...(s === undefined ? {} : { min: s.min, max: s.max, mean: s.mean, std: s.std }),
  };
}
