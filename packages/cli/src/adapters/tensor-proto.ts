/**
 * The value of a graph `Const` node (a `TensorProto`) as a {@link TensorValue},
 * the way TensorFlow reads it: `tensor_content` holds the raw little-endian
 * elements; otherwise the typed `*_val` field holds them, and when it holds
 * fewer than the shape needs the last value repeats (none: zeros).
 * Upstream: tensorflow/core/framework/tensor.cc (`Tensor::FromProto`), tensor_util.py (`MakeNdarray`).
 */
import { dtypeFromCode, elementCount, errorsFor, type DTypeInfo } from '@tfsave/core';
import { int64ToBigInt, type Int64Like } from '@tfsave/protos';
import { shapeOf, type decodeMetaGraphDef } from '@tfsave/saved-model';
import type { TensorValue } from '../model.js';

const fail = errorsFor('meta-graph');

/** Largest Const value decoded, in bytes (a repeated `*_val` can declare far more elements than the file holds). */
export const MAX_CONST_BYTES = 1 << 30;

type GraphProto = NonNullable<ReturnType<typeof decodeMetaGraphDef>['graph_def']>;
/** A graph node as decoded by `@tfsave/saved-model`. */
export type NodeProto = NonNullable<GraphProto['node']>[number];
/** A `TensorProto` as decoded by `@tfsave/saved-model`. */
export type TensorProtoLike = NonNullable<NonNullable<NonNullable<NodeProto['attr']>[string]>['tensor']>;

/** The `*_val` field that holds elements of each dtype, with its element writer. */
type Writer = (dv: DataView, offset: number, v: unknown) => void;
const F32: Writer = (dv, o, v) => dv.setFloat32(o, v as number, true);
const F64: Writer = (dv, o, v) => dv.setFloat64(o, v as number, true);
const I8: Writer = (dv, o, v) => dv.setInt8(o, v as number);
const U8: Writer = (dv, o, v) => dv.setUint8(o, v as number);
const I16: Writer = (dv, o, v) => dv.setInt16(o, v as number, true);
const U16: Writer = (dv, o, v) => dv.setUint16(o, v as number, true);
const I32: Writer = (dv, o, v) => dv.setInt32(o, v as number, true);
const U32: Writer = (dv, o, v) => dv.setUint32(o, v as number, true);
const BOOL: Writer = (dv, o, v) => dv.setUint8(o, v === true ? 1 : 0);
/** int64 and uint64 alike: the value's 64 bits, little-endian. */
const I64: Writer = (dv, o, v) => dv.setBigUint64(o, BigInt.asUintN(64, int64ToBigInt(v as Int64Like)), true);

const FIELDS: Readonly<Record<string, { field: keyof TensorProtoLike; write: Writer; perElement?: number }>> = {
  float32: { field: 'float_val', write: F32 },
  float64: { field: 'double_val', write: F64 },
  int32: { field: 'int_val', write: I32 },
  qint32: { field: 'int_val', write: I32 },
  int16: { field: 'int_val', write: I16 },
  qint16: { field: 'int_val', write: I16 },
  uint16: { field: 'int_val', write: U16 },
  quint16: { field: 'int_val', write: U16 },
  int8: { field: 'int_val', write: I8 },
  qint8: { field: 'int_val', write: I8 },
  uint8: { field: 'int_val', write: U8 },
  quint8: { field: 'int_val', write: U8 },
  float16: { field: 'half_val', write: U16 },
  bfloat16: { field: 'half_val', write: U16 },
  int64: { field: 'int64_val', write: I64 },
  uint64: { field: 'uint64_val', write: I64 },
  uint32: { field: 'uint32_val', write: U32 },
  bool: { field: 'bool_val', write: BOOL },
  complex64: { field: 'scomplex_val', write: F32, perElement: 2 },
  complex128: { field: 'dcomplex_val', write: F64, perElement: 2 },
};

/** The dtype of a `TensorProto` when its elements can be decoded (numbers, bools, complex, strings), else undefined. */
export function decodableDtype(t: TensorProtoLike): DTypeInfo | undefined {
  const info = dtypeFromCode(t.dtype ?? 0);
  if (info === undefined) return undefined;
  return info.name === 'string' || FIELDS[info.name] !== undefined ? info : undefined;
}

/** The shape of a `TensorProto` (every dimension known). */
export function tensorShape(t: TensorProtoLike): number[] {
  const s = shapeOf(t.tensor_shape);
  return s === null ? [] : s;
}

/**
 * Decodes a `TensorProto`.
 * @param name - the node name, shown in errors.
 * @throws FormatError `unsupported` for dtypes without a decoder (resource, variant, float8, 4-bit);
 *   `malformed` when the stored bytes or values do not fit the shape.
 */
export function decodeTensorProto(t: TensorProtoLike, name: string): TensorValue {
  const info = decodableDtype(t);
  if (info === undefined) throw fail.unsupported(`Const ${JSON.stringify(name)} has dtype code ${t.dtype ?? 0}, which has no decoder`, 'const-dtype');
  const shape = tensorShape(t);
  if (shape.some((d) => d < 0)) throw fail.malformed(`Const ${JSON.stringify(name)} has an unknown dimension in shape [${shape.join(', ')}]`, 'const-shape');
  const n = elementCount(shape);
  if (n * Math.max(info.size, 8) > MAX_CONST_BYTES) {
    throw fail.limit(`Const ${JSON.stringify(name)} of shape [${shape.join(', ')}] is over the ${MAX_CONST_BYTES}-byte limit`, 'const-too-large');
  }
  if (info.name === 'string') {
    const vals = t.string_val ?? [];
    if (vals.length > n || (vals.length === 0 && n > 0)) throw fail.malformed(`Const ${JSON.stringify(name)} holds ${vals.length} strings for ${n} elements`, 'const-count');
    return { kind: 'strings', dtype: 'string', shape, strings: Array.from({ length: n }, (_, i) => vals[Math.min(i, vals.length - 1)]!) };
  }
  const content = t.tensor_content;
  if (content !== undefined && content !== null && content.length > 0) {
    if (content.length !== n * info.size) {
      throw fail.malformed(`Const ${JSON.stringify(name)} tensor_content holds ${content.length} bytes; ${info.name} ${JSON.stringify(shape)} needs ${n * info.size}`, 'const-size');
    }
    return { kind: 'bytes', dtype: info.name, shape, bytes: content.slice() };
  }
  const spec = FIELDS[info.name]!;
  const per = spec.perElement ?? 1;
  const vals = (t[spec.field] ?? []) as readonly unknown[];
  if (vals.length % per !== 0 || vals.length / per > n) {
    throw fail.malformed(`Const ${JSON.stringify(name)} holds ${vals.length} values in ${String(spec.field)} for ${n} ${info.name} elements`, 'const-count');
  }
  const bytes = new Uint8Array(n * info.size);
  const dv = new DataView(bytes.buffer);
  const stored = vals.length / per;
  const width = info.size / per;
  if (stored > 0) {
    for (let i = 0; i < n; i++) {
      const src = Math.min(i, stored - 1) * per;
      for (let k = 0; k < per; k++) spec.write(dv, i * info.size + k * width, vals[src + k]);
    }
  }
  return { kind: 'bytes', dtype: info.name, shape, bytes };
}

/** Bytes a decoded `TensorProto` holds (strings: the sum of their lengths), without decoding it. */
export function tensorProtoByteSize(t: TensorProtoLike): number {
  const info = decodableDtype(t);
  const n = elementCount(tensorShape(t).map((d) => Math.max(d, 0)));
  if (info === undefined) return 0;
  if (info.name !== 'string') return n * info.size;
  const vals = t.string_val ?? [];
  let total = 0;
  for (let i = 0; i < n && vals.length > 0; i++) total += vals[Math.min(i, vals.length - 1)]!.length;
  return total;
}
