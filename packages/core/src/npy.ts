/** The numpy `.npy` format (version 1.0), for dumping one tensor numpy can load. */
import { dtypeFromName } from './dtypes.js';

/**
 * Encodes the `.npy` header for a C-order array; append the raw little-endian bytes after it.
 * @throws RangeError when the dtype has no numpy equivalent (string, resource, variant).
 */
export function npyHeader(dtypeName: string, shape: readonly number[]): Uint8Array {
  const dt = dtypeFromName(dtypeName);
  if (dt?.numpy === undefined) throw new RangeError(`dtype ${dtypeName} has no numpy equivalent`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${dt.numpy}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + dict.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out[8] = dict.length & 0xff;
  out[9] = dict.length >>> 8;
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  return out;
}

/** A complete `.npy` file for raw little-endian `data`. */
export function encodeNpy(dtypeName: string, shape: readonly number[], data: Uint8Array): Uint8Array {
  const header = npyHeader(dtypeName, shape);
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}
