/**
 * Reads the tensor sets of the parity fixtures: `<name>.json`
 * (`{tensors:[{name,dtype,shape,offset,length}]}`) beside raw little-endian `<name>.bin`.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** One named tensor of a set. */
export interface NamedArray {
  readonly name: string;
  readonly dtype: string;
  readonly shape: number[];
  readonly data: Float32Array | Int32Array | BigInt64Array;
}

/** Reads `<pathNoExt>.json` + `.bin`. */
export function readTensorSet(pathNoExt: string): NamedArray[] {
  const meta = JSON.parse(readFileSync(`${pathNoExt}.json`, 'utf8')) as {
    tensors: Array<{ name: string; dtype: string; shape: number[]; offset: number; length: number }>;
  };
  const bin = readFileSync(`${pathNoExt}.bin`);
  return meta.tensors.map((t) => {
    const bytes = new Uint8Array(bin.buffer.slice(bin.byteOffset + t.offset, bin.byteOffset + t.offset + t.length));
    const view = new DataView(bytes.buffer);
    let data: Float32Array | Int32Array | BigInt64Array;
    if (t.dtype === 'float32') data = Float32Array.from({ length: t.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
    else if (t.dtype === 'int32') data = Int32Array.from({ length: t.length / 4 }, (_, i) => view.getInt32(i * 4, true));
    else if (t.dtype === 'int64') data = BigInt64Array.from({ length: t.length / 8 }, (_, i) => view.getBigInt64(i * 8, true));
    else throw new Error(`tensor-set: unsupported dtype ${t.dtype} for ${t.name}`);
    return { name: t.name, dtype: t.dtype, shape: t.shape, data };
  });
}

/** Writes float32 tensors as `<pathNoExt>.json` + `.bin` (the layout {@link readTensorSet} reads). */
export function writeTensorSet(pathNoExt: string, tensors: ReadonlyArray<{ name: string; shape: number[]; data: Float32Array }>): void {
  let offset = 0;
  const meta = tensors.map((t) => {
    const e = { name: t.name, dtype: 'float32', shape: t.shape, offset, length: t.data.byteLength };
    offset += t.data.byteLength;
    return e;
  });
  const bin = new Uint8Array(offset);
  tensors.forEach((t, i) => bin.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), meta[i]!.offset));
  writeFileSync(`${pathNoExt}.json`, JSON.stringify({ tensors: meta }));
  writeFileSync(`${pathNoExt}.bin`, bin);
}
