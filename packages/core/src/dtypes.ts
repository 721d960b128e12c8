/**
 * TensorFlow's `DataType` enum (types.proto), with the facts every format
 * needs: the Python name, the element width and the typed array that holds it.
 */

/** A TF dtype name as Python prints it (`tf.float32.name`). */
export type DTypeName =
  | 'float32' | 'float64' | 'int32' | 'uint8' | 'int16' | 'int8' | 'string' | 'complex64' | 'int64' | 'bool'
  | 'qint8' | 'quint8' | 'qint32' | 'bfloat16' | 'qint16' | 'quint16' | 'uint16' | 'complex128' | 'float16'
  | 'resource' | 'variant' | 'uint32' | 'uint64'
  | 'float8_e5m2' | 'float8_e4m3fn' | 'float8_e4m3fnuz' | 'float8_e4m3b11fnuz' | 'float8_e5m2fnuz'
  | 'int4' | 'uint4' | 'int2' | 'uint2' | 'float4_e2m1fn';

/** One row of the dtype table. */
export interface DTypeInfo {
  /** Enum value in `DataType` (without the `_REF` offset of 100). */
  readonly code: number;
  readonly name: DTypeName;
  /** Bytes per element in a tensor bundle / raw buffer; 0 for variable-size (string, variant, resource). */
  readonly size: number;
  /** numpy's dtype.str for little-endian raw bytes, where numpy has one. */
  readonly numpy?: string;
}

const TABLE: readonly DTypeInfo[] = [
  { code: 1, name: 'float32', size: 4, numpy: '<f4' },
  { code: 2, name: 'float64', size: 8, numpy: '<f8' },
  { code: 3, name: 'int32', size: 4, numpy: '<i4' },
  { code: 4, name: 'uint8', size: 1, numpy: '|u1' },
  { code: 5, name: 'int16', size: 2, numpy: '<i2' },
  { code: 6, name: 'int8', size: 1, numpy: '|i1' },
  { code: 7, name: 'string', size: 0 },
  { code: 8, name: 'complex64', size: 8, numpy: '<c8' },
  { code: 9, name: 'int64', size: 8, numpy: '<i8' },
  { code: 10, name: 'bool', size: 1, numpy: '|b1' },
  { code: 11, name: 'qint8', size: 1, numpy: '|i1' },
  { code: 12, name: 'quint8', size: 1, numpy: '|u1' },
  { code: 13, name: 'qint32', size: 4, numpy: '<i4' },
  { code: 14, name: 'bfloat16', size: 2, numpy: '<u2' },
  { code: 15, name: 'qint16', size: 2, numpy: '<i2' },
  { code: 16, name: 'quint16', size: 2, numpy: '<u2' },
  { code: 17, name: 'uint16', size: 2, numpy: '<u2' },
  { code: 18, name: 'complex128', size: 16, numpy: '<c16' },
  { code: 19, name: 'float16', size: 2, numpy: '<f2' },
  { code: 20, name: 'resource', size: 0 },
  { code: 21, name: 'variant', size: 0 },
  { code: 22, name: 'uint32', size: 4, numpy: '<u4' },
  { code: 23, name: 'uint64', size: 8, numpy: '<u8' },
  { code: 24, name: 'float8_e5m2', size: 1, numpy: '|u1' },
  { code: 25, name: 'float8_e4m3fn', size: 1, numpy: '|u1' },
  { code: 26, name: 'float8_e4m3fnuz', size: 1, numpy: '|u1' },
  { code: 27, name: 'float8_e4m3b11fnuz', size: 1, numpy: '|u1' },
  { code: 28, name: 'float8_e5m2fnuz', size: 1, numpy: '|u1' },
  { code: 29, name: 'int4', size: 1, numpy: '|i1' },
  { code: 30, name: 'uint4', size: 1, numpy: '|u1' },
  { code: 31, name: 'int2', size: 1, numpy: '|i1' },
  { code: 32, name: 'uint2', size: 1, numpy: '|u1' },
  { code: 33, name: 'float4_e2m1fn', size: 1, numpy: '|u1' },
];

const BY_CODE = new Map(TABLE.map((d) => [d.code, d]));
const BY_NAME = new Map(TABLE.map((d) => [d.name as string, d]));
BY_NAME.set('half', BY_CODE.get(19)!);
BY_NAME.set('float', BY_CODE.get(1)!);
BY_NAME.set('double', BY_CODE.get(2)!);

/** The dtype for a `DataType` enum value (`_REF` values map to their base type), or undefined. */
export function dtypeFromCode(code: number): DTypeInfo | undefined {
  return BY_CODE.get(code >= 100 ? code - 100 : code);
}

/** The dtype for a Python / numpy-style name (`float32`, `half`, `bfloat16`…), or undefined. */
export function dtypeFromName(name: string): DTypeInfo | undefined {
  return BY_NAME.get(name);
}

/** Every dtype tfsave knows. */
export const DTYPES: readonly DTypeInfo[] = TABLE;

/**
 * The JS array type a tensor of `dtype` is returned as:
 * float16/bfloat16 as raw `Uint16Array` bits, 64-bit integers as BigInt arrays,
 * complex numbers as interleaved (re, im) pairs, bool as `Uint8Array`,
 * strings as arrays of byte arrays.
 */
export type TensorData =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array | Uint8Array[];

/**
 * Views raw little-endian bytes of a fixed-size dtype as its typed array.
 * Copies when `bytes` is not aligned for the element size.
 * @throws RangeError for variable-size dtypes or a byte length that is not a multiple of the element size.
 */
export function typedArrayFromBytes(dtype: DTypeInfo, bytes: Uint8Array): Exclude<TensorData, Uint8Array[]> {
  if (dtype.size === 0) throw new RangeError(`dtype ${dtype.name} has no fixed element size`);
  if (bytes.byteLength % dtype.size !== 0) throw new RangeError(`${bytes.byteLength} bytes is not a whole number of ${dtype.name} elements`);
  const align = dtype.name === 'complex128' ? 8 : dtype.name === 'complex64' ? 4 : dtype.size;
  const src = bytes.byteOffset % align === 0 ? bytes : bytes.slice();
  const { buffer, byteOffset, byteLength } = src;
  switch (dtype.name) {
    case 'float32': return new Float32Array(buffer, byteOffset, byteLength / 4);
    case 'float64': return new Float64Array(buffer, byteOffset, byteLength / 8);
    case 'complex64': return new Float32Array(buffer, byteOffset, byteLength / 4);
    case 'complex128': return new Float64Array(buffer, byteOffset, byteLength / 8);
    case 'int32': case 'qint32': return new Int32Array(buffer, byteOffset, byteLength / 4);
    case 'uint32': return new Uint32Array(buffer, byteOffset, byteLength / 4);
    case 'int16': case 'qint16': return new Int16Array(buffer, byteOffset, byteLength / 2);
    case 'uint16': case 'quint16': case 'float16': case 'bfloat16': return new Uint16Array(buffer, byteOffset, byteLength / 2);
    case 'int8': case 'qint8': case 'int4': case 'int2': return new Int8Array(buffer, byteOffset, byteLength);
    case 'int64': return new BigInt64Array(buffer, byteOffset, byteLength / 8);
    case 'uint64': return new BigUint64Array(buffer, byteOffset, byteLength / 8);
    default: return new Uint8Array(buffer, byteOffset, byteLength);
  }
}

/** Number of elements of a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
