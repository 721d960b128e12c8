/**
 * Tensor-by-tensor comparison of two opened files, the engine of `diff`.
 * Values are close when `|a - b| <= atol + rtol * |b|` (numpy.allclose, NaN equal to NaN).
 */
import type { OpenedFile, TensorEntry, TensorValue } from './model.js';
import { numericValues } from './values.js';

/** How two matched tensors compare. */
export interface TensorDiff {
  readonly key: string;
  readonly a: string;
  readonly b: string;
  readonly status: 'equal' | 'close' | 'values' | 'shape' | 'dtype';
  readonly shapeA?: readonly number[];
  readonly shapeB?: readonly number[];
  readonly dtypeA?: string;
  readonly dtypeB?: string;
  readonly maxAbs?: number;
  readonly maxRel?: number;
  /** Elements beyond the tolerances. */
  readonly mismatched?: number;
  readonly elements?: number;
}

/** The result of comparing two files. */
export interface FileDiff {
  readonly matchedBy: 'weight-path' | 'key';
  readonly missing: string[];
  readonly extra: string[];
  readonly tensors: TensorDiff[];
  /** True when nothing is missing or extra and every tensor is equal or close. */
  readonly same: boolean;
}

/** Tolerances of a comparison. */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** Matches tensors of `a` and `b` by Keras weight path when both files are Keras models, else by key. */
export async function matchEntries(a: OpenedFile, b: OpenedFile): Promise<{ by: 'weight-path' | 'key'; keyOf: (e: TensorEntry) => string; listA: readonly TensorEntry[]; listB: readonly TensorEntry[] }> {
  const wa = await a.kerasWeights?.();
  const wb = wa === undefined ? undefined : await b.kerasWeights?.();
  if (wa !== undefined && wb !== undefined) {
    return { by: 'weight-path', keyOf: (e) => e.weightPath ?? e.name, listA: wa, listB: wb };
  }
  return { by: 'key', keyOf: (e) => e.name, listA: a.entries, listB: b.entries };
}

/** Compares two tensor values. */
export function compareValues(key: string, a: TensorValue, b: TensorValue, tol: Tolerance, names: [string, string] = [key, key]): TensorDiff {
  const base = { key, a: names[0], b: names[1] };
  if (a.dtype !== b.dtype && (a.kind !== 'bytes' || b.kind !== 'bytes' || numericValues(a) === undefined || numericValues(b) === undefined)) {
    return { ...base, status: 'dtype', dtypeA: a.dtype, dtypeB: b.dtype };
  }
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    return { ...base, status: 'shape', shapeA: a.shape, shapeB: b.shape };
  }
  if (a.kind === 'strings' || b.kind === 'strings') {
    const sa = a.kind === 'strings' ? a.strings : [];
    const sb = b.kind === 'strings' ? b.strings : [];
    let mismatched = 0;
    for (let i = 0; i < Math.max(sa.length, sb.length); i++) if (!bytesEqual(sa[i], sb[i])) mismatched++;
    return { ...base, status: mismatched === 0 ? 'equal' : 'values', mismatched, elements: sa.length };
  }
  const xa = numericValues(a);
  const xb = numericValues(b);
  if (xa === undefined || xb === undefined) {
    const eq = bytesEqual(a.bytes, b.bytes);
    return { ...base, status: eq ? 'equal' : 'values', mismatched: eq ? 0 : 1, elements: 1 };
  }
  let maxAbs = 0, maxRel = 0, mismatched = 0, identical = a.dtype === b.dtype;
  for (let i = 0; i < xa.length; i++) {
    const x = xa[i]!, y = xb[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue;
    identical = false;
    const d = Math.abs(x - y);
    const rel = y === 0 ? (d === 0 ? 0 : Infinity) : d / Math.abs(y);
    if (!(d <= maxAbs)) maxAbs = d;
    if (!(rel <= maxRel)) maxRel = rel;
    if (!(d <= tol.atol + tol.rtol * Math.abs(y))) mismatched++;
  }
  const dt = a.dtype === b.dtype ? {} : { dtypeA: a.dtype, dtypeB: b.dtype };
  const status = identical ? 'equal' : mismatched === 0 ? 'close' : 'values';
  return { ...base, ...dt, status, maxAbs, maxRel, mismatched, elements: xa.length };
}

/** Compares every tensor of `a` with its match in `b`. */
export async function compareFiles(a: OpenedFile, b: OpenedFile, tol: Tolerance, onTensor: (bytes: number) => void = () => {}): Promise<FileDiff> {
  const m = await matchEntries(a, b);
  const mapB = new Map(m.listB.map((e) => [m.keyOf(e), e]));
  const seen = new Set<string>();
  const missing: string[] = [];
  const tensors: TensorDiff[] = [];
  for (const ea of m.listA) {
    const key = m.keyOf(ea);
    const eb = mapB.get(key);
    if (eb === undefined) {
      missing.push(key);
      continue;
    }
    seen.add(key);
    if (ea.dtype !== eb.dtype && !(isNumeric(ea.dtype) && isNumeric(eb.dtype))) {
      tensors.push({ key, a: ea.name, b: eb.name, status: 'dtype', dtypeA: ea.dtype, dtypeB: eb.dtype });
      continue;
    }
    tensors.push(compareValues(key, await ea.read(), await eb.read(), tol, [ea.name, eb.name]));
    onTensor((ea.byteSize ?? 0) + (eb.byteSize ?? 0));
  }
  const extra = m.listB.map((e) => m.keyOf(e)).filter((k) => !seen.has(k));
  const same = missing.length === 0 && extra.length === 0 && tensors.every((t) => (t.status === 'equal' || t.status === 'close') && t.dtypeA === undefined);
  return { matchedBy: m.by, missing, extra, tensors, same };
}

function isNumeric(dtype: string): boolean {
  return !['string', 'resource', 'variant'].includes(dtype);
}

function bytesEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
