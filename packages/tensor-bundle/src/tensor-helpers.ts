import { bfloat16ToFloat32, float16ToFloat32, utf8Decode } from '@tfsave/core';
import type { Tensor } from './bundle-reader.js';

export { bfloat16ToFloat32, float16ToFloat32 } from '@tfsave/core';

/**
 * A float16 or bfloat16 tensor's raw 16-bit values widened to float32; float32 data is returned as is.
 * @throws RangeError for other dtypes.
 */
export function toFloat32(t: Tensor): Float32Array {
  if (t.dtype === 'float16') return float16ToFloat32(t.data as Uint16Array);
  if (t.dtype === 'bfloat16') return bfloat16ToFloat32(t.data as Uint16Array);
  if (t.dtype === 'float32') return t.data as Float32Array;
  throw new RangeError(`toFloat32: tensor ${t.name} is ${t.dtype}`);
}

/**
 * A string tensor's elements decoded as UTF-8 (invalid sequences become U+FFFD).
 * @throws RangeError for non-string tensors.
 */
export function toStrings(t: Tensor): string[] {
  if (t.dtype !== 'string') throw new RangeError(`toStrings: tensor ${t.name} is ${t.dtype}`);
  return (t.data as Uint8Array[]).map((b) => utf8Decode(b));
}
