import { ByteBuilder, ByteCursor, crc32cUpdate, maskCrc, typedArrayFromBytes, unmaskCrc, type DTypeInfo, type TensorData, crc32cFast } from '@tfsave/core';
import { E, hex32 } from './errors.js';

/** Limits applied when decoding tensors. */
export interface TensorLimits {
  /** Largest element count accepted. Default 2^31. */
  readonly maxElements?: number;
}

/** Product of a shape, checked against a limit. */
export function numElements(shape: readonly number[], key: string, path?: string, limits: TensorLimits = {}): number {
  const max = limits.maxElements ?? 2 ** 31;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > max) throw E.limit(`tensor ${JSON.stringify(key)} of shape [${shape.join(',')}] has more than ${max} elements`, 'too-many-elements', { path });
  }
  return n;
}

function u32le(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

function u64le(v: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return b;
}

/** The length's contribution to a string tensor's CRC: uint32 LE if it fits, else uint64 LE. */
function lengthBytes(len: number): Uint8Array {
  return len <= 0xffffffff ? u32le(len) : u64le(len);
}

/**
 * Decodes a DT_STRING tensor: varint lengths, masked CRC of the lengths, then the bytes.
 * Verifies both the length checksum and the whole-tensor checksum.
 * @throws FormatError `checksum`, `truncated` or `malformed`.
 */
export function decodeStringTensor(bytes: Uint8Array, count: number, expectedMaskedCrc: number, key: string, path?: string, base = 0): Uint8Array[] {
  const c = new ByteCursor(bytes, 'tensor-bundle', path, base);
  const lens: number[] = [];
  let crc = 0;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const len = c.varintSafe('string length');
    total += len;
    if (total > bytes.length) throw E.truncated(`string tensor ${JSON.stringify(key)} declares ${total}+ bytes of strings in a ${bytes.length}-byte entry`, { path, offset: base + c.pos });
    lens.push(len);
    crc = crc32cUpdate(crc, lengthBytes(len));
  }
  const lcBytes = c.take(4, 'string length checksum');
  const lc = new DataView(lcBytes.buffer, lcBytes.byteOffset, 4).getUint32(0, true);
  if (unmaskCrc(lc) !== crc) {
    throw E.checksum(`string lengths checksum mismatch for ${JSON.stringify(key)}: stored ${hex32(unmaskCrc(lc))} != computed ${hex32(crc)}`, 'string-length-crc', { path, offset: base + c.pos - 4 });
  }
  crc = crc32cUpdate(crc, lcBytes);
  const out: Uint8Array[] = [];
  for (const len of lens) {
    const s = c.take(len, 'string element');
    crc = crc32cFast(crc, s);
    out.push(s);
  }
  if (c.remaining !== 0) throw E.malformed(`string tensor ${JSON.stringify(key)} has ${c.remaining} trailing bytes`, 'string-trailing', { path, offset: base + c.pos });
  if (crc !== unmaskCrc(expectedMaskedCrc)) {
    throw E.checksum(`tensor checksum mismatch for ${JSON.stringify(key)}: stored ${hex32(unmaskCrc(expectedMaskedCrc))} != computed ${hex32(crc)}`, 'tensor-crc', { path, offset: base });
  }
  return out;
}

/** Encodes string elements in TF's DT_STRING layout; returns the bytes and the masked CRC for the entry. */
export function encodeStringTensor(elements: readonly Uint8Array[]): { bytes: Uint8Array; crc32c: number } {
  const b = new ByteBuilder(64);
  let crc = 0;
  for (const s of elements) {
    b.varint(s.length);
    crc = crc32cUpdate(crc, lengthBytes(s.length));
  }
  const lc = u32le(maskCrc(crc));
  b.bytes(lc);
  crc = crc32cUpdate(crc, lc);
  for (const s of elements) {
    b.bytes(s);
    crc = crc32cFast(crc, s);
  }
  return { bytes: b.toBytes(), crc32c: maskCrc(crc) };
}

/**
 * Verifies and decodes a tensor's stored bytes into a typed array
 * (strings → array of byte arrays; int64/uint64 → BigInt arrays; complex → interleaved pairs;
 * float16/bfloat16 → raw Uint16Array; bool → Uint8Array).
 * `computedCrc`, when given, is the CRC-32C of `bytes` already computed by the caller.
 * @throws FormatError `checksum` on a CRC mismatch, `malformed` on a size mismatch,
 *   `unsupported` for DT_VARIANT / DT_RESOURCE.
 */
export function decodeTensor(dtype: DTypeInfo, shape: readonly number[], bytes: Uint8Array, maskedCrc: number, key: string, path?: string, base = 0, limits: TensorLimits = {}, computedCrc?: number): TensorData {
  const n = numElements(shape, key, path, limits);
  if (dtype.name === 'string') return decodeStringTensor(bytes, n, maskedCrc, key, path, base);
  if (dtype.size === 0) throw E.unsupported(`tensor ${JSON.stringify(key)} has dtype ${dtype.name}, which cannot be decoded`, 'dtype', { path });
  if (bytes.length !== n * dtype.size) {
    throw E.malformed(`tensor ${JSON.stringify(key)} of ${dtype.name}[${shape.join(',')}] needs ${n * dtype.size} bytes but its entry has ${bytes.length}`, 'size-mismatch', { path, offset: base });
  }
  const crc = computedCrc ?? crc32cFast(0, bytes);
  if (crc !== unmaskCrc(maskedCrc)) {
    throw E.checksum(`tensor checksum mismatch for ${JSON.stringify(key)}: stored ${hex32(unmaskCrc(maskedCrc))} != computed ${hex32(crc)}`, 'tensor-crc', { path, offset: base });
  }
  return typedArrayFromBytes(dtype, bytes);
}

/** Raw little-endian bytes of a fixed-size tensor's data (no copy when possible). */
export function tensorBytes(data: Exclude<TensorData, Uint8Array[]> | ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
