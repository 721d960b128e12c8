/**
 * Tensor contents as numbers: for summaries (`inspect --tensor`) and
 * comparisons (`diff`). float16/bfloat16 are widened, 64-bit integers become
 * numbers (exact up to 2^53), complex values are their interleaved (re, im)
 * parts, float8/int4 types are their raw codes.
 */
import { bfloat16ToFloat32, dtypeFromName, elementCount, float16ToFloat32, typedArrayFromBytes } from '@tfsave/core';
import type { TensorValue } from './model.js';

/** The elements of a numeric tensor as float64, or undefined for strings and dtypes without values. */
export function numericValues(v: TensorValue): Float64Array | undefined {
  if (v.kind !== 'bytes') return undefined;
  const dt = dtypeFromName(v.dtype);
  if (dt === undefined || dt.size === 0) return undefined;
  const arr = typedArrayFromBytes(dt, v.bytes);
  if (dt.name === 'float16') return Float64Array.from(float16ToFloat32(arr as Uint16Array));
  if (dt.name === 'bfloat16') return Float64Array.from(bfloat16ToFloat32(arr as Uint16Array));
  if (arr instanceof BigInt64Array || arr instanceof BigUint64Array) {
    const out = new Float64Array(arr.length);
    for (let i = 0; i < arr.length; i++) out[i] = Number(arr[i]!);
    return out;
  }
  return Float64Array.from(arr as ArrayLike<number>);
}

/** min / max / mean / std over the finite elements, and counts of NaN and infinities. */
export interface Stats {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly std: number;
  readonly nan: number;
  readonly inf: number;
}

/** Computes {@link Stats} of `xs`. */
export function stats(xs: Float64Array): Stats {
  let min = Infinity, max = -Infinity, sum = 0, n = 0, nan = 0, inf = 0;
  for (const x of xs) {
    if (Number.isNaN(x)) nan++;
    else if (!Number.isFinite(x)) inf++;
    else {
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
      n++;
    }
  }
  const mean = n === 0 ? NaN : sum / n;
  let sq = 0;
  for (const x of xs) if (Number.isFinite(x)) sq += (x - mean) ** 2;
  return { count: xs.length, min: n === 0 ? NaN : min, max: n === 0 ? NaN : max, mean, std: n === 0 ? NaN : Math.sqrt(sq / n), nan, inf };
}

/** Formats one number the way numpy prints a float: up to 8 significant digits, no trailing zeros. */
export function formatNumber(x: number, integer = false): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (integer) return String(x);
  if (x === 0) return Object.is(x, -0) ? '-0.' : '0.';
  const ax = Math.abs(x);
  if (ax >= 1e16 || ax < 1e-4) return x.toExponential(7).replace(/\.?0+e/, 'e').replace(/e([+-])(\d)$/, 'e$10$2');
  let s = x.toPrecision(8);
  if (s.includes('.')) s = s.replace(/0+$/, '');
  return s;
}

/** Shape as Python prints a tuple: `()`, `(3,)`, `(2, 3)`. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * Formats a row-major array like numpy's `repr` body, summarizing axes longer
 * than `2 * edgeItems` with `...` when the array has more than `threshold` elements.
 */
export function formatArray(items: readonly string[], shape: readonly number[], edgeItems = 3, threshold = 1000, lineWidth = 75): string {
  if (shape.length === 0) return items[0] ?? '';
  const summarize = items.length > threshold;
  let width = 0;
  for (const s of items) if (s.length > width) width = s.length;
  const strides: number[] = [];
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= shape[d]!;
  }
  const rec = (dim: number, offset: number, indent: string): string => {
    const n = shape[dim]!;
    const idx: Array<number | null> = [];
    if (summarize && n > 2 * edgeItems) {
      for (let i = 0; i < edgeItems; i++) idx.push(i);
      idx.push(null);
      for (let i = n - edgeItems; i < n; i++) idx.push(i);
    } else for (let i = 0; i < n; i++) idx.push(i);
    if (dim === shape.length - 1) {
      const parts = idx.map((i) => (i === null ? '...' : items[offset + i]!.padStart(width)));
      let out = '[';
      let line = indent.length + 1;
      parts.forEach((p, j) => {
        const piece = j === parts.length - 1 ? p : `${p},`;
        if (j > 0 && line + 1 + piece.length > lineWidth) {
          out += `\n${indent} `;
          line = indent.length + 1;
        } else if (j > 0) {
          out += ' ';
          line += 1;
        }
        out += piece;
        line += piece.length;
      });
      return `${out}]`;
    }
    const sep = `,${'\n'.repeat(shape.length - 1 - dim)}${indent} `;
    return `[${idx.map((i) => (i === null ? '...' : rec(dim + 1, offset + i * strides[dim]!, `${indent} `))).join(sep)}]`;
  };
  return rec(0, 0, '');
}

/** Element strings of a tensor for {@link formatArray}: numbers like numpy, byte strings as Python `b'…'` literals. */
export function elementStrings(v: TensorValue, limit = 1_000_000): string[] {
  if (v.kind === 'strings') return v.strings.slice(0, limit).map(bytesLiteral);
  const xs = numericValues(v);
  if (xs === undefined) return [];
  const integer = !/^(float|bfloat|complex)/.test(v.dtype);
  if (v.dtype.startsWith('complex')) {
    const out: string[] = [];
    for (let i = 0; i + 1 < xs.length && out.length < limit; i += 2) {
      const im = xs[i + 1]!;
      out.push(`${formatNumber(xs[i]!)}${im < 0 || Object.is(im, -0) ? '-' : '+'}${formatNumber(Math.abs(im))}j`);
    }
    return out;
  }
  if (v.dtype === 'bool') return Array.from(xs.subarray(0, limit), (x) => (x !== 0 ? 'True' : 'False'));
  return Array.from(xs.subarray(0, limit), (x) => formatNumber(x, integer));
}

/** A Python bytes literal for display. */
export function bytesLiteral(b: Uint8Array): string {
  let s = "b'";
  for (const c of b) {
    if (c === 0x27 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return `${s}'`;
}

/** Total elements of a shape. */
export function elements(shape: readonly number[]): number {
  return elementCount(shape);
}

/** The longest length among `strings`, at least `min` (a loop: safe for any count). */
export function maxLength(strings: Iterable<string>, min = 0): number {
  let m = min;
  for (const s of strings) if (s.length > m) m = s.length;
  return m;
}
