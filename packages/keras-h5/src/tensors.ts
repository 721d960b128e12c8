/** Conversions between stored datasets and {@link TensorRecord}s. */
import { dtypeFromName, typedArrayFromBytes } from '@tfsave/core';
import type { H5Dataset } from './h5-types.js';
import type { TensorRecord } from './model-desc.js';

/** A dataset as a named tensor (Keras 3 bfloat16 datasets carry attr `dtype="bfloat16"`). */
export function tensorFromDataset(name: string, ds: H5Dataset): TensorRecord {
  const tag = ds.attrs['dtype'];
  const dtype = tag?.kind === 'string' && tag.value === 'bfloat16' && ds.dtype === 'uint16' ? 'bfloat16' : ds.dtype;
  const info = dtypeFromName(dtype);
  if (info === undefined) throw new RangeError(`unknown dtype ${dtype}`);
  return { name, dtype, shape: ds.shape, data: typedArrayFromBytes(info, ds.data) };
}

/** Raw little-endian bytes of a tensor's data. */
export function tensorBytes(t: TensorRecord): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** A tensor as a dataset to write. */
export function datasetFromTensor(t: TensorRecord): H5Dataset {
  if (t.dtype === 'bfloat16') return { kind: 'dataset', dtype: 'uint16', shape: t.shape, data: tensorBytes(t), attrs: { dtype: { kind: 'string', type: { cset: 'utf8', vlen: true }, value: 'bfloat16' } } };
  return { kind: 'dataset', dtype: t.dtype, shape: t.shape, data: tensorBytes(t), attrs: {} };
}
