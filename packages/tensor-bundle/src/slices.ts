import { ByteBuilder } from '@tfsave/core';
import type { SliceExtent } from './entry.js';

function writeNumIncreasing(b: ByteBuilder, v: number): void {
  const bytes: number[] = [];
  let x = BigInt(v);
  while (x > 0n) {
    bytes.unshift(Number(x & 0xffn));
    x >>= 8n;
  }
  b.u8(bytes.length);
  for (const y of bytes) b.u8(y);
}

function writeString(b: ByteBuilder, s: Uint8Array): void {
  for (const c of s) {
    if (c === 0x00) b.u8(0x00).u8(0xff);
    else if (c === 0xff) b.u8(0xff).u8(0x00);
    else b.u8(c);
  }
  b.u8(0x00).u8(0x01);
}

const HEADER: ReadonlyArray<readonly [number, number]> = [
  [0, 0], [0x80, 0], [0xc0, 0], [0xe0, 0], [0xf0, 0], [0xf8, 0], [0xfc, 0], [0xfe, 0], [0xff, 0], [0xff, 0x80], [0xff, 0xc0],
];

/**
 * OrderedCode's signed increasing number encoding (length in unary header bits).
 * Upstream: tensorflow/core/lib/strings/ordered_code.cc (WriteSignedNumIncreasing).
 */
export function writeSignedNumIncreasing(b: ByteBuilder, value: number | bigint): void {
  const v = BigInt(value);
  const x = v < 0n ? ~v : v;
  let bits = 0;
  for (let t = x; t > 0n; t >>= 1n) bits++;
  const len = Math.max(1, Math.ceil((bits + 1) / 7));
  const out = new Uint8Array(len);
  let t = BigInt.asUintN(64, v);
  const sign = v < 0n ? 0xff : 0;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = len - 1 - i < 8 ? Number(t & 0xffn) : sign;
    t >>= 8n;
  }
  const h = HEADER[len]!;
  out[0] = out[0]! ^ h[0];
  if (len > 1) out[1] = out[1]! ^ h[1];
  b.bytes(out);
}

/**
 * The table key of one slice of a partitioned tensor (TF's EncodeTensorNameSlice):
 * NumIncreasing(0), String(name), NumIncreasing(rank), then per dimension the
 * signed start and length (-1 for a full extent).
 */
export function encodeSliceKey(name: Uint8Array, slice: readonly SliceExtent[]): Uint8Array {
  const b = new ByteBuilder(32 + name.length);
  writeNumIncreasing(b, 0);
  writeString(b, name);
  writeNumIncreasing(b, slice.length);
  for (const x of slice) {
    writeSignedNumIncreasing(b, x.length === undefined ? 0 : x.start);
    writeSignedNumIncreasing(b, x.length === undefined ? -1 : x.length);
  }
  return b.toBytes();
}

/** Element count of a slice of a tensor of the given full shape. */
export function sliceShape(fullShape: readonly number[], slice: readonly SliceExtent[]): number[] {
  return fullShape.map((d, i) => slice[i]?.length ?? d);
}

/**
 * Copies a slice's elements (row-major, `elementSize` bytes each) into the full tensor buffer.
 * @throws RangeError when the slice does not fit the full shape.
 */
export function placeSlice(full: Uint8Array, fullShape: readonly number[], slice: readonly SliceExtent[], part: Uint8Array, elementSize: number): void {
  const rank = fullShape.length;
  const starts = fullShape.map((_, i) => (slice[i]?.length === undefined ? 0 : slice[i]!.start));
  const lens = sliceShape(fullShape, slice);
  for (let i = 0; i < rank; i++) if (starts[i]! + lens[i]! > fullShape[i]!) throw new RangeError(`slice [${starts[i]}, +${lens[i]}) exceeds dimension ${fullShape[i]}`);
  if (rank === 0) {
    full.set(part.subarray(0, elementSize));
    return;
  }
  const strides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1]! * fullShape[i + 1]!;
  const row = lens[rank - 1]! * elementSize;
  const rows = lens.slice(0, -1).reduce((a, b) => a * b, 1);
  const idx = new Array<number>(rank - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    let off = starts[rank - 1]!;
    for (let i = 0; i < rank - 1; i++) off += (starts[i]! + idx[i]!) * strides[i]!;
    full.set(part.subarray(r * row, (r + 1) * row), off * elementSize);
    for (let i = rank - 2; i >= 0; i--) {
      if (++idx[i]! < lens[i]!) break;
      idx[i] = 0;
    }
  }
}
