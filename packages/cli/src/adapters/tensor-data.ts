/** Converting the tensors the format packages return into the CLI's {@link TensorValue}. */
import type { TensorData } from '@tfsave/core';
import type { TensorValue } from '../model.js';

/** Wraps a decoded tensor (typed array or array of byte strings) as a {@link TensorValue}. */
export function toTensorValue(dtype: string, shape: readonly number[], data: TensorData | ArrayBufferView | readonly Uint8Array[]): TensorValue {
  if (Array.isArray(data)) return { kind: 'strings', dtype, shape, strings: data as readonly Uint8Array[] };
  const v = data as ArrayBufferView;
  return { kind: 'bytes', dtype, shape, bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength) };
}
